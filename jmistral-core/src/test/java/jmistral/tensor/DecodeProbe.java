package jmistral.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jmistral.gguf.GgufFile;

/**
 * Decode-step memory experiment (not a test, not a benchmark with a verdict): the matvecs of one
 * decode step over a real GGUF file's matrices, in forward order, timed in the compute threads' CPU
 * time (not the JIT's or GC's) and in wall time, one step per sample, variants alternated in one
 * JVM, min and median over the rounds (the min is the least disturbed by other load).
 * <ul>
 * <li>{@code mmap}: the file's mapping (4 KB pages), matrices in place; {@code sliced}: the same, with the Q6_K
 *     w_down and output projection's copies in row tiles ({@link Matrix#withTiledCopy}), as the engine
 *     runs; {@code copy}: the weights
 *     copied into anonymous memory; {@code huge}: the same, 2 MB aligned with MADV_HUGEPAGE
 *     (AnonHugePages is printed, to see that the kernel granted them).</li>
 * <li>{@code -stream} suffix: a plain vector read of the same bytes, split the same way (the
 *     bandwidth ceiling of that memory for the thread count).</li>
 * <li>{@code :rowN} / {@code :aheadN_S}: matvec with touch loads (one byte per line of row r+N before
 *     row r; or every S bytes, N bytes ahead), software prefetching by plain loads.</li>
 * </ul>
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp CLASSPATH jmistral.tensor.DecodeProbe MODEL THREADS ROUNDS mmap,huge,mmap-stream}
 * (CLASSPATH: jmistral-core/target/classes, test-classes and the dependencies). {@code -Dsteps=N}:
 * steps per sample (default 1).
 */
