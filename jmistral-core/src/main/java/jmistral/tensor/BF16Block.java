package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** BF16: bfloat16 (the top half of an f32). */
final class BF16Block extends HalfFloatBlock {
    static final BF16Block INSTANCE = new BF16Block();

    public GgmlType type() { return GgmlType.BF16; }

    float toFloat(short bits) { return BFloat16.toFloat(bits); }

    short fromFloat(float value) { return BFloat16.fromFloat(value); }

    FloatVector load(MemorySegment w, long at) { return HalfLanes.bf16(w, at); }
}
