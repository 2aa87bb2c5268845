package jmistral.tokenizer;

/** What {@link Tekken#decode} does with special (control) token ids, as in mistral-common. */
public enum SpecialTokenPolicy {
    /** Drop them (mistral-common's default). */
    IGNORE,
    /** Render them as their names, e.g. {@code [INST]}. */
    KEEP,
    /** Throw {@link IllegalArgumentException}. */
    RAISE
}
