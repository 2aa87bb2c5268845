package jmistral.spark;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Spark ML stage that answers each row with Mistral Small 3.2: adds text, tool_calls, finish_reason,
 * prompt_tokens, completion_tokens and error columns (see {@link OutputColumns}). Every setting is an
 * ML param, so the stage saves and loads with a Pipeline ({@code DefaultParamsWritable}); the model
 * itself is not saved, only where it is ({@code model}: a path on every executor or a HF repo id).
 * <pre>{@code
 * var mistral = new MistralTransformer().setModel("/models/Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf")
 *         .setInputCol("question").setMaxTokens(128).setTemperature(0);
 * Dataset<Row> answers = mistral.transform(questions);
 * }</pre>
 */
public class MistralTransformer extends Transformer implements DefaultParamsWritable {
    private final String uid;

    private final Param<String> model, inputCol, messagesCol, systemPrompt, imageCol, mmproj, schemaCol, responseSchema, tools, toolChoice;
    private final BooleanParam parallelToolCalls;
    private final DoubleParam temperature, topP;
    private final IntParam maxTokens, threadsPerExecutor, batchSize, maxContext, draftTokens;
    private final LongParam seed;

    public MistralTransformer() { this(Identifiable.randomUID("mistral")); }

    public MistralTransformer(String uid) {
        this.uid = uid;
        model = new Param<>(this, "model", "GGUF file or model folder every executor sees, or a Hugging Face repo id ORG/NAME[:QUANT]");
        inputCol = new Param<>(this, "inputCol", "string column with the user prompt");
        messagesCol = new Param<>(this, "messagesCol", "array<struct<role, content>> column with a whole chat (instead of inputCol)");
        systemPrompt = new Param<>(this, "systemPrompt", "system prompt for rows without one");
        imageCol = new Param<>(this, "imageCol", "binary column with an encoded image");
        mmproj = new Param<>(this, "mmproj", "vision weights for imageCol (mmproj GGUF or folder every executor sees); unset = the model's own");
        schemaCol = new Param<>(this, "schemaCol", "string column with a JSON schema the answer must follow");
        responseSchema = new Param<>(this, "responseSchema", "JSON schema every answer must follow");
        tools = new Param<>(this, "tools", "OpenAI-style JSON array of function tools");
        toolChoice = new Param<>(this, "toolChoice", "auto | none | required (any) | a tool's name");
        parallelToolCalls = new BooleanParam(this, "parallelToolCalls", "whether an answer may hold several tool calls");
        temperature = new DoubleParam(this, "temperature", "sampling temperature (0 = greedy)", ParamValidators.gtEq(0));
        topP = new DoubleParam(this, "topP", "nucleus sampling mass", ParamValidators.inRange(0, 1, false, true));
        maxTokens = new IntParam(this, "maxTokens", "answer tokens per row at most", ParamValidators.gtEq(1));
        seed = new LongParam(this, "seed", "base seed of the per-row seeds");
        threadsPerExecutor = new IntParam(this, "threadsPerExecutor", "compute threads per executor JVM (0 = all cores)", ParamValidators.gtEq(0));
        batchSize = new IntParam(this, "batchSize", "rows of a partition generated together", ParamValidators.gtEq(1));
        maxContext = new IntParam(this, "maxContext", "tokens per row at most (prompt + answer)", ParamValidators.gtEq(2));
        draftTokens = new IntParam(this, "draftTokens", "speculative decoding: tokens drafted from a row's earlier text and verified in one pass (0 = off)", ParamValidators.inRange(0, 64));
        GenerationOptions d = GenerationOptions.builder("").build();
        setDefault(inputCol, d.promptCol());
        setDefault(toolChoice, d.toolChoice());
        setDefault(parallelToolCalls, d.parallelToolCalls());
        setDefault(temperature, d.temperature());
        setDefault(topP, d.topP());
        setDefault(maxTokens, d.maxTokens());
        setDefault(seed, d.seed());
        setDefault(threadsPerExecutor, d.threadsPerExecutor());
        setDefault(batchSize, d.batchSize());
        setDefault(maxContext, d.maxContext());
        setDefault(draftTokens, d.draftTokens());
    }

    @Override public String uid() { return uid; }

