package jmistral.spark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmistral.model.TextConfig;
import jmistral.tensor.GgmlType;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Rows per second of one executor (local[1]) on the 2-layer full-width model (Q8_0, about 2.6 GB,
 * written once to the given path; never inside the repository). Not a test: run by hand, see the README.
 * Args: MODEL.gguf [rows=32] [batchSize=16] [maxTokens=32] [threads=0]
 */
public final class SparkThroughputBench {
    /** Mistral Small 3.2's text decoder cut to 2 layers. */
    static final TextConfig TWO_LAYERS = new TextConfig(5120, 2, 128, 32768, 32, 8, 1e-5, 1e9, 131072, 131072);

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        int maxTokens = args.length > 3 ? Integer.parseInt(args[3]) : 32;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        if (!Files.exists(model)) {
            long t0 = System.nanoTime();
            SynthGguf.write(model, TWO_LAYERS, SparkTestSession.tekken(), GgmlType.Q8_0, 1);
            System.out.printf("wrote %s (%.2f GB) in %.0f s%n", model, Files.size(model) / 1e9, (System.nanoTime() - t0) / 1e9);
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("jmistral-bench")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            StructType schema = new StructType().add("prompt", DataTypes.StringType);
            String[] topics = {"the sea", "Paris", "a cat", "prime numbers", "Spark", "tea", "rain", "chess"};
            List<Row> data = new ArrayList<>();
            for (int i = 0; i < rows; i++) data.add(RowFactory.create("Write one sentence about " + topics[i % topics.length] + " #" + i + "."));
            Dataset<Row> df = spark.createDataFrame(data, schema).coalesce(1);
            GenerationOptions o = GenerationOptions.builder(model.toString()).maxTokens(maxTokens).temperature(0)
                    .batchSize(batch).maxContext(256).threadsPerExecutor(threads).build();
            long t0 = System.nanoTime();
            JMistral.generate(df.limit(1), o).collectAsList();                 // loads the model
            System.out.printf("model load + 1 row: %.1f s%n", (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            List<Row> out = JMistral.generate(df, o).collectAsList();
            double s = (System.nanoTime() - t0) / 1e9;
            long tokens = out.stream().mapToLong(r -> r.<Integer>getAs("completion_tokens")).sum();
            System.out.printf("%d rows, batch %d, %d new tokens each at most: %.1f s, %.3f rows/s, %.1f generated tokens/s%n",
                    rows, batch, maxTokens, s, rows / s, tokens / s);
        } finally {
            spark.stop();
        }
    }
}
