package jmistral.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * The DataFrame entry point: {@code JMistral.generate(df, GenerationOptions.builder(model).build())}
 * returns df with the answer columns of {@link OutputColumns} added. Lazy, like any transformation.
 * Each executor JVM loads the model once ({@link ExecutorModels}); each task answers its partition's
 * rows in batches of {@code batchSize}. A row that cannot be answered gets finish_reason "error" and a
 * message in the error column; the job goes on.
 */
public final class JMistral {
    private JMistral() {}

    public static Dataset<Row> generate(Dataset<Row> df, GenerationOptions options) {
        StructType out = OutputColumns.appendTo(df.schema(), options);
        var tools = RowPreparer.parseTools(options.tools());             // fail on the driver, not in every task
        var choice = ToolChoice.parse(options.toolChoice(), tools);
        if (!tools.isEmpty()) {
            try {
                jmistral.generate.constraint.Grammar.toolCalls(ToolChoice.grammarTools(tools), choice, options.parallelToolCalls(),
                        jmistral.generate.constraint.ToolCallGrammar.SpecialIds.TEKKEN_V11);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("tools: " + e.getMessage(), e);
            }
        }
        if (ToolChoice.forcesCall(choice) && options.responseSchema() != null)
            throw new IllegalArgumentException("responseSchema cannot apply when toolChoice is '" + options.toolChoice()
                    + "': every answer is a tool call");
        if (options.responseSchema() != null) {
            try {
                jmistral.generate.constraint.Grammar.jsonSchema(options.responseSchema());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("responseSchema: " + e.getMessage(), e);
            }
        }
        return df.mapPartitions(new GeneratePartition(options, df.schema()), Encoders.row(out));
    }
}
