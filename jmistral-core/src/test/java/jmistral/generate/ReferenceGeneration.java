package jmistral.generate;

import java.util.Arrays;

/**
 * The yardstick for the scheduler: one sequence, no cache, no batching, no chunks: the logits of the
 * whole history are recomputed at every step and the same Sampler picks the token.
 */
final class ReferenceGeneration {

    private ReferenceGeneration() {
    }

    /** Generated tokens (stop tokens excluded) until a stop token or max tokens. */
    static int[] generate(ToyModel model, int[] prompt, SamplingParams params) {
        return generate(model, prompt, null, params, null);
    }

    /** The same with image rows in the prompt (keyed as the toy model keys them) and a constraint. */
    static int[] generate(ToyModel model, int[] prompt, float[][] embeddings, SamplingParams params, TokenConstraint constraint) {
        Sampler sampler = new Sampler(params, model.vocab, prompt, constraint);
        long[] history = new long[prompt.length];
        for (int i = 0; i < prompt.length; i++) {
            float[] row = embeddings == null ? null : embeddings[i];
            history[i] = row == null ? prompt[i] : ToyModel.embeddingKey(row);
        }
        int[] out = new int[0];
        while (true) {
            int t = sampler.sample(model.logits(history), 0).token();
            if (params.isStopToken(t)) return out;
            out = Arrays.copyOf(out, out.length + 1);
            out[out.length - 1] = t;
            if (params.maxTokens() > 0 && out.length >= params.maxTokens()) return out;
            history = Arrays.copyOf(history, history.length + 1);
            history[history.length - 1] = t;
        }
    }
}
