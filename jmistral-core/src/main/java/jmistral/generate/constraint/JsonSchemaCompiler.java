package jmistral.generate.constraint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON schema (draft 2020-12; draft-07 tuple {@code items}/{@code additionalItems} and
 * boolean {@code exclusiveMinimum} accepted) into a grammar.
 *
 * <p>Supported: type (single, array, or inferred from keywords; none = any JSON value), properties /
 * required / additionalProperties, items / prefixItems / minItems / maxItems, enum, const, anyOf,
 * oneOf (compiled as anyOf: exclusivity is not enforced, so its branches should be disjoint), allOf with
 * one element, string minLength / maxLength / pattern / format (one of these per string schema),
 * integer and number minimum / maximum / exclusive*, local $ref ("#" and JSON pointers, e.g. #/$defs/x)
 * with recursion through the pushdown stack. Annotations (title, description, default, examples, ...)
 * and unknown keywords (which have no validation meaning) are ignored.
 *
 * <p>Deliberate choices (the output is always valid, sometimes narrower than the schema allows):
 * properties are written in schema order, required ones always, optional ones possibly skipped; when
 * {@code properties} is given and {@code additionalProperties} is absent, no other keys are written (as
 * OpenAI strict mode); numbers with bounds are written without exponent, and non-integer bounds on
 * numbers are rounded inwards to integers; integers are exact. Unsupported keywords throw
 * {@link UnsupportedSchemaException}.
 *
 * <p>Limits (a schema comes from a client, so it must not cost unbounded memory, stack or time):
 * minItems/maxItems/minLength/maxLength at most {@link #MAX_REPEAT}, at most {@link #MAX_NESTING} nested
 * schemas on one path, at most {@link #MAX_SCHEMAS} schema objects compiled (inlined $refs count each time),
 * and the automaton at most {@link NfaBuilder#MAX_NODES} nodes. Keyword values that JSON Schema does not
 * allow (a negative count, a bound that is not a number) are refused rather than read as something else.
 * A $ref may recurse when the recursion consumes input first (a tree of objects or arrays: the pushdown
 * stack bounds its depth at sampling time); a $ref that reaches itself before any input is consumed
 * ({@code {"$ref": "#"}}, two definitions naming each other) matches no finite value and is refused.
 */
final class JsonSchemaCompiler {

    private static final Set<String> UNSUPPORTED = Set.of("patternProperties", "if", "then", "else",
            "dependentSchemas", "dependentRequired", "dependencies", "multipleOf", "not", "contains", "minContains",
            "maxContains", "propertyNames", "minProperties", "maxProperties", "unevaluatedProperties",
            "unevaluatedItems", "$dynamicRef", "$recursiveRef");
    /** Keywords that do not constrain the value and may sit beside $ref / anyOf. */
    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples",
            "$schema", "$id", "$comment", "deprecated", "readOnly", "writeOnly", "$defs", "definitions", "$anchor",
            "contentMediaType", "contentEncoding", "nullable", "strict", "name");
    private static final Set<String> OBJECT_KEYS = Set.of("properties", "required", "additionalProperties");
    private static final Set<String> ARRAY_KEYS = Set.of("items", "prefixItems", "minItems", "maxItems",
            "additionalItems");
    private static final Set<String> STRING_KEYS = Set.of("minLength", "maxLength", "pattern", "format");
    private static final Set<String> NUMBER_KEYS = Set.of("minimum", "maximum", "exclusiveMinimum",
            "exclusiveMaximum");
    private static final List<String> ALL_TYPES = List.of("object", "array", "string", "number", "integer",
            "boolean", "null");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Array items repeated up to this many times are copied into the automaton; more become rule calls. */
    private static final int INLINED_REPEATS = 4;
    /** Largest minItems/maxItems/minLength/maxLength: repetitions are unrolled in the automaton. */
    static final int MAX_REPEAT = Integer.getInteger("jmistral.schema.maxRepeat", 10_000);
    /** Deepest chain of nested schemas (properties, items, anyOf branches, inlined $refs) on one path. */
    static final int MAX_NESTING = Integer.getInteger("jmistral.schema.maxNesting", 64);
    /** Most schema objects compiled for one grammar (non-recursive $refs are inlined, so they can multiply). */
    static final int MAX_SCHEMAS = Integer.getInteger("jmistral.schema.maxSchemas", 20_000);

    private final JsonNode root;
    private final RuleSet rules;
    private final Map<String, Integer> refRules = new HashMap<>();
    /** $ref targets entered at the current position with no input consumed since (left recursion if repeated). */
    private Set<String> unguardedRefs = new HashSet<>();
    private int depth;
    private int compiled;

    JsonSchemaCompiler(JsonNode root, RuleSet rules) {
        this.root = root;
        this.rules = rules;
    }

    /** The whole document's schema as a rule call (a rule so that "$ref": "#" can recurse into it). */
    Expr compileRoot() {
        return ruleFor("");
    }

    private Expr ruleFor(String pointer) {
        Integer r = refRules.get(pointer);
        if (r != null) return new Expr.Call(r);
        int rule = rules.declare();
        refRules.put(pointer, rule);
        unguardedRefs.add(pointer);
        rules.define(rule, compile(resolve(pointer, pointer), pointer, Set.of(pointer)));
        unguardedRefs.remove(pointer);
        return new Expr.Call(rule);
    }

    private Expr compile(JsonNode s, String ptr, Set<String> inlining) {
        if (++compiled > MAX_SCHEMAS) {
            throw UnsupportedSchemaException.limit("(size)", ptr, "more than " + MAX_SCHEMAS
                    + " schemas to compile (each inlined $ref counts); the limit is " + MAX_SCHEMAS);
        }
        if (depth >= MAX_NESTING) {
            throw UnsupportedSchemaException.limit("(nesting)", ptr, "schemas nested deeper than the limit of " + MAX_NESTING);
        }
        depth++;
        try {
            return compileNode(s, ptr, inlining);
        } finally {
            depth--;
        }
    }

    private Expr compileNode(JsonNode s, String ptr, Set<String> inlining) {
        if (s.isBoolean()) {
            if (s.booleanValue()) return JsonGrammar.anyValue(rules);
            throw new UnsupportedSchemaException("false", ptr, "the schema 'false' matches nothing");
        }
        if (!s.isObject()) throw new UnsupportedSchemaException("(schema)", ptr, "a schema must be an object or a boolean");
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (UNSUPPORTED.contains(k)) throw new UnsupportedSchemaException(k, ptr, "keyword '" + k + "' is not supported");
        }
        SchemaValues.check(s, ptr);
        if (s.has("uniqueItems") && s.get("uniqueItems").asBoolean()) {
            throw new UnsupportedSchemaException("uniqueItems", ptr, "uniqueItems: true is not supported");
        }
        if (s.has("$ref")) {
            requireOnly(s, ptr, "$ref", Set.of("$ref"));
            String target = refTarget(s.get("$ref").asText(), ptr);
            if (unguardedRefs.contains(target)) {
                throw new UnsupportedSchemaException("$ref", ptr, "'" + s.get("$ref").asText() + "' refers back to itself"
                        + " before any input is consumed (left recursion: no finite value matches)");
            }
            if (inlining.contains(target)) return ruleFor(target); // recursion: push instead of inlining
            Set<String> deeper = new HashSet<>(inlining);
            deeper.add(target);
            unguardedRefs.add(target);
            try {
                return compile(resolve(target, ptr), target, deeper);
            } finally {
                unguardedRefs.remove(target);
            }
        }
        for (String comb : List.of("anyOf", "oneOf")) {
            if (s.has(comb)) {
                requireOnly(s, ptr, comb, Set.of(comb));
                JsonNode arr = s.get(comb);
                if (!arr.isArray() || arr.isEmpty()) throw new UnsupportedSchemaException(comb, ptr, comb + " must be a non-empty array");
                List<Expr> alts = new ArrayList<>();
                for (int i = 0; i < arr.size(); i++) alts.add(compile(arr.get(i), ptr + "/" + comb + "/" + i, inlining));
                return Expr.alt(alts);
            }
        }
        if (s.has("allOf")) {
            requireOnly(s, ptr, "allOf", Set.of("allOf"));
            JsonNode arr = s.get("allOf");
            if (!arr.isArray() || arr.size() != 1) {
                throw new UnsupportedSchemaException("allOf", ptr, "only allOf with a single schema is supported");
            }
            return compile(arr.get(0), ptr + "/allOf/0", inlining);
        }
        Set<String> types = types(s, ptr);
        if (s.has("const")) return literal(s.get("const"));
        if (s.has("enum")) {
            List<Expr> alts = new ArrayList<>();
            for (JsonNode v : s.get("enum")) if (types == null || types.contains(typeOf(v)) || (types.contains("number") && v.isNumber())) alts.add(literal(v));
            if (alts.isEmpty()) throw new UnsupportedSchemaException("enum", ptr, "no enum value matches the type");
            return Expr.alt(alts);
        }
        if (types == null) return JsonGrammar.anyValue(rules);
        List<Expr> alts = new ArrayList<>();
        for (String t : types) {
            alts.add(switch (t) {
                case "null" -> JsonGrammar.nul();
                case "boolean" -> JsonGrammar.bool();
                case "string" -> string(s, ptr);
                case "integer" -> integer(s, ptr);
                case "number" -> number(s, ptr);
                case "object" -> object(s, ptr, inlining);
                case "array" -> array(s, ptr, inlining);
                default -> throw new UnsupportedSchemaException("type", ptr, "unknown type '" + t + "'");
            });
        }
        return Expr.alt(alts);
    }

    /** The declared types, or those implied by the keywords present; null = any value. */
    private Set<String> types(JsonNode s, String ptr) {
        JsonNode t = s.get("type");
        if (t != null) {
            Set<String> out = new LinkedHashSet<>();
            if (t.isTextual()) out.add(t.asText());
            else if (t.isArray()) t.forEach(x -> out.add(x.asText()));
            else throw new UnsupportedSchemaException("type", ptr, "type must be a string or an array");
            for (String x : out) if (!ALL_TYPES.contains(x)) throw new UnsupportedSchemaException("type", ptr, "unknown type '" + x + "'");
            return out;
        }
        Set<String> out = new LinkedHashSet<>();
        if (hasAny(s, OBJECT_KEYS)) out.add("object");
        if (hasAny(s, ARRAY_KEYS)) out.add("array");
        if (hasAny(s, STRING_KEYS)) out.add("string");
        if (hasAny(s, NUMBER_KEYS)) out.add("number");
        return out.isEmpty() ? null : out;
    }

    private static boolean hasAny(JsonNode s, Set<String> keys) {
        for (String k : keys) if (s.has(k)) return true;
        return false;
    }

    private static String typeOf(JsonNode v) {
        if (v.isNull()) return "null";
        if (v.isBoolean()) return "boolean";
        if (v.isTextual()) return "string";
        if (v.isIntegralNumber()) return "integer";
        if (v.isNumber()) return "number";
        if (v.isArray()) return "array";
        return "object";
    }

    /** With $ref / anyOf / oneOf / allOf, other constraining keywords would need an intersection: rejected. */
    private static void requireOnly(JsonNode s, String ptr, String keyword, Set<String> allowed) {
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k) && !ANNOTATIONS.contains(k) && isValidationKeyword(k)) {
                throw new UnsupportedSchemaException(keyword, ptr, "'" + keyword + "' combined with sibling keyword '"
                        + k + "' is not supported (move it into each branch)");
            }
        }
    }

    private static boolean isValidationKeyword(String k) {
        return k.equals("type") || k.equals("enum") || k.equals("const") || k.equals("anyOf") || k.equals("oneOf")
                || k.equals("allOf") || k.equals("$ref") || OBJECT_KEYS.contains(k) || ARRAY_KEYS.contains(k)
                || STRING_KEYS.contains(k) || NUMBER_KEYS.contains(k);
    }

    private static Expr literal(JsonNode v) {
        try {
            return Expr.literal(JSON.writeValueAsString(v));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- strings ------------------------------------------------------------------------------

    private Expr string(JsonNode s, String ptr) {
        List<String> used = new ArrayList<>();
        if (s.has("pattern")) used.add("pattern");
        if (s.has("format")) used.add("format");
        if (s.has("minLength") || s.has("maxLength")) used.add(s.has("minLength") ? "minLength" : "maxLength");
        if (used.size() > 1) {
            throw new UnsupportedSchemaException(used.get(1), ptr, "combining " + String.join(" and ", used)
                    + " on one string is not supported");
        }
        if (s.has("pattern")) return JsonGrammar.quoted(RegexSubset.compile(s.get("pattern").asText(), ptr));
        if (s.has("format")) return JsonGrammar.quoted(StringFormats.body(s.get("format").asText(), ptr));
        int min = s.has("minLength") ? s.get("minLength").asInt() : 0;
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        if (max >= 0 && max < min) throw new UnsupportedSchemaException("maxLength", ptr, "maxLength < minLength");
        return JsonGrammar.string(min, max);
    }

    // ---- numbers ------------------------------------------------------------------------------

    /** Smallest allowed integer (ceil, +1 when exclusive and integral) or NO_MIN. */
    private static long lowerInt(JsonNode s, String ptr) {
        double b = Double.NEGATIVE_INFINITY;
        boolean exclusive = false;
        if (s.has("minimum")) b = s.get("minimum").asDouble();
        JsonNode ex = s.get("exclusiveMinimum");
        if (ex != null && ex.isBoolean()) exclusive = ex.booleanValue(); // draft 4
        else if (ex != null && ex.isNumber() && ex.asDouble() >= b) {
            b = ex.asDouble();
            exclusive = true;
        }
        if (b == Double.NEGATIVE_INFINITY) return IntegerRanges.NO_MIN;
        checkMagnitude(b, ptr, "minimum");
        double c = Math.ceil(b);
        return (long) c + (exclusive && c == b ? 1 : 0);
    }

    private static long upperInt(JsonNode s, String ptr) {
        double b = Double.POSITIVE_INFINITY;
        boolean exclusive = false;
        if (s.has("maximum")) b = s.get("maximum").asDouble();
        JsonNode ex = s.get("exclusiveMaximum");
        if (ex != null && ex.isBoolean()) exclusive = ex.booleanValue();
        else if (ex != null && ex.isNumber() && ex.asDouble() <= b) {
            b = ex.asDouble();
            exclusive = true;
        }
        if (b == Double.POSITIVE_INFINITY) return IntegerRanges.NO_MAX;
        checkMagnitude(b, ptr, "maximum");
        double f = Math.floor(b);
        return (long) f - (exclusive && f == b ? 1 : 0);
    }

    private static void checkMagnitude(double b, String ptr, String kw) {
        if (Math.abs(b) > 1e18) throw new UnsupportedSchemaException(kw, ptr, "bounds beyond +-1e18 are not supported");
    }

    private Expr integer(JsonNode s, String ptr) {
        Expr e = IntegerRanges.range(lowerInt(s, ptr), upperInt(s, ptr));
        if (e == null) throw new UnsupportedSchemaException("minimum", ptr, "no integer lies within the bounds");
        return e;
    }

    /**
     * Bounded numbers: integer-valued forms (with an optional ".0...") inside the integer bounds, plus
     * forms with a non-zero fraction I.f whose whole open interval (I, I+1) (or (-I-1, -I)) lies inside
     * the bounds, which for integer bounds is exact.
     */
    private Expr number(JsonNode s, String ptr) {
        if (!hasAny(s, NUMBER_KEYS)) return JsonGrammar.number();
        long loI = lowerInt(s, ptr), hiI = upperInt(s, ptr);
        // integer (inclusive) bounds of the region, for the open unit intervals: ceil(min) / floor(max)
        long lo = s.has("minimum") || s.has("exclusiveMinimum") ? ceilBound(s, true) : IntegerRanges.NO_MIN;
        long hi = s.has("maximum") || s.has("exclusiveMaximum") ? ceilBound(s, false) : IntegerRanges.NO_MAX;
        Expr fracNonZero = Expr.seq(Expr.literal("."), Expr.star(JsonGrammar.digit()), new Expr.ByteRange('1', '9'),
                Expr.star(JsonGrammar.digit()));
        List<Expr> alts = new ArrayList<>();
        Expr ints = IntegerRanges.range(loI, hiI);
        if (ints != null) alts.add(Expr.seq(ints, Expr.opt(Expr.seq(Expr.literal("."), Expr.plus(Expr.literal("0"))))));
        long posLo = lo == IntegerRanges.NO_MIN ? 0 : Math.max(lo, 0);
        long posHi = hi == IntegerRanges.NO_MAX ? IntegerRanges.NO_MAX : hi - 1;
        if (posHi == IntegerRanges.NO_MAX || posHi >= posLo) {
            Expr m = IntegerRanges.range(posLo, posHi);
            if (m != null) alts.add(Expr.seq(m, fracNonZero));
        }
        long negLo = hi == IntegerRanges.NO_MAX ? 0 : Math.max(-hi, 0);
        long negHi = lo == IntegerRanges.NO_MIN ? IntegerRanges.NO_MAX : -lo - 1;
        if (negHi == IntegerRanges.NO_MAX || negHi >= negLo) {
            Expr m = IntegerRanges.range(negLo, negHi);
            if (m != null) alts.add(Expr.seq(Expr.literal("-"), m, fracNonZero));
        }
        if (alts.isEmpty()) throw new UnsupportedSchemaException("minimum", ptr, "no number lies within the bounds");
        return Expr.alt(alts);
    }

    /** The tightest integer region bound: ceil of the lower bound / floor of the upper (exclusivity irrelevant). */
    private static long ceilBound(JsonNode s, boolean lower) {
        double b = lower ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (String k : lower ? List.of("minimum", "exclusiveMinimum") : List.of("maximum", "exclusiveMaximum")) {
            JsonNode v = s.get(k);
            if (v != null && v.isNumber()) b = lower ? Math.max(b, v.asDouble()) : Math.min(b, v.asDouble());
        }
        return lower ? (long) Math.ceil(b) : (long) Math.floor(b);
    }

    // ---- objects ------------------------------------------------------------------------------

    /** Compiles the parts of an object or array: they follow its '{' or '[', so earlier $refs are guarded. */
    private <T> T afterOpeningBracket(java.util.function.Supplier<T> body) {
        Set<String> saved = unguardedRefs;
        unguardedRefs = new HashSet<>();
        try {
            return body.get();
        } finally {
            unguardedRefs = saved;
        }
    }

    private Expr object(JsonNode s, String ptr, Set<String> inlining) {
        return afterOpeningBracket(() -> objectBody(s, ptr, inlining));
    }

    private Expr objectBody(JsonNode s, String ptr, Set<String> inlining) {
        Map<String, JsonNode> props = new LinkedHashMap<>();
        JsonNode p = s.get("properties");
        if (p != null) p.properties().forEach(e -> props.put(e.getKey(), e.getValue()));
        Set<String> required = new LinkedHashSet<>();
        if (s.has("required")) s.get("required").forEach(r -> required.add(r.asText()));
        JsonNode addl = s.get("additionalProperties");
        // absent additionalProperties: free keys only when no properties are listed (see class comment)
        boolean extraAllowed = addl == null ? props.isEmpty() : !(addl.isBoolean() && !addl.booleanValue());
        for (String r : required) {
            if (!props.containsKey(r)) {
                if (!extraAllowed) {
                    throw new UnsupportedSchemaException("required", ptr, "property '" + r
                            + "' is required but not in properties and additionalProperties is false");
                }
                props.put(r, addl == null ? JsonNodeTrue.TRUE : addl);
            }
        }
        List<Expr> members = new ArrayList<>();
        List<Boolean> req = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : props.entrySet()) {
            String name = e.getKey();
            JsonNode sub = e.getValue();
            if (sub.isBoolean() && !sub.booleanValue()) {
                if (required.contains(name)) {
                    throw new UnsupportedSchemaException("required", ptr, "property '" + name + "' is required but its schema is false");
                }
                continue;
            }
            String subPtr = ptr + "/properties/" + escape(name);
            Expr value = compile(sub, subPtr, inlining);
            members.add(Expr.seq(Expr.literal(JsonStringChars.quote(name)), JsonGrammar.colon(), value));
            req.add(required.contains(name));
        }
        Expr extra = null;
        if (extraAllowed) {
            Expr value = addl == null || addl.isBoolean() ? JsonGrammar.anyValue(rules)
                    : compile(addl, ptr + "/additionalProperties", inlining);
            extra = Expr.seq(Expr.literal("\""), KeyExclusion.bodyNotIn(props.keySet()), JsonGrammar.colon(), value);
        }
        boolean[] r = new boolean[req.size()];
        for (int i = 0; i < r.length; i++) r[i] = req.get(i);
        return Expr.seq(Expr.literal("{"), new Expr.Members(members, r, JsonGrammar.comma(), extra), Expr.literal("}"));
    }

    /** Stand-in schema {@code true}. */
    private static final class JsonNodeTrue {
        static final JsonNode TRUE = com.fasterxml.jackson.databind.node.BooleanNode.TRUE;
    }

    // ---- arrays -------------------------------------------------------------------------------

    private Expr array(JsonNode s, String ptr, Set<String> inlining) {
        return afterOpeningBracket(() -> arrayBody(s, ptr, inlining));
    }

    private Expr arrayBody(JsonNode s, String ptr, Set<String> inlining) {
        List<Expr> prefix = new ArrayList<>();
        JsonNode prefixNode = s.get("prefixItems");
        String prefixKw = "prefixItems";
        JsonNode items = s.get("items");
        String itemsKw = "items";
        if (items != null && items.isArray()) { // draft-07 tuple form
            prefixNode = items;
            prefixKw = "items";
            items = s.get("additionalItems");
            itemsKw = "additionalItems";
        }
        if (prefixNode != null) {
            if (prefixNode.size() > MAX_REPEAT) {
                throw UnsupportedSchemaException.limit(prefixKw, ptr, prefixNode.size() + " tuple items are above the limit of " + MAX_REPEAT);
            }
            for (int i = 0; i < prefixNode.size(); i++) prefix.add(compile(prefixNode.get(i), ptr + "/" + prefixKw + "/" + i, inlining));
        }
        boolean noMore = items != null && items.isBoolean() && !items.booleanValue();
        Expr item = noMore ? null : items == null ? JsonGrammar.anyValue(rules) : compile(items, ptr + "/" + itemsKw, inlining);
        int k = prefix.size();
        int min = s.has("minItems") ? s.get("minItems").asInt() : 0;
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : -1;
        if (noMore) max = max < 0 ? k : Math.min(max, k);
        if (max >= 0 && max < min) throw new UnsupportedSchemaException("minItems", ptr, "no array length satisfies minItems/maxItems/items");
        int slots = max >= 0 ? max : Math.max(k, min);
        int fixed = Math.min(k, slots);                       // tuple slots, each its own schema
        Expr rest = repeatedItems(item, fixed, Math.max(0, min - fixed), slots - fixed, max < 0);
        // tuple slots j < fixed as nested optionals: e_j (sep e_{j+1} (... rest)?)?, mandatory below minItems
        Expr r = rest;
        for (int j = fixed - 1; j >= 0; j--) {
            Expr slot = j == 0 ? prefix.get(0) : Expr.seq(JsonGrammar.comma(), prefix.get(j));
            r = Expr.seq(slot, r);
            if (j >= min) r = Expr.opt(r);
        }
        return Expr.seq(Expr.literal("["), r, Expr.literal("]"));
    }

    /**
     * The items after {@code before} tuple slots: {@code mandatory} then up to {@code slots - mandatory} more
     * (or any number more when unbounded), as counted repetitions (an automaton loop, not a nested
     * expression per slot, so maxItems costs no stack).
     */
    private Expr repeatedItems(Expr item, int before, int mandatory, int slots, boolean unbounded) {
        if (item == null || (slots == 0 && !unbounded)) return Expr.EMPTY;
        if (slots > INLINED_REPEATS) {
            // many copies: each one a call of the item's rule (one node), not a copy of its automaton
            int rule = rules.declare();
            rules.define(rule, item);
            item = new Expr.Call(rule);
        }
        Expr sepItem = Expr.seq(JsonGrammar.comma(), item);
        int optional = slots - mandatory;
        if (before > 0) {
            return Expr.seq(new Expr.Repeat(sepItem, mandatory, mandatory),
                    unbounded ? Expr.star(sepItem) : new Expr.Repeat(sepItem, 0, optional));
        }
        // the first item has no separator before it
        if (mandatory > 0) {
            return Expr.seq(item, new Expr.Repeat(sepItem, mandatory - 1, mandatory - 1),
                    unbounded ? Expr.star(sepItem) : new Expr.Repeat(sepItem, 0, optional));
        }
        return Expr.opt(Expr.seq(item, unbounded ? Expr.star(sepItem) : new Expr.Repeat(sepItem, 0, slots - 1)));
    }

    // ---- $ref ---------------------------------------------------------------------------------

    private static String refTarget(String ref, String ptr) {
        if (ref.equals("#")) return "";
        if (ref.startsWith("#/")) return java.net.URLDecoder.decode(ref.substring(1), java.nio.charset.StandardCharsets.UTF_8);
        throw new UnsupportedSchemaException("$ref", ptr, "only local references (#, #/...) are supported, not '" + ref + "'");
    }

    private JsonNode resolve(String pointer, String from) {
        JsonNode n = pointer.isEmpty() ? root : root.at(pointer);
        if (n == null || n.isMissingNode()) {
            throw new UnsupportedSchemaException("$ref", from, "reference #" + pointer + " does not resolve");
        }
        return n;
    }

    static String escape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
