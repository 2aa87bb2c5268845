package jmistral.generate.constraint;

/**
 * One frame of the pushdown stack: the node to resume when the called rule ends. Frames form persistent
 * (shared-tail) linked stacks and are hash-consed per {@link GrammarMatcher}, so equal stacks are the
 * same object with the same id and a parser state's identity is a plain array of (node, frame id).
 */
final class StackFrame {

    final int returnNode;
    final StackFrame parent; // null = bottom
    final int id;            // unique per matcher, >= 1 (0 stands for the empty stack)
    final int depth;

    StackFrame(int returnNode, StackFrame parent, int id) {
        this.returnNode = returnNode;
        this.parent = parent;
        this.id = id;
        this.depth = parent == null ? 1 : parent.depth + 1;
    }

    static int idOf(StackFrame f) {
        return f == null ? 0 : f.id;
    }
}
