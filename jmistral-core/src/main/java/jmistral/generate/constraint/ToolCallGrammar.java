package jmistral.generate.constraint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Grammar of Mistral v11 tool calls: {@code [TOOL_CALLS]name([CALL_ID]xxxxxxxxx)?[ARGS]{json}}, where
 * the special tokens are single token ids, the name is one of the tools, the optional call id is 9
 * ASCII letters/digits (v13 files never write it), and the JSON is valid for that tool's
 * {@code parameters} schema (same compiler and whitespace policy as response_format). Parallel calls are
 * consecutive blocks. Nothing may follow the last call except EOS.
 */
public final class ToolCallGrammar {

    private ToolCallGrammar() {}

    /** A tool: its name and its {@code parameters} JSON schema (null = no parameters: "{}"). */
    public record Tool(String name, JsonNode parameters) {}

    /** tool_choice. */
    public sealed interface Choice {
        /** The model must call some tool ("required" / "any"). */
        record Required() implements Choice {}

        /** The model must call this tool. */
        record Named(String name) implements Choice {}

        /** Free text (any non-special tokens) then optionally calls, decided by the model. */
        record Auto() implements Choice {}

        /** Plain text only: [TOOL_CALLS] is never allowed. */
        record None() implements Choice {}

        /**
         * Calls, or instead an answer in JSON valid for {@code schema} (null: any JSON object): tools offered
         * together with a JSON response format (OpenAI's tools beside {@code response_format}; an
         * agent that may call tools before it answers with a record). The two cannot mix: a JSON answer
         * starts with a byte, calls with [TOOL_CALLS].
         */
        record AutoOrJson(JsonNode schema) implements Choice {}
    }

    /** Special token ids the grammar uses (Tekken v11: [TOOL_CALLS] 9, [ARGS] 32, [CALL_ID] 33). */
    public record SpecialIds(int toolCalls, int args, int callId) {
        public static final SpecialIds TEKKEN_V11 = new SpecialIds(9, 32, 33);
    }

    static Grammar build(List<Tool> tools, Choice choice, boolean parallel, SpecialIds ids) {
        RuleSet rules = new RuleSet();
        int root = rules.declare();
        List<Expr> calls = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            Tool t = tools.get(i);
            if (choice instanceof Choice.Named n && !n.name().equals(t.name())) continue;
            calls.add(call(t, i, rules, ids));
        }
        if (calls.isEmpty() && !(choice instanceof Choice.None)) {
            String what = choice instanceof Choice.Named n ? "tool '" + n.name() + "' is not among the tools" : "no tools given";
            throw new IllegalArgumentException("cannot constrain tool calls: " + what);
        }
        Expr anyText = Expr.star(new Expr.ByteRange(0, 255));
        Expr body = switch (choice) {
            case Choice.None none -> anyText;
            case Choice.Auto auto -> Expr.seq(anyText, Expr.opt(callsExpr(calls, parallel)));
            case Choice.Required req -> callsExpr(calls, parallel);
            case Choice.Named named -> callsExpr(calls, parallel);
            case Choice.AutoOrJson json -> Expr.alt(json.schema() == null ? JsonGrammar.anyObject(rules)
                    : new JsonSchemaCompiler(json.schema(), rules).compileRoot(), callsExpr(calls, parallel));
        };
        rules.define(root, body);
        return new Grammar(rules.toNfa(), "tool_calls");
    }

    private static Expr callsExpr(List<Expr> calls, boolean parallel) {
        Expr one = Expr.alt(calls);
        return parallel ? Expr.plus(one) : one;
    }

    private static Expr call(Tool t, int index, RuleSet rules, SpecialIds ids) {
        if (t.name() == null || t.name().isEmpty()) throw new IllegalArgumentException("tool " + index + " has no name");
        Expr alnum = Expr.alt(new Expr.ByteRange('a', 'z'), new Expr.ByteRange('A', 'Z'), new Expr.ByteRange('0', '9'));
        Expr callId = Expr.opt(Expr.seq(new Expr.Token(ids.callId()), new Expr.Repeat(alnum, 9, 9)));
        Expr args;
        if (t.parameters() == null || t.parameters().isNull()) {
            args = Expr.literal("{}");
        } else {
            try {
                args = new JsonSchemaCompiler(t.parameters(), rules).compileRoot();
            } catch (UnsupportedSchemaException e) {
                throw new UnsupportedSchemaException(e.keyword(), e.pointer(),
                        "in the parameters of tool '" + t.name() + "': " + e.detail());
            }
        }
        return Expr.seq(new Expr.Token(ids.toolCalls()), Expr.literal(t.name()), callId, new Expr.Token(ids.args()), args);
    }
}
