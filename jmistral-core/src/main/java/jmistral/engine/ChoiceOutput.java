package jmistral.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jmistral.chat.OutputParser;
import jmistral.generate.GenerationEvent;
import jmistral.generate.TextDecoder;
import jmistral.tokenizer.IntList;

/**
 * One choice's output, from generated tokens to chat events, all on the scheduler's thread where the
 * tokens are produced (no hop: events go straight to the request's sink).
 *
 * <p>As the scheduler's {@link TextDecoder}, each token goes through the chat layer's {@link OutputParser}:
 * answer text is returned to the scheduler, so stop strings match the answer only; tool-call events wait
 * until the scheduler reports the token. As the sequence's listener, for token k it sends the text the
 * stop matcher released, then the tool-call events of token k; at the end, the rest and the finish reason.
 */
final class ChoiceOutput implements TextDecoder, Consumer<GenerationEvent> {

    private final int choice;
    private final OutputParser parser;
    private final TokenText tokenText;
    private final ChatRun run;
    private final List<ChatEvent> calls = new ArrayList<>(2);   // tool-call events of the token being decoded
    private final IntList tokens = new IntList();
    private boolean parserFinished;
    private boolean sawToolCall;

    ChoiceOutput(int choice, OutputParser parser, TokenText tokenText, ChatRun run) {
        this.choice = choice;
        this.parser = parser;
        this.tokenText = tokenText;
        this.run = run;
    }

    @Override
    public String decode(int token) {
        return translate(parser.push(token));
    }

    @Override
    public String flush() {
        parserFinished = true;
        return translate(parser.finish());
    }

    /** Answer text of the parser's events; tool-call events are kept for the token's report. */
    private String translate(List<OutputParser.Event> events) {
        StringBuilder text = new StringBuilder();
        for (OutputParser.Event e : events) {
            switch (e) {
                case OutputParser.Event.Text t -> text.append(t.text());
                case OutputParser.Event.ToolCallStart s -> calls.add(new ChatEvent.ToolCallStart(choice, s.index(), s.id(), s.name()));
                case OutputParser.Event.ToolCallArguments a -> calls.add(new ChatEvent.ToolCallArguments(choice, a.index(), a.delta()));
            }
        }
        return text.toString();
    }

    @Override
    public void accept(GenerationEvent event) {
        switch (event) {
            case GenerationEvent.Token t -> {
                tokens.add(t.token());
                boolean withLogprob = !Float.isNaN(t.logprob());
                if (!t.text().isEmpty() || withLogprob) {
                    run.emit(new ChatEvent.TextDelta(choice, t.text(), withLogprob ? List.of(tokenText.logprob(t)) : List.of()));
                }
                sendCalls();
            }
            case GenerationEvent.Finished f -> {
                if (!f.text().isEmpty()) run.emit(new ChatEvent.TextDelta(choice, f.text(), List.of()));
                if (!parserFinished) translate(parser.finish());
                parserFinished = true;
                sendCalls();
                switch (f.reason()) {
                    case ERROR -> run.failed("Generation failed: " + f.error());
                    case CANCELLED -> run.choiceEnded(choice, FinishReason.CANCELLED, tokens.toArray(), f.usage());
                    default -> run.choiceEnded(choice, finishReason(f.reason()), tokens.toArray(), f.usage());
                }
            }
        }
    }

    private void sendCalls() {
        for (ChatEvent e : calls) {
            if (e instanceof ChatEvent.ToolCallStart) sawToolCall = true;
            run.emit(e);
        }
        calls.clear();
    }

    private FinishReason finishReason(jmistral.generate.FinishReason r) {
        return switch (r) {
            case STOP, TOOL_CALLS -> sawToolCall ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case LOOP -> FinishReason.LOOP;
            case CANCELLED -> FinishReason.CANCELLED;
            case ERROR -> FinishReason.ERROR;
        };
    }
}
