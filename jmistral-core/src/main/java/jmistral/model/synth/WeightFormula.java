package jmistral.model.synth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * The public weight formula of the llama.cpp fixtures (test resources fixtures/llamacpp/README.md):
 * every weight is a hash of (tensor name, seed, flat index), so any implementation rebuilds the same
 * model bit for bit. Names are GGUF tensor names; index i runs over the PyTorch shape [out, in].
 */
public final class WeightFormula {
    private final long seed;
    private final int hidden;

    public WeightFormula(long seed, int hidden) {
        this.seed = seed;
        this.hidden = hidden;
    }

    static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) h = (h ^ (b & 0xFF)) * 0x100000001B3L;
        return h;
    }

    static long mix64(long x) {
        x = x + 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    /** u(name, i) in [0, 1), with h = fnv1a64(name) XOR seed (computed in double, as the formula says). */
    private static double uniform(long h, long i) {
        return (mix64(h + i) >>> 40) / 16777216.0;
    }

    /** A norm weight [n]: 1 + 0.25 (2u - 1). */
    public float[] norm(String name, int n) {
        long h = fnv1a64(name) ^ seed;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (1 + 0.25 * (2 * uniform(h, i) - 1));
        return out;
    }

    /**
     * A matrix [out][in] row-major: (2u - 1) * gain / sqrt(in). The gain is sqrt(3) for attention and MLP,
     * sqrt(3)*sqrt(hidden) for token_embd.weight, 7 for output.weight.
     */
    public float[] matrix(String name, int out, int in) {
        double gain = name.equals("token_embd.weight") ? Math.sqrt(3) * Math.sqrt(hidden)
                : name.equals("output.weight") ? 7 : Math.sqrt(3);
        double s = gain / Math.sqrt(in);
        int n = Math.multiplyExact(out, in);
        long h = fnv1a64(name) ^ seed;
        // straight into floats: no double[n] beside them (output.weight of the real vocabulary at full
        // width is 671M weights: 2.7 GB as floats, another 5.4 GB as doubles)
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) ((2 * uniform(h, i) - 1) * s);
        return w;
    }

    /** Row {@code row} of {@link #matrix}(name, out, in), computed alone (e.g. one token embedding). */
    public float[] matrixRow(String name, int out, int in, int row) {
        double gain = name.equals("token_embd.weight") ? Math.sqrt(3) * Math.sqrt(hidden)
                : name.equals("output.weight") ? 7 : Math.sqrt(3);
        double s = gain / Math.sqrt(in);
        long h = fnv1a64(name) ^ seed;
        float[] w = new float[in];
        for (int j = 0; j < in; j++) w[j] = (float) ((2 * uniform(h, (long) row * in + j) - 1) * s);
        return w;
    }

    /**
     * output.weight [vocab][hidden] with the rows of special ids (< 1000) and of tokens whose bytes
     * are not valid UTF-8 on their own set to 0.
     */
    public float[] output(int vocab, IntFunction<byte[]> tokenBytes) {
        float[] w = matrix("output.weight", vocab, hidden);
        for (int id = 0; id < vocab; id++) {
            if (id < 1000 || !validUtf8(tokenBytes.apply(id))) java.util.Arrays.fill(w, id * hidden, (id + 1) * hidden, 0f);
        }
        return w;
    }

    static boolean validUtf8(byte[] bytes) {
        if (bytes == null) return false;
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
