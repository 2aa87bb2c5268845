package jmistral.chat;

import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.StreamingDecoder;
import jmistral.tokenizer.Tekken;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Turns generated token ids into answer text and tool calls, incrementally. The v11 model writes
 * optional text, then {@code [TOOL_CALLS]name[ARGS]{json}} once per call (optionally with
 * {@code [CALL_ID]id} before [ARGS]), then {@code </s>}. Feed ids with {@link #push} and read the
 * {@link Event}s (text deltas, call starts, argument deltas); call {@link #finish} at the end and read
 * {@link #result}. Without [ARGS], a name like {@code get_weather{"city": "Paris"}} is split at the first
 * '{' (vLLM's fallback). Calls without an id get a random 9-alphanumeric one, and so does a call whose
 * model-written id is not 9 letters and digits or repeats an earlier call's id in the same answer: the
 * answer goes back into the next request, whose validation would refuse such ids. One parser per sequence.
 */
public final class OutputParser {

    /** Something the caller can stream out. */
    public sealed interface Event {
        record Text(String text) implements Event {}
        record ToolCallStart(int index, String id, String name) implements Event {}
        record ToolCallArguments(int index, String delta) implements Event {}
    }

    /** The parsed answer: text content ("" when none) and the calls in order. */
    public record Result(String content, List<ToolCall> toolCalls) {}

    private enum State { CONTENT, NAME, CALL_ID, ARGS, DONE }

    private final Tekken tekken;
    private final Supplier<String> idGenerator;
    private final int toolCallsId, argsId, callIdId, eosId;
    private final StringBuilder content = new StringBuilder();
    private final List<ToolCall> calls = new ArrayList<>();
    private StreamingDecoder decoder;
    private State state = State.CONTENT;
    private StringBuilder name, id, args;
    private boolean started;

    public OutputParser(Tekken tekken) { this(tekken, OutputParser::randomId); }

    public OutputParser(Tekken tekken, Supplier<String> idGenerator) {
        this.tekken = tekken;
        this.idGenerator = idGenerator;
        this.toolCallsId = tekken.specialId(SpecialTokens.TOOL_CALLS);
        this.argsId = tekken.specialId(SpecialTokens.ARGS);
        this.callIdId = tekken.specialId(SpecialTokens.CALL_ID);
        this.eosId = tekken.eos();
        this.decoder = tekken.newStreamingDecoder();
    }

    /** Parses a finished answer. */
    public static Result parse(Tekken tekken, int[] ids) {
        OutputParser p = new OutputParser(tekken);
        for (int id : ids) p.push(id);
        p.finish();
        return p.result();
    }

    /** Feeds one generated id; returns what it produced (often nothing). */
    public List<Event> push(int token) {
        List<Event> events = new ArrayList<>(2);
        if (state == State.DONE) return events;
        if (!tekken.isSpecial(token)) {
            String text = decoder.push(token);
            if (!text.isEmpty()) append(text, events);
            return events;
        }
        if (token == toolCallsId) {
            closeCall(events);
            name = new StringBuilder();
            id = new StringBuilder();
            args = new StringBuilder();
            started = false;
            state = State.NAME;
        } else if (token == callIdId && state == State.NAME) {
            flushDecoder(events);
            state = State.CALL_ID;
        } else if (token == argsId && (state == State.NAME || state == State.CALL_ID)) {
            flushDecoder(events);
            startCall(events);
            state = State.ARGS;
        } else if (token == eosId) {
            closeCall(events);
            state = State.DONE;
        }   // other control tokens carry no text
        return events;
    }

    /** Ends the stream (no more ids): flushes held-back bytes and closes an open call. */
    public List<Event> finish() {
        List<Event> events = new ArrayList<>(2);
        if (state != State.DONE) closeCall(events);
        state = State.DONE;
        return events;
    }

    /** Content and completed calls so far (all of them after {@link #finish}). */
    public Result result() { return new Result(content.toString(), List.copyOf(calls)); }

    private void append(String text, List<Event> events) {
        switch (state) {
            case CONTENT -> { content.append(text); events.add(new Event.Text(text)); }
            case NAME -> name.append(text);
            case CALL_ID -> id.append(text);
            case ARGS -> { args.append(text); events.add(new Event.ToolCallArguments(calls.size(), text)); }
            case DONE -> { }
        }
    }

    private void flushDecoder(List<Event> events) {
        String rest = decoder.flush();
        if (!rest.isEmpty()) append(rest, events);
    }

    private void startCall(List<Event> events) {
        String callId = id.toString().strip();
        if (!usableId(callId)) {
            do callId = idGenerator.get(); while (!usableId(callId));
            id.setLength(0);
            id.append(callId);
        }
        events.add(new Event.ToolCallStart(calls.size(), callId, name.toString().strip()));
        started = true;
    }

    /** 9 letters and digits (what request validation accepts) and not the id of an earlier call of this answer. */
    private boolean usableId(String callId) {
        if (!VALID_ID.matcher(callId).matches()) return false;
        for (ToolCall c : calls) if (c.id().equals(callId)) return false;
        return true;
    }

    private static final java.util.regex.Pattern VALID_ID = java.util.regex.Pattern.compile("[a-zA-Z0-9]{9}");

    private void closeCall(List<Event> events) {
        flushDecoder(events);
        if (state != State.NAME && state != State.CALL_ID && state != State.ARGS) return;
        if (!started) {                                   // no [ARGS]: "name{json}" fallback
            int brace = name.indexOf("{");
            String rest = brace < 0 ? "" : name.substring(brace);
            if (brace >= 0) name.setLength(brace);
            startCall(events);
            if (!rest.isEmpty()) {
                args.append(rest);
                events.add(new Event.ToolCallArguments(calls.size(), rest));
            }
        }
        calls.add(new ToolCall(id.toString().strip(), name.toString().strip(), args.toString().strip()));
        state = State.CONTENT;
    }

    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** A random id of 9 letters and digits, as mistral-common/vLLM generate for calls. */
    public static String randomId() {
        return id(ThreadLocalRandom.current()::nextInt);
    }

    /** Call ids drawn from {@code seed}: a request run again with the same seed names its calls the same. */
    public static Supplier<String> seededIds(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        return () -> id(random::nextInt);
    }

    private static String id(java.util.function.IntUnaryOperator nextBelow) {
        StringBuilder sb = new StringBuilder(9);
        for (int i = 0; i < 9; i++) sb.append(ID_ALPHABET.charAt(nextBelow.applyAsInt(ID_ALPHABET.length())));
        return sb.toString();
    }
}
