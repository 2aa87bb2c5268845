package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;
import static jmistral.tensor.VectorLanes.LE;
import static jmistral.tensor.VectorLanes.PARTS;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q2_K: 256 weights in 84 bytes: {@code u8 scales[16]; u8 qs[64]; half d, dmin}. 16 groups of 16;
 * scales[g] holds a 4-bit scale (low nibble) and 4-bit min (high nibble); y = d*sc*q - dmin*m.
 * The 2-bit q of group g: half h = g/8 uses qs[32h .. 32h+32), shift 2*((g%8)/2), bytes 0..15
 * for even g and 16..31 for odd g.
 */
final class Q2_KBlock implements BlockType {
    static final Q2_KBlock INSTANCE = new Q2_KBlock();
    private static final long SCALES = 0, QS = 16, D = 80, DMIN = 82;

    public GgmlType type() { return GgmlType.Q2_K; }

    public void dequantizeBlock(MemorySegment w, long at, float[] dst, int dstOff) {
        float d = half(w, at + D), dmin = half(w, at + DMIN);
        for (int g = 0; g < 16; g++) {
            int sc = u8(w, at + SCALES + g);
            long q = at + QS + 32 * (g / 8) + 16 * (g % 2);
            int shift = 2 * ((g % 8) / 2);
            for (int l = 0; l < 16; l++) {
                dst[dstOff + 16 * g + l] = d * (sc & 15) * ((u8(w, q + l) >> shift) & 3) - dmin * (sc >> 4);
            }
        }
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}). Each 16-byte load i
     * (qs[16i ..], half h = i/2, k = i%2) holds the 2-bit values of the four groups g = 8h + 2s + k,
     * s = 0..3, at bits 2s (moved down by a 32-bit lane shift, masked with 3). Per group, s accumulates
     * q*x and xs the x values; they are scaled once, by d*sc and -dmin*m.
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, at += 84, xOff += 256) {
            float d = half(w, at + D), dmin = half(w, at + DMIN);
            for (int i = 0; i < 4; i++) {
                IntVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * i, LE).reinterpretAsInts();
                long scales = BlockBytes.u64(w, at + SCALES + 8 * (i >> 1)) >>> (8 * (i & 1)); // byte 2s: group 8h + 2s + k
                for (int s2 = 0; s2 < 8; s2 += 2, scales >>>= 16) {
                    ByteVector q = qs.lanewise(VectorOperators.LSHR, s2).reinterpretAsBytes().and((byte) 3);
                    int xo = xOff + 128 * (i >> 1) + 16 * (i & 1) + 16 * s2;
                    FloatVector s = FloatVector.zero(F), xs = s;
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector xv = FloatVector.fromArray(F, x, xo + p * LANES);
                        s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).fma(xv, s);
                        xs = xs.add(xv);
                    }
                    int sc = (int) scales & 0xFF;
                    acc = s.fma(FloatVector.broadcast(F, d * (sc & 15)), acc);
                    acc = xs.fma(FloatVector.broadcast(F, -dmin * (sc >> 4)), acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Vector dequantization (prefill): the same 16-byte loads and 2-bit groups as {@link #dot}, stored
     * as (d*sc)*q - dmin*m, multiply then subtract like the reference (no fma), so the values are its own.
     */
    public void dequantize(MemorySegment w, long at, float[] dst, int dstOff, int blocks) {
        for (int b = 0; b < blocks; b++, at += 84, dstOff += 256) {
            float d = half(w, at + D), dmin = half(w, at + DMIN);
            for (int i = 0; i < 4; i++) {
                IntVector qs = ByteVector.fromMemorySegment(B16, w, at + QS + 16 * i, LE).reinterpretAsInts();
                long scales = BlockBytes.u64(w, at + SCALES + 8 * (i >> 1)) >>> (8 * (i & 1)); // byte 2s: group 8h + 2s + k
                for (int s2 = 0; s2 < 8; s2 += 2, scales >>>= 16) {
                    ByteVector q = qs.lanewise(VectorOperators.LSHR, s2).reinterpretAsBytes().and((byte) 3);
                    int sc = (int) scales & 0xFF;
                    FloatVector scale = FloatVector.broadcast(F, d * (sc & 15)), min = FloatVector.broadcast(F, dmin * (sc >> 4));
                    int y = dstOff + 128 * (i >> 1) + 16 * (i & 1) + 16 * s2;
                    for (int p = 0; p < PARTS; p++) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, p)).mul(scale).sub(min).intoArray(dst, y + p * LANES);
                    }
                }
            }
        }
    }
}
