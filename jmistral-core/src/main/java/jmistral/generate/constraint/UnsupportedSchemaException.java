package jmistral.generate.constraint;

/**
 * A JSON schema (or tool definition) the constraint compiler refuses: a feature it cannot enforce (thrown
 * instead of silently ignoring the feature), a keyword value that is not valid JSON Schema
 * ({@link #invalid}, e.g. {@code maxItems: -5}), or a size above the compiler's limits ({@link #limit}, e.g.
 * {@code maxItems: 100000}). The server turns it into a 400 that names the keyword and where it is.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {

    private final String keyword;
    private final String pointer;
    private final String detail;

    public UnsupportedSchemaException(String keyword, String pointer, String detail) {
        this("unsupported JSON schema feature", keyword, pointer, detail);
    }

    private UnsupportedSchemaException(String kind, String keyword, String pointer, String detail) {
        super(kind + " '" + keyword + "' at " + (pointer.isEmpty() ? "#" : "#" + pointer) + ": " + detail);
        this.keyword = keyword;
        this.pointer = pointer;
        this.detail = detail;
    }

    /** A keyword whose value JSON Schema does not allow (a negative count, a bound that is not a number). */
    public static UnsupportedSchemaException invalid(String keyword, String pointer, String detail) {
        return new UnsupportedSchemaException("invalid JSON schema value of", keyword, pointer, detail);
    }

    /** A keyword whose value is valid but above one of the compiler's limits. */
    public static UnsupportedSchemaException limit(String keyword, String pointer, String detail) {
        return new UnsupportedSchemaException("JSON schema over a limit:", keyword, pointer, detail);
    }

    /** The explanation without the keyword/pointer prefix. */
    public String detail() {
        return detail;
    }

    /** The schema keyword that is not supported (e.g. "patternProperties"). */
    public String keyword() {
        return keyword;
    }

    /** JSON pointer (RFC 6901, without the leading '#') of the schema object holding the keyword. */
    public String pointer() {
        return pointer;
    }
}
