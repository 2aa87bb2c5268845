package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API building blocks every kernel uses. Quantized bytes are always loaded 16 at a time
 * (a 128-bit ByteVector: one Q4_0 block's nibbles, half a Q8_0 block) and widened to float vectors
 * of {@link #LANES} lanes, {@link #PARTS} per 16 bytes. The float width is the CPU's preferred one,
 * overridable with {@code -Djmistral.vectorBits=256} (512-bit is not always faster, e.g. on Zen 4).
 */
final class VectorLanes {
    private VectorLanes() {}

    static final VectorSpecies<Float> F = floatSpecies();
    /** Float lanes per vector: 4, 8 or 16. */
    static final int LANES = F.length();
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Float vectors per 16 bytes. */
    static final int PARTS = 16 / LANES;

    private static VectorSpecies<Float> floatSpecies() {
        int bits = Integer.getInteger("jmistral.vectorBits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        bits = Math.max(128, Math.min(512, bits));
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /** 16 bytes at {@code at}. */
    static ByteVector load16(MemorySegment s, long at) {
        return ByteVector.fromMemorySegment(B16, s, at, ByteOrder.LITTLE_ENDIAN);
    }

    /** Lanes [part*LANES, (part+1)*LANES) of b, sign-extended to floats. */
    static FloatVector floats(ByteVector b, int part) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, part);
    }

    /** Low nibbles (0..15) of each byte. */
    static ByteVector low4(ByteVector b) {
        return b.and((byte) 0x0F);
    }

    /** High nibbles (0..15) of each byte. */
    static ByteVector high4(ByteVector b) {
        return bits(b, 4, 15);
    }

    /**
     * (b >>> shift) & mask in every byte, for masks below 2^(8-shift). x86 has no byte shifts, and
     * a byte shift by a variable count is slow in the Vector API, so shift 32-bit lanes instead:
     * the bits that move in from the next byte are above the mask and are cleared by it.
     */
    static ByteVector bits(ByteVector b, int shift, int mask) {
        return b.reinterpretAsInts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) mask);
    }

    /** 16 (bit {@code bit} of each byte) << 4: the fifth bit of 5-bit formats whose high bits are bit planes. */
    static ByteVector bit4(ByteVector planes, int bit) {
        // each byte of bits(..) is 0 or 1, so a 32-bit lane shift by 4 cannot carry into the next byte
        return bits(planes, bit, 1).reinterpretAsInts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes();
    }

    /** acc + v * s. */
    static FloatVector addScaled(FloatVector acc, FloatVector v, float s) {
        return v.fma(FloatVector.broadcast(F, s), acc);
    }

    /** Sets bit 4 (adds 16) in the lanes whose bit in {@code bits16} is set (5-bit formats' high bits). */
    static ByteVector withBit4(ByteVector nibbles, long bits16) {
        return nibbles.lanewise(VectorOperators.OR, (byte) 16, VectorMask.fromLong(B16, bits16 & 0xFFFF));
    }

    static FloatVector load(float[] x, int at) {
        return FloatVector.fromArray(F, x, at);
    }

    /**
     * Dot of 16 quantized values (one 16-byte vector, already decoded to small signed integers)
     * with x[at .. at+16), accumulated into acc.
     */
    static FloatVector dot16(ByteVector q, float[] x, int at, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            acc = floats(q, p).fma(load(x, at + p * LANES), acc);
        }
        return acc;
    }

    /**
     * Dot of 16 weights (scale * q + offset), q already decoded to small integers, with x[at .. at+16),
     * accumulated into acc: the dequantized value is formed in registers, one extra FMA per vector.
     */
    static FloatVector affineDot16(ByteVector q, FloatVector scale, FloatVector offset, float[] x, int at, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            acc = floats(q, p).fma(scale, offset).fma(load(x, at + p * LANES), acc);
        }
        return acc;
    }

    /** Sum of x[at .. at+16) into acc (for the "min" terms of offset formats). */
    static FloatVector sum16(float[] x, int at, FloatVector acc) {
        for (int p = 0; p < PARTS; p++) {
            acc = acc.add(load(x, at + p * LANES));
        }
        return acc;
    }

    /** Writes 16 decoded values times scale into dst[at .. at+16), plus offset. */
    static void store16(ByteVector q, float scale, float offset, float[] dst, int at) {
        for (int p = 0; p < PARTS; p++) {
            floats(q, p).fma(scale, offset).intoArray(dst, at + p * LANES);
        }
    }
}
