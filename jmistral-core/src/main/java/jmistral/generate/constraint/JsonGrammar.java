package jmistral.generate.constraint;

import java.util.List;

/** Grammar pieces shared by all JSON output: separators, scalars, free strings, and "any JSON value". */
final class JsonGrammar {

    private JsonGrammar() {}

    /** ',' then an optional single space (see the whitespace policy on {@link Grammar}). */
    static Expr comma() {
        return Expr.seq(Expr.literal(","), Expr.opt(Expr.literal(" ")));
    }

    /** ':' then an optional single space. */
    static Expr colon() {
        return Expr.seq(Expr.literal(":"), Expr.opt(Expr.literal(" ")));
    }

    static Expr digit() {
        return new Expr.ByteRange('0', '9');
    }

    static Expr digits() {
        return Expr.plus(digit());
    }

    /** -?(0|[1-9][0-9]*) */
    static Expr integer() {
        return Expr.seq(Expr.opt(Expr.literal("-")),
                Expr.alt(Expr.literal("0"), Expr.seq(new Expr.ByteRange('1', '9'), Expr.star(digit()))));
    }

    /**
     * RFC 8259 number, with the exponent limited to two digits: e.g. 1e99999 is valid JSON but overflows
     * every double and several parsers (the validator used in tests among them) reject it.
     */
    static Expr number() {
        Expr frac = Expr.opt(Expr.seq(Expr.literal("."), digits()));
        Expr exp = Expr.opt(Expr.seq(Expr.alt(Expr.literal("e"), Expr.literal("E")),
                Expr.opt(Expr.alt(Expr.literal("+"), Expr.literal("-"))), new Expr.Repeat(digit(), 1, 2)));
        return Expr.seq(integer(), frac, exp);
    }

    static Expr quoted(Expr body) {
        return Expr.seq(Expr.literal("\""), body, Expr.literal("\""));
    }

    /** A JSON string whose character count is in [min, max] (max -1 = unbounded). */
    static Expr string(int min, int max) {
        return quoted(new Expr.Repeat(JsonStringChars.any(), min, max));
    }

    static Expr bool() {
        return Expr.alt(Expr.literal("true"), Expr.literal("false"));
    }

    static Expr nul() {
        return Expr.literal("null");
    }

    /** A call of the shared recursive "any JSON value" rule. */
    static Expr anyValue(RuleSet rules) {
        return new Expr.Call(rules.named("any-value", self -> {
            Expr value = new Expr.Call(self);
            Expr member = Expr.seq(string(0, -1), colon(), value);
            Expr object = Expr.seq(Expr.literal("{"),
                    Expr.opt(Expr.seq(member, Expr.star(Expr.seq(comma(), member)))), Expr.literal("}"));
            Expr array = Expr.seq(Expr.literal("["),
                    Expr.opt(Expr.seq(value, Expr.star(Expr.seq(comma(), value)))), Expr.literal("]"));
            return new Expr.Alt(List.of(object, array, string(0, -1), number(), bool(), nul()));
        }));
    }

    /** Any JSON object (json_object mode; also {"type":"object"} without properties). */
    static Expr anyObject(RuleSet rules) {
        Expr member = Expr.seq(string(0, -1), colon(), anyValue(rules));
        return Expr.seq(Expr.literal("{"), Expr.opt(Expr.seq(member, Expr.star(Expr.seq(comma(), member)))),
                Expr.literal("}"));
    }
}
