package jmistral.model;

import jmistral.model.synth.SynthModel;

/** Small random models of the real architecture (head_dim != dim/heads, GQA), in memory. */
final class TinyModels {
    private TinyModels() {}

    /** dim 64, 2 layers, 4 heads x 32 (q width 128 != dim), 2 kv heads, ffn 96, vocab 256. */
    static final TextConfig TINY = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096);

    static TextModel model(TextConfig c, TensorNames layout, long seed) {
        MemoryTensorSource src = new MemoryTensorSource(SynthModel.tensors(c, seed, null, layout));
        return new TextModel(Checkpoint.load(src, c), src);
    }

    static int[] tokens(int n, long seed, int vocab) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    static float maxAbsDiff(float[] a, int aOff, float[] b, int bOff, int n) {
        float m = 0;
        for (int i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aOff + i] - b[bOff + i]));
        return m;
    }
}
