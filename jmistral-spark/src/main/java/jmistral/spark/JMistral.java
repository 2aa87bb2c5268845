package jmistral.spark;

import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ResponseFormat;
import jmistral.engine.Engine;
import jmistral.engine.InvalidRequestException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The DataFrame entry point: {@code JMistral.generate(df, GenerationOptions.builder(model).build())}
 * returns df with the answer columns of {@link OutputColumns} added. Lazy, like any transformation.
 * Each executor JVM opens the model's engine once ({@link ExecutorModels}); each task answers its
 * partition's rows in batches of {@code batchSize}. A row that cannot be answered gets finish_reason
 * "error" and a message in the error column; the job goes on.
 */
public final class JMistral {
    private JMistral() {}

    public static Dataset<Row> generate(Dataset<Row> df, GenerationOptions options) {
        StructType out = OutputColumns.appendTo(df.schema(), options);
        var tools = RowPreparer.parseTools(options.tools());             // fail on the driver, not in every task
        var choice = ToolChoice.parse(options.toolChoice(), tools);
        ChatOptions settings = ChatOptions.DEFAULTS.withToolChoice(choice).withParallelToolCalls(options.parallelToolCalls());
        try {
            Engine.checkOutputConstraints(ChatRequest.of(List.of()).withTools(tools).withOptions(settings));
        } catch (InvalidRequestException e) {
            throw new IllegalArgumentException("tools: " + e.getMessage(), e);
        }
        if (choice.forcesCall() && options.responseSchema() != null)
            throw new IllegalArgumentException("responseSchema cannot apply when toolChoice is '" + options.toolChoice()
                    + "': every answer is a tool call");
        if (options.responseSchema() != null) {
            try {
                Engine.checkOutputConstraints(ChatRequest.of(List.of())
                        .withOptions(ChatOptions.DEFAULTS.withResponseFormat(ResponseFormat.jsonSchema(options.responseSchema()))));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("responseSchema: " + e.getMessage(), e);
            }
        }
        return df.mapPartitions(new GeneratePartition(options, df.schema()), Encoders.row(out));
    }
}
