package jmistral.spark;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import jmistral.model.TextConfig;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;
import org.apache.spark.sql.SparkSession;

/** A local[2] session bound to loopback only, and the small synthetic model the tests run. */
final class SparkTestSession {
    private SparkTestSession() {}

    /** dim 64, 2 layers, 4 heads x 32 (q width 128 != dim), 2 KV heads, SwiGLU 128, the real 131072-token vocabulary. */
    static final TextConfig SMALL = new TextConfig(64, 2, 32, 128, 4, 2, 1e-5, 1e9, 131072, 4096);

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

    static Path writeSmallModel(Path dir, Tekken tekken) throws IOException {
        Path file = dir.resolve("synth-small-Q8_0.gguf");
        SynthGguf.write(file, SMALL, tekken, GgmlType.Q8_0, 7);
        return file;
    }
}
