package jmistral.model;

import jmistral.model.synth.SynthTensor;
import jmistral.tensor.GgmlType;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** F32 tensors in native memory, for tests that need a TensorSource without files. */
final class MemoryTensorSource implements TensorSource {
    private final Arena arena = Arena.ofShared();
    private final Map<String, TensorView> tensors = new LinkedHashMap<>();

    MemoryTensorSource(List<SynthTensor> list) {
        for (SynthTensor t : list) put(t.name(), t.ggmlShape(), t.data().get());
    }

    void put(String name, long[] ggmlShape, float[] data) {
        MemorySegment seg = arena.allocate(4L * data.length, 64);
        MemorySegment.copy(data, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, data.length);
        tensors.put(name, new TensorView(name, GgmlType.F32, ggmlShape, seg));
    }

    /** Replaces a tensor by its quantization to {@code type} (same shape). */
    void quantize(String name, GgmlType type) {
        TensorView t = tensors.get(name);
        float[] data = t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
        byte[] bytes = jmistral.tensor.Quantizer.quantize(type, data);
        MemorySegment seg = arena.allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
        tensors.put(name, new TensorView(name, type, t.shape(), seg));
    }

    void remove(String name) { tensors.remove(name); }

    @Override public Map<String, TensorView> tensors() { return tensors; }
    @Override public Path path() { return Path.of("<memory>"); }
    @Override public void close() { arena.close(); }
}