    /** The settings as the DataFrame function takes them. */
    public GenerationOptions options() {
        if (!isDefined(model)) throw new IllegalArgumentException("MistralTransformer: set the model (setModel)");
        return GenerationOptions.builder($(model)).promptCol($(inputCol)).messagesCol(opt(messagesCol))
                .systemPrompt(opt(systemPrompt)).imageCol(opt(imageCol)).mmproj(opt(mmproj)).schemaCol(opt(schemaCol))
                .responseSchema(opt(responseSchema)).tools(opt(tools)).toolChoice($(toolChoice))
                .parallelToolCalls((Boolean) $(parallelToolCalls))
                .temperature((Double) $(temperature)).topP((Double) $(topP)).maxTokens((Integer) $(maxTokens))
                .seed((Long) $(seed)).threadsPerExecutor((Integer) $(threadsPerExecutor))
                .batchSize((Integer) $(batchSize)).maxContext((Integer) $(maxContext))
                .draftTokens((Integer) $(draftTokens)).build();
    }

    private String opt(Param<String> p) { return isDefined(p) ? $(p) : null; }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return JMistral.generate(dataset.toDF(), options());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return OutputColumns.appendTo(schema, options());
    }

    @Override
    public MistralTransformer copy(ParamMap extra) { return defaultCopy(extra); }

    // --- persistence: DefaultParamsWritable writes the params; this reads them back (Pipeline.load calls it)

    public static MLReader<MistralTransformer> read() { return new DefaultParamsReader<>(); }

    public static MistralTransformer load(String path) { return read().load(path); }

    // --- params and setters

    public Param<String> model() { return model; }
    public Param<String> inputCol() { return inputCol; }
    public Param<String> messagesCol() { return messagesCol; }
    public Param<String> systemPrompt() { return systemPrompt; }
    public Param<String> imageCol() { return imageCol; }
    public Param<String> mmproj() { return mmproj; }
    public Param<String> schemaCol() { return schemaCol; }
    public Param<String> responseSchema() { return responseSchema; }
    public Param<String> tools() { return tools; }
    public Param<String> toolChoice() { return toolChoice; }
    public BooleanParam parallelToolCalls() { return parallelToolCalls; }
    public DoubleParam temperature() { return temperature; }
    public DoubleParam topP() { return topP; }
    public IntParam maxTokens() { return maxTokens; }
    public LongParam seed() { return seed; }
    public IntParam threadsPerExecutor() { return threadsPerExecutor; }
    public IntParam batchSize() { return batchSize; }
    public IntParam maxContext() { return maxContext; }
    public IntParam draftTokens() { return draftTokens; }

    public MistralTransformer setModel(String v) { set(model, v); return this; }
    public MistralTransformer setInputCol(String v) { set(inputCol, v); return this; }
    public MistralTransformer setMessagesCol(String v) { set(messagesCol, v); return this; }
    public MistralTransformer setSystemPrompt(String v) { set(systemPrompt, v); return this; }
    public MistralTransformer setImageCol(String v) { set(imageCol, v); return this; }
    public MistralTransformer setMmproj(String v) { set(mmproj, v); return this; }
    public MistralTransformer setSchemaCol(String v) { set(schemaCol, v); return this; }
    public MistralTransformer setResponseSchema(String v) { set(responseSchema, v); return this; }
    public MistralTransformer setTools(String v) { set(tools, v); return this; }
    public MistralTransformer setToolChoice(String v) { set(toolChoice, v); return this; }
    public MistralTransformer setParallelToolCalls(boolean v) { set(parallelToolCalls, v); return this; }
    public MistralTransformer setTemperature(double v) { set(temperature, v); return this; }
    public MistralTransformer setTopP(double v) { set(topP, v); return this; }
    public MistralTransformer setMaxTokens(int v) { set(maxTokens, v); return this; }
    public MistralTransformer setSeed(long v) { set(seed, v); return this; }
    public MistralTransformer setThreadsPerExecutor(int v) { set(threadsPerExecutor, v); return this; }
    public MistralTransformer setBatchSize(int v) { set(batchSize, v); return this; }
    public MistralTransformer setMaxContext(int v) { set(maxContext, v); return this; }
    public MistralTransformer setDraftTokens(int v) { set(draftTokens, v); return this; }
}
