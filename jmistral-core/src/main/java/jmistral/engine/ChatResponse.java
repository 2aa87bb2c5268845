package jmistral.engine;

import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ToolCall;

/**
 * A whole answer: one {@link Choice} per requested choice, and the token counts. A request of a batch
 * that could not run has no choices and an {@link #error()}.
 */
public record ChatResponse(List<Choice> choices, Usage usage, String error) {

    public ChatResponse {
        choices = List.copyOf(choices);
    }

    /**
     * One answer.
     *
     * @param content   the answer's text ("" when it holds only tool calls)
     * @param toolCalls the calls it made, in order (arguments as JSON text, as the output parser reads them)
     * @param logprobs  per answer token, when asked for (else empty)
     * @param tokens    the answer's token ids (stop tokens excluded)
     */
    public record Choice(int index, String content, List<ToolCall> toolCalls, FinishReason finishReason,
                         List<TokenLogprob> logprobs, int[] tokens) {
        public Choice {
            toolCalls = List.copyOf(toolCalls);
            logprobs = List.copyOf(logprobs);
        }
    }

    /** The first choice's text. */
    public String text() { return choices.isEmpty() ? null : choices.getFirst().content(); }

    /** The first choice's tool calls. */
    public List<ToolCall> toolCalls() { return choices.isEmpty() ? List.of() : choices.getFirst().toolCalls(); }

    /** The first choice's finish reason. */
    public FinishReason finishReason() { return choices.isEmpty() ? FinishReason.ERROR : choices.getFirst().finishReason(); }

    static ChatResponse failed(String error, Usage usage) {
        return new ChatResponse(List.of(), usage, error);
    }

    /** Builds a response from a request's events, in the order they came. */
    public static final class Collector {
        private final List<Builder> choices = new ArrayList<>();
        private Usage usage;
        private String error;

        /** Takes one event; returns true after the last one (Completed or Failed). */
        public boolean accept(ChatEvent event) {
            switch (event) {
                case ChatEvent.TextDelta d -> {
                    choice(d.choice()).text.append(d.text());
                    choice(d.choice()).logprobs.addAll(d.logprobs());
                }
                case ChatEvent.ToolCallStart s -> choice(s.choice()).calls.add(new Builder.Call(s.id(), s.name()));
                case ChatEvent.ToolCallArguments a -> choice(a.choice()).calls.get(a.index()).arguments.append(a.fragment());
                case ChatEvent.ChoiceFinished f -> {
                    choice(f.choice()).reason = f.reason();
                    choice(f.choice()).tokens = f.tokens();
                }
                case ChatEvent.Completed c -> { usage = c.usage(); return true; }
                case ChatEvent.Failed f -> { error = f.message(); return true; }
            }
            return false;
        }

        /** The response (after the last event). */
        public ChatResponse response() {
            List<Choice> out = new ArrayList<>(choices.size());
            for (int i = 0; i < choices.size(); i++) out.add(choices.get(i).build(i));
            return new ChatResponse(out, usage == null ? new Usage(0, 0, 0) : usage, error);
        }

        private Builder choice(int index) {
            while (choices.size() <= index) choices.add(new Builder());
            return choices.get(index);
        }

        private static final class Builder {
            record Call(String id, String name, StringBuilder arguments) {
                Call(String id, String name) { this(id, name, new StringBuilder()); }
            }

            final StringBuilder text = new StringBuilder();
            final List<Call> calls = new ArrayList<>();
            final List<TokenLogprob> logprobs = new ArrayList<>();
            FinishReason reason = FinishReason.STOP;
            int[] tokens = new int[0];

            Choice build(int index) {
                List<ToolCall> toolCalls = calls.stream().map(c -> new ToolCall(c.id(), c.name(), c.arguments().toString().strip())).toList();
                return new Choice(index, text.toString(), toolCalls, reason, logprobs, tokens);
            }
        }
    }
}
