package jmistral.cli;

import java.util.concurrent.Callable;
import jmistral.generate.Generator;
import jmistral.generate.SequenceRequest;
import jmistral.tokenizer.Tekken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jmistral run -m MODEL "prompt"}: one answer, streamed to stdout. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Answer one prompt, streaming the text.")
final class RunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;

    @Parameters(index = "0", paramLabel = "PROMPT", description = "the user message")
    String prompt;

    @Option(names = "--system", paramLabel = "TEXT", description = "system prompt")
    String system;

    @Override
    public Integer call() {
        try (ModelSession session = ModelSession.open(model);
             Generator generator = new Generator(session.loaded.model(), model.ctx, model.kvType)) {
            Tekken t = session.tokenizer();
            int[] start = ChatTokens.start(t, system), user = ChatTokens.user(t, prompt);
            int[] tokens = java.util.Arrays.copyOf(start, start.length + user.length);
            System.arraycopy(user, 0, tokens, start.length, user.length);
            SequenceRequest request = new SequenceRequest(tokens, null, sampling.params().withStopTokenIds(t.eos()),
                    null, new TekkenTextDecoder(t), null);
            AnswerStreamer.stream(generator, request, spec.commandLine().getOut(), spec.commandLine().getErr());
            return 0;
        }
    }
}
