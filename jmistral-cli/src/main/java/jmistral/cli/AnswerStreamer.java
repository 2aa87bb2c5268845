package jmistral.cli;

import java.io.PrintWriter;
import java.util.List;
import jmistral.chat.OutputParser;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationEvent;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SequenceRequest;

/**
 * Generates one answer and prints it as it comes, through the v11 {@link OutputParser}: text as is, each
 * tool call on its own line as {@code [tool call] NAME {arguments}}; notes on stderr when the answer did
 * not end normally.
 */
final class AnswerStreamer {

    /** What was generated (ids, finish reason) and what it means (text, tool calls). */
    record Answer(GenerationResult result, OutputParser.Result parsed) {
    }

    private final PrintWriter out;
    private boolean midLine;          // something printed since the last line break

    private AnswerStreamer(PrintWriter out) {
        this.out = out;
    }

    static Answer stream(Generator generator, SequenceRequest request, OutputParser parser, PrintWriter out, PrintWriter err) {
        AnswerStreamer printer = new AnswerStreamer(out);
        GenerationResult r = generator.generate(request, e -> printer.print(switch (e) {
            case GenerationEvent.Token t -> parser.push(t.token());
            case GenerationEvent.Finished f -> parser.finish();
        }));
        out.println();
        out.flush();
        if (r.reason() == FinishReason.ERROR) throw new IllegalStateException(r.error());
        if (r.reason() == FinishReason.LOOP) err.println("[stopped: the answer was repeating itself]");
        if (r.reason() == FinishReason.LENGTH) err.println("[stopped: max tokens or context reached]");
        err.flush();
        return new Answer(r, parser.result());
    }

    private void print(List<OutputParser.Event> events) {
        for (OutputParser.Event e : events) {
            String text = switch (e) {
                case OutputParser.Event.Text t -> t.text();
                case OutputParser.Event.ToolCallStart s -> (midLine ? System.lineSeparator() : "") + "[tool call] " + s.name() + " ";
                case OutputParser.Event.ToolCallArguments a -> a.delta();
            };
            if (text.isEmpty()) continue;
            out.print(text);
            midLine = !text.endsWith("\n");
        }
        out.flush();
    }
}
