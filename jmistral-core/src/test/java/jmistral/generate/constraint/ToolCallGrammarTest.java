package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tool-call grammars: random walks over the full vocabulary are split at the special token ids the way
 * mistral-common's v11 parser does ([TOOL_CALLS] 9, [CALL_ID] 33, [ARGS] 32) and every call must name a
 * known tool with arguments valid for its parameters (networknt validator).
 */
class ToolCallGrammarTest {

    static final int TOOL_CALLS = 9, ARGS = 32, CALL_ID = 33;
    static final ObjectMapper JSON = new ObjectMapper();

    static final String WEATHER = """
        {"type":"object","properties":{"location":{"type":"string","maxLength":20},
         "format":{"type":"string","enum":["celsius","fahrenheit"]}},"required":["location","format"]}""";
    static final String SEARCH = """
        {"type":"object","properties":{"query":{"type":"string","maxLength":15},"limit":{"type":"integer","minimum":1,"maximum":50},
         "filters":{"type":"array","items":{"$ref":"#/$defs/f"},"maxItems":2}},"required":["query"],
         "$defs":{"f":{"type":"object","properties":{"field":{"enum":["date","author"]},"value":{"type":"string","maxLength":8}},"required":["field","value"]}}}""";

    record Call(String name, String id, String args) {}

    static List<ToolCallGrammar.Tool> tools() throws Exception {
        return List.of(new ToolCallGrammar.Tool("get_current_weather", JSON.readTree(WEATHER)),
                new ToolCallGrammar.Tool("search", JSON.readTree(SEARCH)),
                new ToolCallGrammar.Tool("ping", null));
    }

    static Map<String, Schema> validators() {
        return Map.of("get_current_weather", ConstraintTestSupport.validator(WEATHER),
                "search", ConstraintTestSupport.validator(SEARCH),
                "ping", ConstraintTestSupport.validator("{\"type\":\"object\",\"maxProperties\":0}"));
    }

    /** Splits generated ids like mistral-common's v11 token-level parser: content, then calls. */
    static List<Call> parse(List<Integer> ids, StringBuilder content) {
        List<Call> calls = new ArrayList<>();
        int i = 0;
        while (i < ids.size() && ids.get(i) != TOOL_CALLS) content.append(text(ids.subList(i, ++i)));
        while (i < ids.size()) {
            assertEquals(TOOL_CALLS, ids.get(i++));
            int start = i;
            while (ids.get(i) != ARGS && ids.get(i) != CALL_ID) i++;
            String name = text(ids.subList(start, i));
            String id = null;
            if (ids.get(i) == CALL_ID) {
                start = ++i;
                while (ids.get(i) != ARGS) i++;
                id = text(ids.subList(start, i));
            }
            start = ++i;
            while (i < ids.size() && ids.get(i) != TOOL_CALLS) i++;
            calls.add(new Call(name, id, text(ids.subList(start, i))));
        }
        return calls;
    }

