package jmistral.tensor;

import static jmistral.tensor.BlockBytes.half;
import static jmistral.tensor.BlockBytes.u8;
import static jmistral.tensor.VectorLanes.B16;
import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.I;
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

    public int sumsGroup() { return 16; }

    public float dot(MemorySegment w, long at, float[] x, int xOff, int blocks) {
        return dot(w, at, x, xOff, XSums.of(x, xOff, blocks * 256, 16), 0, blocks);
    }

    /**
     * Vector dot (direct Vector API calls only, see {@link KScaleMinBlocks#dot}), given x's sums over
     * each 16 values ({@link XSums}): {@code sum_g d*sc_g * (q_g . x_g) - dmin * sum_g m_g * sums16[g]}.
     *
     * <p>Each 16-byte load i (qs[16i ..], half h = i/2, k = i%2) holds the 2-bit values of the four
     * groups g = 8h + 2s + k, s = 0..3, at bits 2s. The bytes are widened once to 32-bit lanes, and group
     * s is masked in place ({@code & 3 << 2s}, no shift), so it converts to 4^s * q: it goes to its own
     * accumulator acc_s, scaled by 4^-s (exact) once at the end. Per group: mask, convert, times x, and
     * one FMA by d*sc_g; four accumulators keep four FMA chains in flight. The min term is one vector
     * op per block: the 16 high nibbles of scales[] times the 16 sums of x. The four loads are written
     * out, not a loop (see {@link KScaleMinBlocks#dot}; here 4.3 -> 5.5 GB per CPU-second on AVX-512).
     */
    public float dot(MemorySegment w, long at, float[] x, int xOff, float[] sums16, int sumsOff, int blocks) {
        // acc_s: 4^s * d*sc_g * q_g*x_g for the groups at bits 2s; mins: dmin * m_g * sum(x_g), per lane
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0, mins = acc0;
        ByteVector qb;  // one 16-byte load of qs: four groups, at bits 0, 2, 4, 6
        IntVector q;    // its bytes sign-extended to 32-bit lanes (part p); the masks keep bits 0..7 only
        long sc;        // that load's four scales, in bytes 0, 2, 4, 6
        float d0, d1, d2, d3;
        for (int b = 0; b < blocks; b++, at += 84, xOff += 256, sumsOff += 16) {
            int dd = BlockBytes.u32(w, at + D);
            float d = Float.float16ToFloat((short) dd), dmin = Float.float16ToFloat((short) (dd >>> 16));
            long sc0 = BlockBytes.u64(w, at + SCALES), sc1 = BlockBytes.u64(w, at + SCALES + 8); // byte g: scale of group g (low nibble)
            // m: the 16 mins (high nibbles of scales[0..16)), lane g = group g
            ByteVector m = ByteVector.fromMemorySegment(B16, w, at + SCALES, LE).reinterpretAsInts().lanewise(VectorOperators.LSHR, 4)
                    .reinterpretAsBytes().and((byte) 15);
            FloatVector dminV = FloatVector.broadcast(F, dmin);
            for (int p = 0; p < PARTS; p++) {
                mins = ((FloatVector) m.convertShape(VectorOperators.B2F, F, p)).mul(FloatVector.fromArray(F, sums16, sumsOff + p * LANES)).fma(dminV, mins);
            }
            // load 0: qs[0, 16), groups 0, 2, 4, 6 at bits 0, 2, 4, 6 (x[32s ..]); their scales: bytes 0, 2, 4, 6 of sc0
            qb = ByteVector.fromMemorySegment(B16, w, at + QS, LE);
            sc = sc0;
            d0 = d * (sc & 15);
            d1 = d * ((sc >>> 16) & 15);
            d2 = d * ((sc >>> 32) & 15);
            d3 = d * ((sc >>> 48) & 15);
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                int xp = xOff + p * LANES;
                acc0 = ((FloatVector) q.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 1: qs[16, 32), groups 1, 3, 5, 7 at bits 0, 2, 4, 6 (x[16 + 32s ..]); their scales: bytes 1, 3, 5, 7 of sc0
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 16, LE);
            sc = sc0 >>> 8;
            d0 = d * (sc & 15);
            d1 = d * ((sc >>> 16) & 15);
            d2 = d * ((sc >>> 32) & 15);
            d3 = d * ((sc >>> 48) & 15);
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                int xp = xOff + 16 + p * LANES;
                acc0 = ((FloatVector) q.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 2: qs[32, 48), groups 8, 10, 12, 14 at bits 0, 2, 4, 6 (x[128 + 32s ..]); their scales: bytes 0, 2, 4, 6 of sc1
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 32, LE);
            sc = sc1;
            d0 = d * (sc & 15);
            d1 = d * ((sc >>> 16) & 15);
            d2 = d * ((sc >>> 32) & 15);
            d3 = d * ((sc >>> 48) & 15);
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                int xp = xOff + 128 + p * LANES;
                acc0 = ((FloatVector) q.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
            // load 3: qs[48, 64), groups 9, 11, 13, 15 at bits 0, 2, 4, 6 (x[144 + 32s ..]); their scales: bytes 1, 3, 5, 7 of sc1
            qb = ByteVector.fromMemorySegment(B16, w, at + QS + 48, LE);
            sc = sc1 >>> 8;
            d0 = d * (sc & 15);
            d1 = d * ((sc >>> 16) & 15);
            d2 = d * ((sc >>> 32) & 15);
            d3 = d * ((sc >>> 48) & 15);
            for (int p = 0; p < PARTS; p++) {
                q = (IntVector) qb.convertShape(VectorOperators.B2I, I, p);
                int xp = xOff + 144 + p * LANES;
                acc0 = ((FloatVector) q.and(3).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp)).fma(FloatVector.broadcast(F, d0), acc0);
                acc1 = ((FloatVector) q.and(3 << 2).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 32)).fma(FloatVector.broadcast(F, d1), acc1);
                acc2 = ((FloatVector) q.and(3 << 4).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 64)).fma(FloatVector.broadcast(F, d2), acc2);
                acc3 = ((FloatVector) q.and(3 << 6).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(F, x, xp + 96)).fma(FloatVector.broadcast(F, d3), acc3);
            }
        }
        return acc0.add(acc1.mul(1f / 4)).add(acc2.mul(1f / 16)).add(acc3.mul(1f / 64)).sub(mins).reduceLanes(VectorOperators.ADD);
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
