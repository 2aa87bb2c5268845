package jmistral.cli;

import java.io.PrintWriter;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationEvent;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SequenceRequest;

/** Generates one answer, printing its text as it comes; notes on stderr when it did not end normally. */
final class AnswerStreamer {

    private AnswerStreamer() {
    }

    static GenerationResult stream(Generator generator, SequenceRequest request, PrintWriter out, PrintWriter err) {
        GenerationResult r = generator.generate(request, e -> {
            String text = switch (e) {
                case GenerationEvent.Token t -> t.text();
                case GenerationEvent.Finished f -> f.text();
            };
            if (!text.isEmpty()) {
                out.print(text);
                out.flush();
            }
        });
        out.println();
        out.flush();
        if (r.reason() == FinishReason.ERROR) throw new IllegalStateException(r.error());
        if (r.reason() == FinishReason.LOOP) err.println("[stopped: the answer was repeating itself]");
        if (r.reason() == FinishReason.LENGTH) err.println("[stopped: max tokens or context reached]");
        err.flush();
        return r;
    }
}
