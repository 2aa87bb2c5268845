package jmistral.model;

/** Activations of one forward step, allocated once per step for its T tokens. */
final class Scratch {
    final float[] x;     // [T][dim]            residual stream
    final float[] xb;    // [T][dim]            normalized input of a sub-layer
    final float[] q;     // [T][nHeads*headDim]
    final float[] k;     // [T][nKvHeads*headDim]
    final float[] v;     // [T][nKvHeads*headDim]
    final float[] att;   // [T][nHeads*headDim] attention output before wo
    final float[] o;     // [T][dim]            sub-layer output added to x
    final float[] gate;  // [T][hiddenDim]
    final float[] up;    // [T][hiddenDim]
    final float[] cos, sin; // [T][headDim/2]   RoPE table for the tokens' positions

    Scratch(TextConfig c, int tokens, float[][] ropeTable) {
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
        cos = ropeTable[0];
        sin = ropeTable[1];
    }

    private static float[] alloc(long n) {
        if (n > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("batch too large: a buffer would need " + n + " floats; split the prefill into smaller chunks");
        return new float[(int) n];
    }
}
