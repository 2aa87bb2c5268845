package jmistral.generate.constraint;

/**
 * A JSON schema (or tool definition) uses a feature the constraint compiler cannot enforce. Thrown instead
 * of silently ignoring the feature; the server turns it into a 400 that names the keyword and where it is.
 */
public final class UnsupportedSchemaException extends IllegalArgumentException {

    private final String keyword;
    private final String pointer;
    private final String detail;

    public UnsupportedSchemaException(String keyword, String pointer, String detail) {
        super("unsupported JSON schema feature '" + keyword + "' at " + (pointer.isEmpty() ? "#" : "#" + pointer)
                + ": " + detail);
        this.keyword = keyword;
        this.pointer = pointer;
        this.detail = detail;
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