    static String text(List<Integer> ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) {
            byte[] b = TekkenTestVocabulary.get().bytes(id);
            assertNotNull(b, "unexpected special token " + id);
            out.writeBytes(b);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private void walkAndCheck(ToolCallGrammar.Choice choice, boolean parallel, String onlyTool, boolean allowText)
            throws Exception {
        GrammarMatcher m = new GrammarMatcher(
                Grammar.toolCalls(tools(), choice, parallel, ToolCallGrammar.SpecialIds.TEKKEN_V11),
                TekkenTestVocabulary.trie());
        Map<String, Schema> validators = validators();
        int finished = 0, sawCalls = 0, sawMulti = 0;
        for (int seed = 0; seed < 16; seed++) {
            // auto: random walks would wander in free text forever (2 of 131k tokens leave it), so force
            // a few text tokens then either EOS (a plain answer) or [TOOL_CALLS], and walk from there
            List<Integer> prefix = !allowText ? List.of()
                    : List.of(1000 + 'O', 1000 + 'k', seed % 3 == 0 ? ConstraintTestSupport.EOS : TOOL_CALLS);
            ConstraintTestSupport.Walk w = ConstraintTestSupport.randomWalk(m, seed, 1500, prefix);
            if (w.truncated()) continue;
            finished++;
            StringBuilder content = new StringBuilder();
            List<Call> calls = parse(w.tokens(), content);
            if (!allowText) {
                assertEquals("", content.toString());
                assertFalse(calls.isEmpty(), "a call is required");
            }
            if (!parallel) assertTrue(calls.size() <= 1, calls.toString());
            if (!calls.isEmpty()) sawCalls++;
            if (calls.size() > 1) sawMulti++;
            for (Call c : calls) {
                assertTrue(validators.containsKey(c.name()), "unknown tool " + c.name());
                if (onlyTool != null) assertEquals(onlyTool, c.name());
                if (c.id() != null) assertTrue(c.id().matches("[a-zA-Z0-9]{9}"), c.id());
                JsonNode args = JSON.readTree(c.args());
                assertTrue(args.isObject(), c.args());
                assertEquals(List.of(), ConstraintTestSupport.errors(validators.get(c.name()), c.args()), c.toString());
            }
        }
        assertTrue(finished >= 8, "only " + finished + " walks finished");
        if (!allowText) assertEquals(finished, sawCalls);
        if (allowText) assertTrue(sawCalls > 0 && sawCalls < finished, "auto: both text-only and call answers");
        if (parallel && !allowText) assertTrue(sawMulti > 0, "no walk produced parallel calls");
    }

    @Test
    void requiredChoiceForcesCallsWithValidArguments() throws Exception {
        walkAndCheck(new ToolCallGrammar.Choice.Required(), false, null, false);
    }

    @Test
    void parallelCalls() throws Exception {
        walkAndCheck(new ToolCallGrammar.Choice.Required(), true, null, false);
    }

    @Test
    void namedChoiceForcesThatTool() throws Exception {
        walkAndCheck(new ToolCallGrammar.Choice.Named("search"), true, "search", false);
    }

    @Test
    void autoAllowsTextThenConstrainsCalls() throws Exception {
        walkAndCheck(new ToolCallGrammar.Choice.Auto(), true, null, true);
        GrammarMatcher m = new GrammarMatcher(Grammar.toolCalls(tools(), new ToolCallGrammar.Choice.Auto(), false,
                ToolCallGrammar.SpecialIds.TEKKEN_V11), TekkenTestVocabulary.trie());
        ConstraintState s = m.newState();
        // free text: every ordinary token, [TOOL_CALLS] and EOS, but no other special token
        java.util.BitSet allowed = s.allowedTokens();
        assertEquals(131072 - 1000 + 2, allowed.cardinality());
        assertTrue(allowed.get(TOOL_CALLS) && allowed.get(2) && !allowed.get(ARGS) && !allowed.get(1));
        for (byte b : "Let me check.".getBytes(StandardCharsets.UTF_8)) s.advance(ConstraintTestSupport.byteToken(b));
        s.advance(TOOL_CALLS);
        assertFalse(s.isAllowed(2), "after [TOOL_CALLS] a call must follow");
        for (byte b : "ping".getBytes(StandardCharsets.UTF_8)) s.advance(ConstraintTestSupport.byteToken(b));
        s.advance(CALL_ID);
        for (byte b : "abcDEF123".getBytes(StandardCharsets.UTF_8)) s.advance(ConstraintTestSupport.byteToken(b));
        s.advance(ARGS);
        s.advance(ConstraintTestSupport.byteToken('{'));
        s.advance(ConstraintTestSupport.byteToken('}'));
        assertTrue(s.isComplete(), "a single call ended: only EOS may follow");
        assertEquals(java.util.BitSet.valueOf(new long[] {1L << 2}), s.allowedTokens());
    }

    @Test
    void autoOrJsonAnswersWithCallsOrWithJsonForTheSchema() throws Exception {
        GrammarMatcher m = new GrammarMatcher(Grammar.toolCalls(tools(), new ToolCallGrammar.Choice.AutoOrJson(JSON.readTree(SEARCH)),
                false, ToolCallGrammar.SpecialIds.TEKKEN_V11), TekkenTestVocabulary.trie());
        ConstraintState start = m.newState();
        assertTrue(start.isAllowed(TOOL_CALLS) && start.isAllowed(ConstraintTestSupport.byteToken('{')));
        assertFalse(start.isAllowed(ConstraintTestSupport.byteToken('H')), "no free text");
        assertFalse(start.isAllowed(ConstraintTestSupport.EOS), "no empty answer");
        Map<String, Schema> validators = validators();
        Schema answer = ConstraintTestSupport.validator(SEARCH);
        int jsonAnswers = 0, callAnswers = 0;
        for (int seed = 0; seed < 16; seed++) {
            // the first token picks the branch (a random pick would almost always start the JSON)
            List<Integer> prefix = List.of(seed % 2 == 0 ? ConstraintTestSupport.byteToken('{') : TOOL_CALLS);
            ConstraintTestSupport.Walk w = ConstraintTestSupport.randomWalk(m, seed, 1500, prefix);
            if (w.truncated()) continue;
            StringBuilder content = new StringBuilder();
            List<Call> calls = parse(w.tokens(), content);
            if (calls.isEmpty()) {
                jsonAnswers++;
                assertEquals(List.of(), ConstraintTestSupport.errors(answer, content.toString()), content.toString());
            } else {
                callAnswers++;
                assertEquals("", content.toString(), "calls or JSON, not both");
                assertEquals(1, calls.size(), "parallel calls off");
                Call c = calls.getFirst();
                assertEquals(List.of(), ConstraintTestSupport.errors(validators.get(c.name()), c.args()), c.toString());
            }
        }
        assertTrue(jsonAnswers >= 4 && callAnswers >= 4, jsonAnswers + " JSON answers, " + callAnswers + " call answers");
    }

    @Test
    void unknownNamedToolIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Grammar.toolCalls(tools(),
                new ToolCallGrammar.Choice.Named("nope"), false, ToolCallGrammar.SpecialIds.TEKKEN_V11));
        assertTrue(e.getMessage().contains("nope"));
    }

    @Test
    void unsupportedParametersNameTheTool() throws Exception {
        UnsupportedSchemaException e = assertThrows(UnsupportedSchemaException.class, () -> Grammar.toolCalls(
                List.of(new ToolCallGrammar.Tool("t", JSON.readTree("{\"type\":\"object\",\"not\":{}}"))),
                new ToolCallGrammar.Choice.Required(), false, ToolCallGrammar.SpecialIds.TEKKEN_V11));
        assertEquals("not", e.keyword());
        assertTrue(e.getMessage().contains("tool 't'"), e.getMessage());
    }
}
