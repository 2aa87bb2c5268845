package jmistral.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The answer columns added to each row, and the checks that the input columns exist with usable types.
 * <pre>
 * text              string   answer text (the content before any tool call); null on error
 * tool_calls        array&lt;struct&lt;id, name, arguments&gt;&gt;; empty when none; null on error
 * finish_reason     string   stop | length | tool_calls | loop | error
 * prompt_tokens     int      tokens of the encoded prompt; null when it could not be encoded
 * completion_tokens int      generated tokens (a stop token counts); null on error before generation
 * error             string   what went wrong with this row; null when it went well
 * </pre>
 */
public final class OutputColumns {
    private OutputColumns() {}

    public static final String TEXT = "text", TOOL_CALLS = "tool_calls", FINISH_REASON = "finish_reason",
            PROMPT_TOKENS = "prompt_tokens", COMPLETION_TOKENS = "completion_tokens", ERROR = "error";

    public static final StructType TOOL_CALL = new StructType()
            .add("id", DataTypes.StringType, true)
            .add("name", DataTypes.StringType, false)
            .add("arguments", DataTypes.StringType, true);

    static final StructField[] FIELDS = {
            DataTypes.createStructField(TEXT, DataTypes.StringType, true),
            DataTypes.createStructField(TOOL_CALLS, DataTypes.createArrayType(TOOL_CALL, false), true),
            DataTypes.createStructField(FINISH_REASON, DataTypes.StringType, false),
            DataTypes.createStructField(PROMPT_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(COMPLETION_TOKENS, DataTypes.IntegerType, true),
            DataTypes.createStructField(ERROR, DataTypes.StringType, true),
    };

    /** The input schema with the answer columns appended; throws IllegalArgumentException naming a bad column. */
    public static StructType appendTo(StructType input, GenerationOptions o) {
        if (o.messagesCol() != null) {
            requireType(input, o.messagesCol(), "messagesCol", "array<struct<role: string, content: string>>",
                    t -> t instanceof ArrayType a && a.elementType() instanceof StructType s
                            && has(s, "role") && has(s, "content"));
        } else {
            requireType(input, o.promptCol(), "promptCol", "string", t -> t == DataTypes.StringType);
        }
        if (o.imageCol() != null)
            requireType(input, o.imageCol(), "imageCol", "binary (e.g. the content column of the binaryFile source)",
                    t -> t == DataTypes.BinaryType);
        if (o.schemaCol() != null)
            requireType(input, o.schemaCol(), "schemaCol", "string (a JSON schema)", t -> t == DataTypes.StringType);
        List<StructField> fields = new ArrayList<>(Arrays.asList(input.fields()));
        for (StructField f : FIELDS) {
            if (has(input, f.name()))
                throw new IllegalArgumentException("the input already has a column '" + f.name()
                        + "'; rename or drop it first (answers go to: text, tool_calls, finish_reason, prompt_tokens, completion_tokens, error)");
            fields.add(f);
        }
        return new StructType(fields.toArray(StructField[]::new));
    }

    private static boolean has(StructType s, String name) {
        return Arrays.asList(s.fieldNames()).contains(name);
    }

    private static void requireType(StructType s, String col, String param, String expected,
                                    java.util.function.Predicate<DataType> ok) {
        if (!has(s, col))
            throw new IllegalArgumentException(param + " '" + col + "' is not a column of the input (columns: "
                    + String.join(", ", s.fieldNames()) + ")");
        DataType t = s.apply(col).dataType();
        if (!ok.test(t))
            throw new IllegalArgumentException(param + " '" + col + "' has type " + t.simpleString() + "; expected " + expected);
    }
}
