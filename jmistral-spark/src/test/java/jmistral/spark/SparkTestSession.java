package jmistral.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import jmistral.model.TextConfig;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.VisionConfig;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;
import org.apache.spark.sql.SparkSession;

/**
 * What every test class of the module shares, made once per test JVM: a local[2] session bound to
 * loopback only, the real vocabulary, and a small synthetic model with a tiny vision tower beside it
 * (an mmproj GGUF the model resolver finds). Sharing keeps the session start, the model files and the
 * executor's one model load (with its grammars' vocabulary trie) to once for all classes.
 */
final class SparkTestSession {
    private SparkTestSession() {}

    /** dim 64, 2 layers, 4 heads x 32 (q width 128 != dim), 2 KV heads, SwiGLU 128, the real 131072-token vocabulary. */
    static final TextConfig SMALL = new TextConfig(64, 2, 32, 128, 4, 2, 1e-5, 1e9, 131072, 4096);
    /** 1 layer of width 32, projecting to the text model's 64. */
    static final VisionConfig VISION = new VisionConfig(32, 1, 2, 64, 14, 2, 64, 1e-5f, 1e4);

    record Shared(SparkSession spark, Tekken tekken, Path dir, Path model, Path mmproj) {}

    private static Shared shared;

    static synchronized Shared get() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("jmistral-spark-test");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
                var files = CompletableFuture.supplyAsync(() -> writeFiles(dir));    // while Spark starts
                SparkSession spark = start();
                Tekken tekken = files.join();
                shared = new Shared(spark, tekken, dir, dir.resolve(MODEL), dir.resolve(MMPROJ));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private static final String MODEL = "synth-small-Q8_0.gguf", MMPROJ = "mmproj-synth-small-f16.gguf";

    /** The model and its vision tower; returns the vocabulary they were written with. */
    private static Tekken writeFiles(Path dir) {
        try {
            Tekken tekken = tekken();
            SynthGguf.write(dir.resolve(MODEL), SMALL, tekken, GgmlType.Q8_0, 7);
            SynthVisionFiles.writeMmproj(dir.resolve(MMPROJ), VISION, 5, new float[SMALL.dim()]);   // img_break: unused by the engine
            return tekken;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SparkSession start() {
        return SparkSession.builder().master("local[2]").appName("jmistral-spark-test")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.task.maxFailures", "1")
                .getOrCreate();
    }

    static Tekken tekken() {
        try {
            return Tekken.fromTekkenJson(Path.of(SparkTestSession.class
                    .getResource("/data/mistral-small-3.2/tekken_v11_synthesized.json").toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
