package jmistral.model;

/**
 * Timing hooks of one forward pass, for a per-token profile ({@code jmistral bench --profile}). The
 * model calls {@link #start} once, then {@link #lap} after each part with the value the previous call
 * returned. {@link #NONE}, the default, reads no clock: a profile costs nothing unless one is given.
 */
public interface ForwardProbe {

    /** The parts of a forward pass, in the order they run (matmuls by weight tensor). */
    enum Part {
        /** Scratch buffers, batch bookkeeping, RoPE table for the positions. */
        SETUP,
        EMBED,
        /** The two RMS norms of each layer. */
        NORM,
        WQ, WK, WV,
        ROPE,
        KV_STORE,
        ATTENTION,
        WO,
        /** The residual adds. */
        RESIDUAL,
        W_GATE, W_UP,
        SWIGLU,
        W_DOWN,
        FINAL_NORM,
        /** The output projection to the vocabulary. */
        OUTPUT
    }

    /** A probe that measures nothing. */
    ForwardProbe NONE = new ForwardProbe() {
        @Override
        public long start() { return 0; }

        @Override
        public long lap(Part part, int layer, long since) { return 0; }
    };

    /** The time a pass starts (any clock; NONE: 0). */
    long start();

    /**
     * Part (of layer, or -1 outside the layers) ran from {@code since} until now; returns now for the
     * next lap.
     */
    long lap(Part part, int layer, long since);
}
