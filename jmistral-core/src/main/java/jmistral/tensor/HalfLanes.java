package jmistral.tensor;

import static jmistral.tensor.VectorLanes.F;
import static jmistral.tensor.VectorLanes.LANES;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** Vector loads of 16-bit floats (F16 and BF16 tensors): LANES shorts widened to a float vector. */
final class HalfLanes {
    private HalfLanes() {}

    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * 16));
    static final VectorSpecies<Integer> I = F.withLanes(int.class);

    /** LANES raw 16-bit values at {@code at}, zero-extended to ints. */
    static IntVector loadBits(MemorySegment w, long at) {
        ShortVector s = ShortVector.fromMemorySegment(S, w, at, ByteOrder.LITTLE_ENDIAN);
        return ((IntVector) s.convertShape(VectorOperators.S2I, I, 0)).and(0xFFFF);
    }

    /** LANES bfloat16 values at {@code at}: the bits shifted into the top half of a float. */
    static FloatVector bf16(MemorySegment w, long at) {
        return loadBits(w, at).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * LANES IEEE halfs at {@code at}. Normal numbers: rebias the exponent (+112) and shift the
     * 10-bit mantissa into place; subnormals: mantissa * 2^-24 (no float denormals involved);
     * infinities and NaN: exponent all ones.
     */
    static FloatVector f16(MemorySegment w, long at) {
        IntVector h = loadBits(w, at);
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector bits = shifted.add(112 << 23);
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        bits = bits.blend(shifted.or(0x7F800000), special);
        VectorMask<Integer> subnormal = magnitude.compare(VectorOperators.LT, 0x0400);
        IntVector sub = ((FloatVector) magnitude.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        bits = bits.blend(sub, subnormal);
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return bits.or(sign).reinterpretAsFloats();
    }
}
