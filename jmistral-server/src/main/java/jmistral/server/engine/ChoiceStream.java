package jmistral.server.engine;

import jmistral.chat.OutputParser;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationEvent;
import jmistral.generate.TextDecoder;
import jmistral.server.ApiError;
import jmistral.server.CompletionEngine.CompletionListener;
import jmistral.server.CompletionEvent;
import jmistral.server.CompletionEvent.TextDelta;
import jmistral.server.CompletionEvent.ToolCallArguments;
import jmistral.server.CompletionEvent.ToolCallStart;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One choice's output, from generated tokens to the server's events.
 *
 * <p>It is the scheduler's {@link TextDecoder} (scheduler thread): each token goes through the chat
 * layer's {@link OutputParser}; answer text is returned to the scheduler, so stop strings match the
 * answer only, and tool-call events wait in a queue tagged with the token's number. The request's
 * reader thread then {@link #accept}s the scheduler's events in order and, for token k, sends the
 * text the stop matcher released plus the tool-call events of tokens up to k.
 *
 * <p>Finish reasons: EOS or a stop string -> "tool_calls" when the answer holds calls (but "stop" for
 * a named tool_choice, as OpenAI does), else "stop"; max_tokens or a full context -> "length"; the
 * loop guard -> "length" as well: the answer was cut off, not finished, and "length" is what tells
 * clients (and the SDKs' parse helpers) that the text is incomplete.
 */
final class ChoiceStream implements TextDecoder {

    private record Pending(long token, CompletionEvent event) {}

    private final int choice;
    private final OutputParser parser;
    private final TokenText tokenText;
    private final boolean namedToolChoice;
    private final CompletionListener listener;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private long decoded;            // tokens decoded (scheduler thread)
    private long accepted;           // token events read (reader thread)
    private boolean sawToolCall;     // reader thread
    private volatile boolean parserFinished;

    ChoiceStream(int choice, OutputParser parser, TokenText tokenText, boolean namedToolChoice, CompletionListener listener) {
        this.choice = choice;
        this.parser = parser;
        this.tokenText = tokenText;
        this.namedToolChoice = namedToolChoice;
        this.listener = listener;
    }

    // --- scheduler thread ------------------------------------------------------------------------

    @Override
    public String decode(int token) {
        decoded++;
        return translate(parser.push(token), decoded);
    }

    @Override
    public String flush() {
        parserFinished = true;
        return translate(parser.finish(), decoded);
    }

    private String translate(List<OutputParser.Event> events, long tokenNumber) {
        StringBuilder text = new StringBuilder();
        for (OutputParser.Event e : events) {
            switch (e) {
                case OutputParser.Event.Text t -> text.append(t.text());
                case OutputParser.Event.ToolCallStart s ->
                        pending.add(new Pending(tokenNumber, new ToolCallStart(choice, s.index(), s.id(), s.name())));
                case OutputParser.Event.ToolCallArguments a ->
                        pending.add(new Pending(tokenNumber, new ToolCallArguments(choice, a.index(), a.delta())));
            }
        }
        return text.toString();
    }

    // --- reader thread ---------------------------------------------------------------------------

    /** Handles the scheduler's next event; returns the usage when it was the last one, else null. */
    jmistral.generate.Usage accept(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Token t -> {
                accepted++;
                if (!t.text().isEmpty() || !Float.isNaN(t.logprob())) {
                    List<CompletionEvent.TokenLogprob> lp = Float.isNaN(t.logprob()) ? List.of() : List.of(tokenText.logprob(t));
                    if (!t.text().isEmpty() || !lp.isEmpty()) listener.onEvent(new TextDelta(choice, t.text(), lp));
                }
                drain(accepted);
                return null;
            }
            case GenerationEvent.Finished f -> {
                if (!f.text().isEmpty()) listener.onEvent(new TextDelta(choice, f.text(), List.of()));
                if (!parserFinished) translate(parser.finish(), Long.MAX_VALUE);   // scheduler is done with it
                drain(Long.MAX_VALUE);
                if (f.reason() == FinishReason.ERROR) {
                    listener.onEvent(new CompletionEvent.Failed(ApiError.internal("Generation failed: " + f.error())));
                    return f.usage();
                }
                listener.onEvent(new CompletionEvent.ChoiceFinished(choice, finishReason(f.reason())));
                return f.usage();
            }
        }
    }

    private void drain(long upTo) {
        for (Pending p; (p = pending.peek()) != null && p.token() <= upTo; ) {
            pending.poll();
            if (p.event() instanceof ToolCallStart) sawToolCall = true;
            listener.onEvent(p.event());
        }
    }

    private String finishReason(FinishReason r) {
        return switch (r) {
            case STOP, TOOL_CALLS, CANCELLED -> sawToolCall && !namedToolChoice ? "tool_calls" : "stop";
            case LENGTH, LOOP -> "length";
            case ERROR -> "error";
        };
    }
}
