package jmistral.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import jmistral.generate.GenerationResult;
import jmistral.generate.Generator;
import jmistral.generate.SequenceRequest;
import jmistral.tokenizer.IntList;
import jmistral.tokenizer.Tekken;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral chat -m MODEL}: a conversation on the terminal (or piped stdin), one line per user
 * message; /system TEXT, /clear, /exit. The conversation is kept as the exact tokens the model saw, so
 * each turn only computes the new message (prefix cache).
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with the model: type a message per line.",
                "/system TEXT sets the system prompt (and starts over), /clear starts over, /exit quits."})
final class ChatCommand implements Callable<Integer> {

    /** Where input comes from (tests replace it). */
    static volatile Supplier<InputStream> input = () -> System.in;

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;

    @Option(names = "--system", paramLabel = "TEXT", description = "initial system prompt")
    String system;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        boolean interactive = System.console() != null;
        try (ModelSession session = ModelSession.open(model);
             Generator generator = new Generator(session.loaded.model(), model.ctx, model.kvType)) {
            Tekken t = session.tokenizer();
            IntList history = new IntList();
            history.addAll(ChatTokens.start(t, system));
            BufferedReader in = new BufferedReader(new InputStreamReader(input.get(), StandardCharsets.UTF_8));
            while (true) {
                if (interactive) { out.print("> "); out.flush(); }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) return 0;
                if (line.isBlank()) continue;
                if (line.startsWith("/system")) {
                    system = line.substring("/system".length()).strip();
                    history.clear();
                    history.addAll(ChatTokens.start(t, system));
                    err.println("[system prompt set; conversation cleared]");
                    err.flush();
                    continue;
                }
                if (line.strip().equals("/clear")) {
                    history.clear();
                    history.addAll(ChatTokens.start(t, system));
                    err.println("[conversation cleared]");
                    err.flush();
                    continue;
                }
                int[] before = history.toArray();
                history.addAll(ChatTokens.user(t, line));
                SequenceRequest request = new SequenceRequest(history.toArray(), null,
                        sampling.params().withStopTokenIds(t.eos()), null, new TekkenTextDecoder(t), null);
                GenerationResult r;
                try {
                    r = AnswerStreamer.stream(generator, request, out, err);
                } catch (jmistral.generate.ContextOverflowException e) {
                    history.clear();
                    history.addAll(before);
                    err.println("[" + e.getMessage() + "; use /clear]");
                    err.flush();
                    continue;
                }
                history.addAll(r.tokens());
                history.add(t.eos());                 // the assistant turn ends with </s>, as v11 encodes it
            }
        }
    }
}
