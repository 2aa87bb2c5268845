package jmistral.model.synth;

import java.util.function.Supplier;

/**
 * One synthesized tensor, produced on demand so that huge models stream one tensor at a time.
 *
 * @param name       tensor name in the target layout
 * @param torchShape PyTorch order ([out, in] for matrices, [n] for norms)
 * @param data       values in row-major PyTorch order
 * @param isNorm     a 1-D norm weight (kept F32 in quantized files)
 */
public record SynthTensor(String name, long[] torchShape, Supplier<float[]> data, boolean isNorm) {

    /** ggml order (innermost first). */
    public long[] ggmlShape() {
        long[] s = new long[torchShape.length];
        for (int i = 0; i < s.length; i++) s[i] = torchShape[torchShape.length - 1 - i];
        return s;
    }
}
