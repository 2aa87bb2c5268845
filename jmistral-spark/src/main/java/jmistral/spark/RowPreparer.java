package jmistral.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ResponseFormat;
import jmistral.chat.Tool;
import jmistral.engine.Engine;
import jmistral.image.ImageDecoder;
import jmistral.image.RgbImage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Turns an input row into a {@link PreparedRow}: the chat request (system prompt, prompt or messages, the
 * row's image decoded into the last user message, tools and tool choice, the row's JSON schema, sampling
 * with the row's seed). Problems found here (null prompt, unknown role, bad schema, undecodable image)
 * become the row's error instead of an exception; the engine reports the rest (too long, no vision
 * weights) per row.
 */
final class RowPreparer {
    private final GenerationOptions o;
    private final int promptIdx, messagesIdx, imageIdx, schemaIdx;
    private final List<Tool> tools;
    private final jmistral.chat.ToolChoice toolChoice;
    private final ImageDecoder images = new ImageDecoder();

    RowPreparer(GenerationOptions o, StructType input) {
        this.o = o;
        this.messagesIdx = o.messagesCol() == null ? -1 : input.fieldIndex(o.messagesCol());
        this.promptIdx = o.messagesCol() != null ? -1 : input.fieldIndex(o.promptCol());
        this.imageIdx = o.imageCol() == null ? -1 : input.fieldIndex(o.imageCol());
        this.schemaIdx = o.schemaCol() == null ? -1 : input.fieldIndex(o.schemaCol());
        this.tools = parseTools(o.tools());
        this.toolChoice = ToolChoice.parse(o.toolChoice(), tools);
    }

    PreparedRow prepare(Row row, long indexInPartition) {
        RowSeeds.Key key = new RowSeeds.Key();
        String rowSchema = schemaIdx >= 0 && !row.isNullAt(schemaIdx) ? row.getString(schemaIdx) : null;
        String schema = rowSchema != null ? rowSchema : o.responseSchema();
        byte[] image = imageIdx >= 0 && !row.isNullAt(imageIdx) ? (byte[]) row.get(imageIdx) : null;
        try {
            List<ChatMessage> messages = messages(row, key);
            key.add(schema).addBytes(image);
            long seed = RowSeeds.seed(o.seed(), key.hash(), indexInPartition);
            if (image != null) {
                RgbImage pixels;
                try {
                    pixels = images.decode(image, o.imageCol());
                } catch (RuntimeException e) {
                    return PreparedRow.failed("image in " + o.imageCol() + " cannot be decoded: " + e.getMessage(), seed);
                }
                messages = RowImage.attach(messages, pixels);
            }
            ChatOptions options = ChatOptions.DEFAULTS.withToolChoice(toolChoice).withParallelToolCalls(o.parallelToolCalls())
                    .withTemperature(o.temperature()).withTopP(o.topP()).withMaxTokens(o.maxTokens()).withSeed(seed);
            try {
                options = options.withResponseFormat(responseFormat(schema, rowSchema != null));
            } catch (RuntimeException e) {
                return PreparedRow.failed(e.getMessage(), seed);
            }
            return new PreparedRow(new ChatRequest(messages, tools, false, options).withDefaultSystemPrompt(o.systemPrompt()), seed, null);
        } catch (RuntimeException e) {
            return PreparedRow.failed(e.getMessage() == null ? e.toString() : e.getMessage(),
                    RowSeeds.seed(o.seed(), key.hash(), indexInPartition));
        }
    }

    /**
     * The JSON the answer must be: the row's schema, else the job's (checked on the driver); none when
     * every answer is a tool call (required / named), where a row's own schema is an error. With tools
     * and a schema, the schema constrains the answer; without one, the tool-call grammar does.
     */
    private ResponseFormat responseFormat(String schema, boolean fromRow) {
        if (toolChoice.forcesCall()) {
            if (fromRow) throw new IllegalArgumentException("a JSON schema in " + o.schemaCol()
                    + " cannot apply when toolChoice is '" + o.toolChoice() + "' (every answer is a tool call)");
            return ResponseFormat.TEXT;
        }
        if (schema == null) return ResponseFormat.TEXT;
        try {
            ResponseFormat format = ResponseFormat.jsonSchema(schema);
            if (fromRow) Engine.checkOutputConstraints(ChatRequest.of(List.of()).withOptions(ChatOptions.DEFAULTS.withResponseFormat(format)));
            return format;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad JSON schema: " + e.getMessage(), e);
        }
    }

    private List<ChatMessage> messages(Row row, RowSeeds.Key key) {
        if (promptIdx >= 0) {
            if (row.isNullAt(promptIdx)) throw new IllegalArgumentException(o.promptCol() + " is null");
            String prompt = row.getString(promptIdx);
            key.add(prompt);
            return List.of(ChatMessage.User.text(prompt));
        }
        if (row.isNullAt(messagesIdx)) throw new IllegalArgumentException(o.messagesCol() + " is null");
        List<Row> list = row.getList(messagesIdx);
        List<ChatMessage> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Row m = list.get(i);
            String role = m.getAs("role"), content = m.getAs("content");
            key.add(role).add(content);
            out.add(switch (role == null ? "" : role) {
                case "system" -> new ChatMessage.System(content);
                case "user" -> ChatMessage.User.text(content);
                case "assistant" -> ChatMessage.Assistant.text(content);
                default -> throw new IllegalArgumentException(o.messagesCol() + "[" + i + "].role is '" + role
                        + "'; expected system, user or assistant");
            });
        }
        return out;
    }

    /** OpenAI tools JSON: [{"type": "function", "function": {"name", "description", "parameters"}}]. */
    static List<Tool> parseTools(String json) {
        if (json == null || json.isBlank()) return List.of();
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(json);
        } catch (Exception e) {
            throw new IllegalArgumentException("tools is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isArray()) throw new IllegalArgumentException("tools must be a JSON array of {type: function, function: {...}}");
        List<Tool> tools = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            JsonNode f = root.get(i).path("function");
            if (!f.path("name").isTextual()) throw new IllegalArgumentException("tools[" + i + "].function.name is missing");
            tools.add(new Tool(f.get("name").asText(), f.path("description").asText(""),
                    f.hasNonNull("parameters") ? f.get("parameters") : null));
        }
        return tools;
    }
}
