package jmistral.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import jmistral.generate.FinishReason;
import jmistral.generate.GenerationEvent;
import jmistral.generate.GenerationResult;
import jmistral.engine.Engine;
import jmistral.generate.LoopGuard;
import jmistral.generate.SamplingParams;
import jmistral.generate.SequenceRequest;
import jmistral.generate.TopLogprob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral generate --prompt-ids 1,2,3 --max-tokens N --temperature 0 --top-logprobs K --json}:
 * raw token-level generation for scripts and verification (no chat format, no loop guard).
 */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Generate from prompt token ids; print the ids (and with --json each step's top logprobs).",
                "Step 0 is the distribution after the whole prompt."})
final class GenerateCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;

    @Option(names = "--prompt-ids", required = true, split = ",", paramLabel = "IDS", description = "prompt token ids, comma-separated")
    int[] promptIds;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "16", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0", description = "0 = greedy (default: ${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "1.0") double topP;
    @Option(names = "--top-k", paramLabel = "K", defaultValue = "0") int topK;
    @Option(names = "--seed", paramLabel = "N") Long seed;

    @Option(names = "--top-logprobs", paramLabel = "K", defaultValue = "0", description = "alternatives reported per step")
    int topLogprobs;

    @Option(names = "--stop-at-eos", description = "end at the tokenizer's EOS (default: generate exactly --max-tokens)")
    boolean stopAtEos;

    @Option(names = "--json", description = "print one JSON object {\"ids\": [...], \"steps\": [{\"token\": id, \"top\": [[id, logprob], ...]}]}")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) throw new IllegalArgumentException("--max-tokens must be >= 1, got " + maxTokens);
        PrintWriter out = spec.commandLine().getOut();
        try (Engine engine = Engines.open(model, spec.commandLine().getErr(), null)) {
            SamplingParams p = SamplingParams.defaults().withTemperature(temperature).withTopP(topP).withTopK(topK)
                    .withSeed(seed).withMaxTokens(maxTokens).withLogprobs(topLogprobs);
            if (stopAtEos) p = p.withStopTokenIds(engine.optionalTokenizer().map(t -> t.eos()).orElse(2));
            GenerationResult r = engine.generate(new SequenceRequest(promptIds, null, p, null, null,
                    LoopGuard.Config.DISABLED));
            if (r.reason() == FinishReason.ERROR) throw new IllegalStateException(r.error());
            if (json) {
                out.println(toJson(r));
            } else {
                StringBuilder ids = new StringBuilder();
                for (int t : r.tokens()) ids.append(ids.isEmpty() ? "" : ",").append(t);
                out.println(ids);
                engine.optionalTokenizer().ifPresent(t ->
                        out.println(t.decode(r.tokens(), jmistral.tokenizer.SpecialTokenPolicy.KEEP)));
            }
            out.flush();
            return 0;
        }
    }

    static String toJson(GenerationResult r) throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ArrayNode ids = root.putArray("ids");
        for (int t : r.tokens()) ids.add(t);
        ArrayNode steps = root.putArray("steps");
        for (GenerationEvent.Token step : r.steps()) {
            ObjectNode s = steps.addObject();
            s.put("token", step.token());
            ArrayNode top = s.putArray("top");
            for (TopLogprob lp : step.top()) top.addArray().add(lp.token()).add(lp.logprob());
        }
        return mapper.writeValueAsString(root);
    }
}
