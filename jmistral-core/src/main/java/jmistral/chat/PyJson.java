package jmistral.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * Python's {@code json.loads} / {@code json.dumps(obj, ensure_ascii=False)} as mistral-common uses them:
 * separators {@code ", "} and {@code ": "}, key order kept, floats in Python {@code repr} form
 * ({@code 1.0}, {@code 1e-05}, {@code 1e+16}), NaN/Infinity allowed, non-ASCII kept as is.
 */
public final class PyJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private PyJson() {}

    /** {@code json.loads(text)}, or empty when it is not valid JSON. */
    public static Optional<JsonNode> loads(String text) {
        try {
            JsonNode n = MAPPER.readTree(text);
            return n == null || n.isMissingNode() ? Optional.empty() : Optional.of(n);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    /** mistral-common's {@code _normalize_json_content}: "{}" for empty, re-dumped JSON, else the text unchanged. */
    public static String normalize(String text) {
        if (text == null || text.isEmpty()) return "{}";
        return loads(text).map(PyJson::dumps).orElse(text);
    }

    public static String dumps(JsonNode node) {
        StringBuilder sb = new StringBuilder();
        write(node, sb);
        return sb.toString();
    }

    /** A JSON string literal as Python writes it. */
    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2);
        writeString(s, sb);
        return sb.toString();
    }

    static ObjectMapper mapper() { return MAPPER; }

    private static void write(JsonNode n, StringBuilder sb) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                sb.append('{');
                boolean first = true;
                for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    if (!first) sb.append(", ");
                    first = false;
                    writeString(e.getKey(), sb);
                    sb.append(": ");
                    write(e.getValue(), sb);
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) sb.append(", ");
                    write(n.get(i), sb);
                }
                sb.append(']');
            }
            case STRING -> writeString(n.textValue(), sb);
            case BOOLEAN -> sb.append(n.booleanValue() ? "true" : "false");
            case NULL -> sb.append("null");
            case NUMBER -> {
                if (n.isIntegralNumber()) sb.append(n.bigIntegerValue());
                else sb.append(floatRepr(n.doubleValue()));
            }
            default -> throw new IllegalArgumentException("cannot serialize JSON node of type " + n.getNodeType());
        }
    }

    private static void writeString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** Python {@code repr(float)}: shortest round-trip digits; scientific below 1e-4 or from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) return "NaN";
        if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
        String sign = d < 0 ? "-" : "";
        BigDecimal v = shortest(Math.abs(d));
        String digits = v.unscaledValue().toString();
        int decpt = digits.length() - v.scale();          // value = 0.digits * 10^decpt
        if (decpt > 16 || decpt < -3) {
            String mant = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exp = decpt - 1;
            return sign + mant + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
        }
        if (decpt <= 0) return sign + "0." + "0".repeat(-decpt) + digits;
        if (decpt >= digits.length()) return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
        return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
    }

    /**
     * Shortest decimal that rounds to d. Java's Double.toString is shortest too, except that it never
     * prints a single digit (4.9E-324 where Python prints 5e-324), so one-digit candidates are tried.
     */
    private static BigDecimal shortest(double d) {
        BigDecimal v = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        if (v.precision() == 2) {
            BigDecimal exact = new BigDecimal(d);
            BigDecimal best = null;
            for (java.math.RoundingMode mode : new java.math.RoundingMode[] {java.math.RoundingMode.FLOOR, java.math.RoundingMode.CEILING}) {
                BigDecimal c = v.round(new java.math.MathContext(1, mode));
                if (Double.parseDouble(c.toString()) == d
                        && (best == null || c.subtract(exact).abs().compareTo(best.subtract(exact).abs()) < 0)) best = c;
            }
            if (best != null) v = best.stripTrailingZeros();
        }
        return v;
    }
}
