package jmistral.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import jmistral.gguf.GgufWriter;
import jmistral.model.BatchEntry;
import jmistral.model.ForwardProbe.Part;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.SequenceCache;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.TextConfigWriter;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensor;
import jmistral.tensor.ComputePool;
import jmistral.tensor.Matrix;
import jmistral.tensor.PoolProfile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench and its per-token profile on a tiny random model (what they report, not how fast). */
class ModelBenchTest {

    @TempDir static Path dir;
    static LoadedModel loaded;

    @BeforeAll
    static void writeModel() throws Exception {
        TextConfig c = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 300, 2048);
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", TextConfigWriter.GGUF_ARCH);
        TextConfigWriter.toGguf(w, c);
        for (SynthTensor t : SynthModel.tensors(c, 5, null, TensorNames.GGUF)) w.addF32(t.name(), t.data().get(), t.ggmlShape());
        Path gguf = dir.resolve("tiny.gguf");
        w.write(gguf);
        loaded = ModelLoader.load(gguf);
    }

    @AfterAll
    static void close() {
        loaded.close();
    }

    @Test
    void profileTimesEveryPartAndCountsEveryMatrix() {
        BenchReport r = ModelBench.run(loaded, new BenchOptions(40, 6, 8, KvCacheType.F16, 16, true, 0, 0));
        assertTrue(r.prefillTokensPerSecond() > 0 && r.decodeTokensPerSecond() > 0, r.toString());
        TokenProfile p = r.profile();
        for (Part part : Part.values()) {
            assertTrue(p.decode().nanos[part.ordinal()] > 0, "decode " + part);
            assertTrue(p.prefill().nanos[part.ordinal()] > 0, "prefill " + part);
        }
        assertTrue(p.decode().total() <= p.decodeWall() && p.prefill().total() <= p.prefillWall());
        long matrixBytes = 0, profiled = 0;
        for (Matrix m : loaded.model().checkpoint().matrices()) matrixBytes += m.type().bytesFor((long) m.rows() * m.cols());
        for (long b : p.bytesPerPart()) profiled += b;
        assertEquals(matrixBytes, profiled, "the decode profile's matmul bytes are the model's matrices");
        StringWriter text = new StringWriter();
        r.print(new PrintWriter(text));
        for (String k : List.of("prefill profile", "decode profile", "w_gate", "attention", "output", "argmax", "kernels alone")) {
            assertTrue(text.toString().contains(k), text.toString());
        }
    }

    @Test
    void batchReportHasTheBatchedDecodeTheVerifyTimingAndTheSpeculativeRun() {
        BenchReport r = ModelBench.run(loaded, new BenchOptions(40, 24, 8, KvCacheType.F16, 512, false, 4, 8));
        BatchBench.Report b = r.batched();
        assertEquals(4, b.batch());
        assertTrue(b.batchTokensPerSecond() > 0 && b.verifyMillis() > 0 && b.decodeStepMillis() > 0, b.toString());
        assertTrue(b.plainTokensPerSecond() > 0 && b.speculativeTokensPerSecond() > 0, b.toString());
        assertTrue(b.accepted() <= b.drafted(), b.toString());
        StringWriter text = new StringWriter();
        r.print(new PrintWriter(text));
        for (String k : List.of("decode x4", "tok/s aggregate", "verify 8 drafts", "decode step", "speculative", "accepted")) {
            assertTrue(text.toString().contains(k), text.toString());
        }
        assertEquals(null, ModelBench.run(loaded, new BenchOptions(40, 6, 8, KvCacheType.F16, 512, false, 0, 8)).batched());
    }

    @Test
    void batchedProfileTimesEveryPartOfTheBatchedStep() {
        BenchReport r = ModelBench.run(loaded, new BenchOptions(40, 6, 8, KvCacheType.F16, 512, true, 4, 0));
        BatchProfile p = r.batched().profile();
        assertEquals(4, p.batch());
        assertEquals(6, p.steps());
        for (Part part : List.of(Part.W_GATE, Part.ATTENTION, Part.OUTPUT)) {
            assertTrue(p.parts().nanos[part.ordinal()] > 0, "batched " + part);
        }
        assertTrue(p.parts().total() + p.argmaxNanos() <= p.wall(), p.toString());
        StringWriter text = new StringWriter();
        r.print(new PrintWriter(text));
        for (String k : List.of("batched decode profile: 4 sequences x 6 steps", "w_down", "output", "(between)")) {
            assertTrue(text.toString().contains(k), text.toString());
        }
        assertEquals(null, ModelBench.run(loaded, new BenchOptions(40, 6, 8, KvCacheType.F16, 512, false, 4, 0)).batched().profile());
    }

    @Test
    void aProbeDoesNotChangeTheLogits() {
        // a probe only reads the clock between parts
        int[] prompt = {5, 9, 200, 31, 7, 64, 12, 99, 150, 3, 42, 8, 77, 18, 250, 1, 2, 3};
        PoolProfile loops = new PoolProfile(ComputePool.current().threads());
        try (KvCache kv = loaded.model().createCache(64, KvCacheType.F32);
             SequenceCache a = kv.newSequence(); SequenceCache b = kv.newSequence()) {
            float[] plain = loaded.model().forward(List.of(BatchEntry.of(a, prompt))).getFirst();
            float[] probed = loaded.model().forward(List.of(BatchEntry.of(b, prompt)), new PartTimer(loops)).getFirst();
            // within float rounding, not bit for bit: a kernel compiled by C2 between the two passes
            // reduces its lanes in another order (see ImageEmbeddingCacheTest)
            for (int i = 0; i < plain.length; i++) {
                assertEquals(plain[i], probed[i], 1e-5f * Math.max(1f, Math.abs(plain[i])), "logit " + i);
            }
        }
    }
}