public final class DecodeProbe {
    static final String[] ORDER = {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"};

    public static void main(String[] args) throws Throwable {
        Path model = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String[] variants = args[3].split(",");
        ComputePool.setThreads(threads);
        GgufFile f = GgufFile.open(model);
        List<TensorView> views = new ArrayList<>();
        for (int l = 0; ; l++) {
            if (!f.tensors().containsKey("blk." + l + ".attn_q.weight")) break;
            for (String n : ORDER) views.add(f.tensors().get("blk." + l + "." + n + ".weight"));
        }
        views.add(f.tensors().get("output.weight"));
        long total = 0;
        for (TensorView v : views) total += v.data().byteSize();
        System.out.printf("%d matrices, %.1f MB per step, %d threads%n", views.size(), total / 1e6, threads);

        List<Entry> mapped = matrices(views, null);
        boolean needCopy = false, needHuge = false, needSliced = false;
        for (String v : variants) { needCopy |= v.startsWith("copy"); needHuge |= v.startsWith("huge"); needSliced |= v.startsWith("sliced"); }
        List<Entry> sliced = null;
        if (needSliced) {
            sliced = new ArrayList<>();
            for (TensorView v : views) {
                boolean longRowsOrOutput = v.name().endsWith("ffn_down.weight") || v.name().equals("output.weight");
                sliced.add(new Entry(longRowsOrOutput ? Matrix.withTiledCopy(v) : Matrix.of(v), v.data()));
            }
        }
        List<Entry> copied = needCopy ? matrices(views, copy(views, total, false)) : null;
        List<Entry> huge = needHuge ? matrices(views, copy(views, total, true)) : null;
        System.out.println(grep("AnonHugePages"));

        int maxCols = 0;
        for (TensorView v : views) maxCols = Math.max(maxCols, (int) v.cols());
        float[] x = RandomWeights.vector(maxCols, new Random(2));
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        java.util.Map<String, List<double[]>> results = new java.util.LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String v : variants) {
                String[] kv = v.split(":");
                List<Entry> ms = kv[0].startsWith("copy") ? copied : kv[0].startsWith("huge") ? huge : kv[0].startsWith("sliced") ? sliced : mapped;
                boolean stream = kv[0].endsWith("stream");
                System.setProperty("jmistral.probe.kernel", kv.length > 1 ? kv[1] : "");
                int steps = Integer.getInteger("steps", 1);
                step(ms, x, stream); // warm (and compile)
                long c0 = computeCpu(mx), t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) step(ms, x, stream);
                long cpu = (computeCpu(mx) - c0) / steps, wall = (System.nanoTime() - t0) / steps;
                results.computeIfAbsent(v, k -> new ArrayList<>()).add(new double[] {cpu / 1e6, wall / 1e6});
            }
        }
        System.out.println("variant              cpu-ms/step min / median      wall-ms/step min / median   GB/cpu-s best");
        for (var e : results.entrySet()) {
            double[] c = e.getValue().stream().mapToDouble(a -> a[0]).sorted().toArray();
            double[] w = e.getValue().stream().mapToDouble(a -> a[1]).sorted().toArray();
            System.out.printf("%-20s %8.1f / %8.1f          %8.1f / %8.1f          %6.2f%n", e.getKey(), c[0], c[c.length / 2], w[0], w[w.length / 2],
                    total / c[0] / 1e6);
        }
    }

    /** CPU time of the calling thread and the pool's workers (not the JIT's or GC's). */
    static long computeCpu(com.sun.management.ThreadMXBean mx) {
        long sum = mx.getCurrentThreadCpuTime();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("jmistral-compute-")) sum += mx.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    static float sink;

    record Entry(Matrix m, MemorySegment data) {}

    static void step(List<Entry> ms, float[] x, boolean stream) {
        for (Entry en : ms) {
            Matrix m = en.m();
            float[] out = new float[m.rows()];
            String k = System.getProperty("jmistral.probe.kernel", "");
            if (stream) streamRead(m, en.data());
            else if (k.isEmpty()) m.matvec(x, out);
            else touched(m, en.data(), x, out, k);
            sink += out[0];
        }
    }

    /** matvec with touches ahead: "rowN" touches every line of row r+N before row r, "aheadN" one line N bytes ahead per 64 bytes of row. */
    static void touched(Matrix m, MemorySegment data, float[] x, float[] out, String how) {
        BlockType block = BlockType.of(m.type());
        int cols = m.cols(), rows = m.rows(), blocksPerRow = cols / block.blockSize();
        long rowBytes = (long) blocksPerRow * block.blockBytes(), last = data.byteSize() - 1;
        float[] sums = block.sumsGroup() == 0 ? null : XSums.of(x, 0, cols, block.sumsGroup());
        boolean rowMode = how.startsWith("row");
        String[] ns = how.replaceAll("[a-z]", "").split("_");
        int n = Integer.parseInt(ns[0]), stride = ns.length > 1 ? Integer.parseInt(ns[1]) : 64;
        ComputePool.current().parallelForRange(rows, (start, end) -> {
            int junk = 0;
            for (int r = start; r < end; r++) {
                long at = r * rowBytes;
                if (rowMode) {
                    long t = at + n * rowBytes;
                    for (long a = t, e = Math.min(t + rowBytes, last); a < e; a += 64) junk += data.get(ValueLayout.JAVA_BYTE, a);
                } else {
                    for (long a = at + n, e = Math.min(at + n + rowBytes, last); a < e; a += stride) junk += data.get(ValueLayout.JAVA_BYTE, a);
                }
                out[r] = block.dot(data, at, x, 0, sums, 0, blocksPerRow) + (junk & 1) * 0f;
            }
        });
    }

    /** Reads every byte of the matrix once with vector loads, split over the pool like matvec. */
    static void streamRead(Matrix m, MemorySegment data) {
        long rowBytes = data.byteSize() / m.rows();
        float[] part = new float[m.rows()];
        ComputePool.current().parallelForRange(m.rows(), (s, e) -> {
            var F = FloatVector.SPECIES_PREFERRED;
            int step = F.vectorByteSize();
            FloatVector a0 = FloatVector.zero(F), a1 = a0;
            long at = s * rowBytes, end = e * rowBytes;
            for (; at + 2L * step <= end; at += 2L * step) {
                a0 = a0.add(FloatVector.fromMemorySegment(F, data, at, ByteOrder.LITTLE_ENDIAN));
                a1 = a1.add(FloatVector.fromMemorySegment(F, data, at + step, ByteOrder.LITTLE_ENDIAN));
            }
            part[s] = a0.add(a1).reduceLanes(VectorOperators.ADD);
        });
        sink += part[0];
    }

    static MemorySegment copy(List<TensorView> views, long total, boolean hugePages) throws Throwable {
        long align = 2L << 20;
        long size = 0;
        for (TensorView v : views) size += (v.data().byteSize() + align - 1) & -align;
        Linker linker = Linker.nativeLinker();
        MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(), FunctionDescriptor.of(ValueLayout.ADDRESS,
                ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        // PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS; over-allocate to align to 2 MB by hand
        MemorySegment raw = (MemorySegment) mmap.invokeExact(MemorySegment.NULL, size + align, 3, 0x22, -1, 0L);
        long base = (raw.address() + align - 1) & -align;
        MemorySegment seg = MemorySegment.ofAddress(base).reinterpret(size);
        if (hugePages) {
            MethodHandle madvise = linker.downcallHandle(linker.defaultLookup().find("madvise").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
            int rc = (int) madvise.invokeExact(seg, size, 14 /* MADV_HUGEPAGE */);
            System.out.println("madvise(MADV_HUGEPAGE) = " + rc);
        }
        long t0 = System.nanoTime();
        long at = 0;
        for (TensorView v : views) {
            MemorySegment.copy(v.data(), 0, seg, at, v.data().byteSize());
            at += (v.data().byteSize() + align - 1) & -align;
        }
        System.out.printf("copied %.1f MB in %.0f ms (huge pages %b)%n", total / 1e6, (System.nanoTime() - t0) / 1e6, hugePages);
        return seg;
    }

    static List<Entry> matrices(List<TensorView> views, MemorySegment copy) {
        List<Entry> out = new ArrayList<>();
        long align = 2L << 20, at = 0;
        for (TensorView v : views) {
            MemorySegment data = copy == null ? v.data() : copy.asSlice(at, v.data().byteSize());
            at += (v.data().byteSize() + align - 1) & -align;
            out.add(new Entry(Matrix.of(v.type(), (int) v.rows(), (int) v.cols(), data), data));
        }
        return out;
    }

    static String grep(String key) throws Exception {
        for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/meminfo"))) if (line.startsWith(key)) return line;
        return key + " ?";
    }
}
