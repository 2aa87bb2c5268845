package jmistral.generate.constraint;

import java.util.Map;

/**
 * String {@code format}s as anchored patterns. Each accepts a subset of what the format allows (never
 * more), chosen so every accepted value is valid for strict validators: dates avoid Feb 29 and use years
 * 1000-9999; times and date-times need an offset (RFC 3339 full-time), no leap second; e-mail addresses
 * are plain dot-atoms on a common top-level domain; UUIDs are 8-4-4-4-12 hex.
 */
final class StringFormats {

    private StringFormats() {}

    private static final String DATE = "[1-9][0-9]{3}-(?:02-(?:0[1-9]|1[0-9]|2[0-8])"
            + "|(?:0[13-9]|1[0-2])-(?:0[1-9]|[12][0-9]|30)|(?:0[13578]|1[02])-31)";
    private static final String TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?"
            + "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";

    static final Map<String, String> PATTERNS = Map.of(
            "date", "^" + DATE + "$",
            "time", "^" + TIME + "$",
            "date-time", "^" + DATE + "T" + TIME + "$",
            "email", "^[A-Za-z0-9_+-]{1,20}(?:\\.[A-Za-z0-9_+-]{1,20}){0,2}@"
                    + "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?\\.){1,3}(?:com|org|net|io|dev|fr|de|uk)$",
            "uuid", "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");

    private static final java.util.concurrent.ConcurrentHashMap<String, Expr> CACHE = new java.util.concurrent.ConcurrentHashMap<>();

    /** Grammar of the string body for a format; UnsupportedSchemaException for other formats. */
    static Expr body(String format, String pointer) {
        String p = PATTERNS.get(format);
        if (p == null) {
            throw new UnsupportedSchemaException("format", pointer, "format '" + format
                    + "' is not supported (supported: " + String.join(", ", new java.util.TreeSet<>(PATTERNS.keySet()))
                    + ")");
        }
        return CACHE.computeIfAbsent(format, f -> RegexSubset.compile(p, pointer)); // Exprs are immutable
    }
}
