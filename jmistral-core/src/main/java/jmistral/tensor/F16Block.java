package jmistral.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** F16: IEEE half floats. */
final class F16Block extends HalfFloatBlock {
    static final F16Block INSTANCE = new F16Block();

    public GgmlType type() { return GgmlType.F16; }

    float toFloat(short bits) { return Float16.toFloat(bits); }

    short fromFloat(float value) { return Float16.fromFloat(value); }

    FloatVector load(MemorySegment w, long at) { return HalfLanes.f16(w, at); }
}
