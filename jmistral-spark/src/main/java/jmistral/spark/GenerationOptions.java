package jmistral.spark;

import java.io.Serializable;
import java.util.Objects;
import jmistral.generate.Speculation;

/**
 * Everything a Spark job needs to generate answers for a DataFrame: where the model is, which columns
 * hold the input, and how to sample. Serializable: it travels with each task to the executors.
 *
 * @param model              a path every executor sees (GGUF file or model folder), or a Hugging Face repo id
 *                           {@code ORG/NAME[:QUANT]} pulled into each executor's local cache (HF_HOME)
 * @param promptCol          string column with the user prompt (used when messagesCol is null)
 * @param messagesCol        array&lt;struct&lt;role, content&gt;&gt; column with a whole chat; null = use promptCol
 * @param systemPrompt       system prompt put first when a row has none; null = none
 * @param imageCol           binary column with an encoded image (PNG, JPEG...) per row; null = no images
 * @param mmproj             vision weights for imageCol (an mmproj GGUF or a model folder every executor
 *                           sees); null = the model's own (the mmproj GGUF beside it, or its folder's)
 * @param schemaCol          string column with a JSON schema per row (structured output); null = none
 * @param responseSchema     one JSON schema for every row (used when schemaCol is null or the row's value is null)
 * @param tools              OpenAI-style JSON array of function tools offered to the model; null = none
 * @param toolChoice         auto | none | required (or any) | a tool's name; see {@link ToolChoice}
 * @param parallelToolCalls  whether an answer may hold several calls
 * @param temperature        sampling temperature (0 = greedy)
 * @param topP               nucleus sampling mass in (0, 1]
 * @param maxTokens          answer tokens per row at most
 * @param seed               base seed; each row's seed derives from it and the row (see {@link RowSeeds})
 * @param threadsPerExecutor compute threads of each executor JVM; 0 = all its cores
 * @param batchSize          rows of a partition generated together in one batch
 * @param maxContext         tokens per row at most (prompt + answer); sizes each task's KV cache
 *                           (batchSize x maxContext tokens)
 * @param draftTokens        speculative decoding by prompt lookup: tokens drafted from a row's earlier
 *                           text and verified in the same pass, per row and step at most; 0 = off
 */
public record GenerationOptions(String model, String promptCol, String messagesCol, String systemPrompt,
                                String imageCol, String mmproj, String schemaCol, String responseSchema,
                                String tools, String toolChoice, boolean parallelToolCalls,
                                double temperature, double topP, int maxTokens, long seed,
                                int threadsPerExecutor, int batchSize, int maxContext, int draftTokens) implements Serializable {

    public GenerationOptions {
        Objects.requireNonNull(model, "model (a path or a Hugging Face repo id)");
        if (promptCol == null && messagesCol == null)
            throw new IllegalArgumentException("set promptCol or messagesCol");
        if (!(temperature >= 0) || Double.isInfinite(temperature))
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        if (threadsPerExecutor < 0) throw new IllegalArgumentException("threadsPerExecutor must be >= 0");
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        if (maxContext <= maxTokens)
            throw new IllegalArgumentException("maxContext (" + maxContext + ") must exceed maxTokens (" + maxTokens + ")");
        if (draftTokens < 0 || draftTokens > Speculation.MAX_DRAFT_TOKENS)
            throw new IllegalArgumentException("draftTokens must be in [0, " + Speculation.MAX_DRAFT_TOKENS + "] (0 = off), got " + draftTokens);
    }

    public static Builder builder(String model) { return new Builder(model); }

    /** Defaults: prompt column "prompt", tool choice auto with parallel calls, temperature 0.15, top_p 1, 256 tokens, seed 0, batches of 8, 2048 tokens per row, 8 draft tokens. */
    public static final class Builder {
        private final String model;
        private String promptCol = "prompt", messagesCol, systemPrompt, imageCol, mmproj, schemaCol, responseSchema, tools;
        private String toolChoice = "auto";
        private boolean parallelToolCalls = true;
        private double temperature = 0.15, topP = 1.0;
        private int maxTokens = 256, threadsPerExecutor, batchSize = 8, maxContext = 2048;
        private int draftTokens = Speculation.DEFAULT.draftTokens();
        private long seed;

        private Builder(String model) { this.model = model; }

        public Builder promptCol(String v) { promptCol = v; return this; }
        public Builder messagesCol(String v) { messagesCol = v; return this; }
        public Builder systemPrompt(String v) { systemPrompt = v; return this; }
        public Builder imageCol(String v) { imageCol = v; return this; }
        public Builder mmproj(String v) { mmproj = v; return this; }
        public Builder schemaCol(String v) { schemaCol = v; return this; }
        public Builder responseSchema(String v) { responseSchema = v; return this; }
        public Builder tools(String v) { tools = v; return this; }
        public Builder toolChoice(String v) { toolChoice = v; return this; }
        public Builder parallelToolCalls(boolean v) { parallelToolCalls = v; return this; }
        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threadsPerExecutor(int v) { threadsPerExecutor = v; return this; }
        public Builder batchSize(int v) { batchSize = v; return this; }
        public Builder maxContext(int v) { maxContext = v; return this; }
        public Builder draftTokens(int v) { draftTokens = v; return this; }

        public GenerationOptions build() {
            return new GenerationOptions(model, promptCol, messagesCol, systemPrompt, imageCol, mmproj, schemaCol,
                    responseSchema, tools, toolChoice, parallelToolCalls, temperature, topP, maxTokens, seed, threadsPerExecutor, batchSize, maxContext, draftTokens);
        }
    }
}
