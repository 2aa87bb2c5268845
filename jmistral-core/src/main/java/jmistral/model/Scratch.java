package jmistral.model;

/**
 * Activations of a forward step for up to {@link #capacity} tokens; a step of T tokens uses the first
 * T rows of each buffer and writes every element it reads (no buffer needs zeroing). The model keeps
 * one Scratch for the next step ({@link TextModel}): allocated per step, a 512-token prefill's
 * ~180 MB of buffers were young garbage still alive at every young GC, which copied them (50-870 ms
 * pauses with ParallelGC, ~1.7 s in a bench run of ~25 s).
 */
final class Scratch {
    final int capacity;  // tokens
    final float[] x;     // [T][dim]            residual stream
    final float[] xb;    // [T][dim]            normalized input of a sub-layer
    final float[] q;     // [T][nHeads*headDim]
    final float[] k;     // [T][nKvHeads*headDim]
    final float[] v;     // [T][nKvHeads*headDim]
    final float[] att;   // [T][nHeads*headDim] attention output before wo
    final float[] o;     // [T][dim]            sub-layer output added to x
    final float[] gate;  // [T][hiddenDim]
    final float[] up;    // [T][hiddenDim]
    float[] cos, sin;    // [T][headDim/2]      RoPE table for the current step's positions (useRope)

    Scratch(TextConfig c, int tokens) {
        capacity = tokens;
        long t = tokens;
        x = alloc(t * c.dim());
        xb = alloc(t * c.dim());
        q = alloc(t * c.nHeads() * c.headDim());
        k = alloc(t * c.nKvHeads() * c.headDim());
        v = alloc(t * c.nKvHeads() * c.headDim());
        att = alloc(t * c.nHeads() * c.headDim());
        o = alloc(t * c.dim());
        gate = alloc(t * c.hiddenDim());
        up = alloc(t * c.hiddenDim());
    }

    /** Sets the RoPE table [cos, sin] of the step's token positions. */
    Scratch useRope(float[][] ropeTable) {
        cos = ropeTable[0];
        sin = ropeTable[1];
        return this;
    }

    private static float[] alloc(long n) {
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("batch too large: a buffer would need " + n + " floats; split the prefill into smaller chunks");
        return new float[(int) n];
    }
}
