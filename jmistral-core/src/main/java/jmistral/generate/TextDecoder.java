package jmistral.generate;

/**
 * Turns one sequence's tokens into text as they come (the tokenizer's streaming decoder behind it):
 * a token that ends in the middle of a UTF-8 character yields "" until the character is complete.
 * One instance per sequence; called only from the scheduler thread.
 */
public interface TextDecoder {

    /** The text that this token completes (may be empty). */
    String decode(int token);

    /** At the end: whatever is still buffered (e.g. an incomplete character as U+FFFD). */
    default String flush() {
        return "";
    }
}
