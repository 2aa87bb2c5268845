package jmistral.model.synth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jmistral.tensor.BFloat16;
import jmistral.tensor.Float16;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

/**
 * Synthesized tensors held in native memory as F32, F16 or BF16 (norms stay F32), for benchmarks and
 * tests that need weights without writing files.
 */
public final class SynthTensors implements TensorSource {
    private final Arena arena = Arena.ofShared();
    private final Map<String, TensorView> tensors = new LinkedHashMap<>();

    public SynthTensors(List<SynthTensor> list, GgmlType type) {
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) {
            throw new IllegalArgumentException("in-memory synth tensors are F32, F16 or BF16, not " + type);
        }
        for (SynthTensor t : list) {
            float[] data = t.data().get();
            GgmlType ty = t.isNorm() ? GgmlType.F32 : type;
            tensors.put(t.name(), new TensorView(t.name(), ty, t.ggmlShape(), encode(data, ty)));
        }
    }

    private MemorySegment encode(float[] data, GgmlType type) {
        if (type == GgmlType.F32) {
            MemorySegment seg = arena.allocate(4L * data.length, 64);
            MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, data.length);
            return seg;
        }
        MemorySegment seg = arena.allocate(2L * data.length, 64);
        for (int i = 0; i < data.length; i++) {
            short h = type == GgmlType.F16 ? Float16.fromFloat(data[i]) : BFloat16.fromFloat(data[i]);
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, h);
        }
        return seg;
    }

    @Override public Map<String, TensorView> tensors() { return tensors; }
    @Override public Path path() { return Path.of("<synthesized>"); }
    @Override public void close() { arena.close(); }
}
