package jmistral.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatEvent.*;
import jmistral.engine.FinishReason;
import jmistral.engine.Usage;

import java.io.IOException;

/**
 * Turns a completion's events into a Responses API response: output items (an assistant {@code message}
 * with one {@code output_text} part, then one {@code function_call} item per tool call) and, for a stream,
 * the documented event sequence: {@code response.created}, {@code response.in_progress}, per item
 * {@code response.output_item.added}, ({@code response.content_part.added}, {@code response.output_text.delta}...,
 * {@code response.output_text.done}, {@code response.content_part.done}) or
 * ({@code response.function_call_arguments.delta}..., {@code response.function_call_arguments.done}),
 * {@code response.output_item.done}; then {@code response.completed} (or {@code response.incomplete} when
 * max_output_tokens cut the answer, {@code response.failed} when generation broke), each with the whole
 * response. A blocking request runs the same steps with a sink that drops the events.
 */
final class ResponseAssembler {

    /** Where stream events go ({@code type} and {@code sequence_number} already set). */
    @FunctionalInterface
    interface Sink {
        void send(ObjectNode event) throws IOException;
    }

    private final ObjectMapper json;
    private final String id;
    private final String model;
    private final long createdAt = System.currentTimeMillis() / 1000;
    private final ResponsesRequest.Echo echo;
    private final Sink sink;
    private final ArrayNode output;
    private int sequence;

    private ObjectNode message;              // the open assistant message item, or null
    private StringBuilder text;
    private ObjectNode call;                 // the open function_call item, or null
    private StringBuilder arguments;
    private FinishReason finishReason;
    private ObjectNode pending;              // the event being filled in, until flushed

    ResponseAssembler(ObjectMapper json, String id, String model, ResponsesRequest.Echo echo, Sink sink) {
        this.json = json;
        this.id = id;
        this.model = model;
        this.echo = echo;
        this.sink = sink;
        this.output = json.createArrayNode();
    }

    /** The stream's first two events. */
    void start() throws IOException {
        ObjectNode r = response("in_progress", null);
        emit("response.created").set("response", r);
        flushed();
        emit("response.in_progress").set("response", r);
        flushed();
    }

    /**
     * Takes one event (choice 0: the Responses API has one answer). Returns the finished response on
     * {@link Completed}, else null.
     */
    ObjectNode on(ChatEvent e) throws IOException {
        switch (e) {
            case TextDelta d when d.choice() == 0 -> {
                if (d.text().isEmpty()) return null;
                if (message == null) openMessage();
                text.append(d.text());
                ObjectNode ev = emit("response.output_text.delta");
                ev.put("item_id", message.get("id").asText()).put("output_index", output.size() - 1).put("content_index", 0)
                        .put("delta", d.text());
                ev.putArray("logprobs");
                flushed();
            }
            case ToolCallStart s when s.choice() == 0 -> {
                closeMessage("completed");
                closeCall("completed");
                call = json.createObjectNode();
                call.put("id", "fc_" + ChatCompletionsEndpoint.randomId(24)).put("type", "function_call")
                        .put("status", "in_progress").put("arguments", "").put("call_id", s.id()).put("name", s.name());
                arguments = new StringBuilder();
                output.add(call);
                itemEvent("response.output_item.added", call);
            }
            case ToolCallArguments a when a.choice() == 0 -> {
                arguments.append(a.fragment());
                emit("response.function_call_arguments.delta").put("item_id", call.get("id").asText())
                        .put("output_index", output.size() - 1).put("delta", a.fragment());
                flushed();
            }
            case ChoiceFinished f when f.choice() == 0 -> {
                finishReason = f.reason();
                String status = incomplete() ? "incomplete" : "completed";
                if (output.isEmpty() && message == null) openMessage();    // an empty answer is an empty message
                closeMessage(status);
                closeCall(status);
            }
            case Completed c -> {
                ObjectNode r = response(incomplete() ? "incomplete" : "completed", c.usage());
                emit(incomplete() ? "response.incomplete" : "response.completed").set("response", r);
                flushed();
                return r;
            }
            case Failed f -> {
                ObjectNode r = response("failed", null);
                ObjectNode error = r.putObject("error");
                error.put("code", "server_error").put("message", f.message());
                emit("response.failed").set("response", r);
                flushed();
            }
            default -> { }                                               // other choices: none are asked for
        }
        return null;
    }

    private boolean incomplete() {
        return finishReason == FinishReason.LENGTH || finishReason == FinishReason.LOOP;
    }

    private void openMessage() throws IOException {
        message = json.createObjectNode();
        message.put("id", "msg_" + ChatCompletionsEndpoint.randomId(24)).put("type", "message")
                .put("status", "in_progress").put("role", "assistant");
        message.putArray("content");
        text = new StringBuilder();
        output.add(message);
        itemEvent("response.output_item.added", message);
        ObjectNode ev = emit("response.content_part.added");
        ev.put("item_id", message.get("id").asText()).put("output_index", output.size() - 1).put("content_index", 0);
        ev.set("part", textPart(""));
        flushed();
    }

    private void closeMessage(String status) throws IOException {
        if (message == null) return;
        int index = indexOf(message);
        String itemId = message.get("id").asText(), full = text.toString();
        ObjectNode done = emit("response.output_text.done");
        done.put("item_id", itemId).put("output_index", index).put("content_index", 0).put("text", full);
        done.putArray("logprobs");
        flushed();
        ObjectNode part = textPart(full);
        ObjectNode partDone = emit("response.content_part.done");
        partDone.put("item_id", itemId).put("output_index", index).put("content_index", 0);
        partDone.set("part", part);
        flushed();
        ((ArrayNode) message.get("content")).add(part);
        message.put("status", status);
        itemEvent("response.output_item.done", message);
        message = null;
    }

    private void closeCall(String status) throws IOException {
        if (call == null) return;
        int index = indexOf(call);
        call.put("arguments", arguments.toString());
        emit("response.function_call_arguments.done").put("item_id", call.get("id").asText()).put("output_index", index)
                .put("name", call.get("name").asText()).put("arguments", arguments.toString());
        flushed();
        call.put("status", status);
        itemEvent("response.output_item.done", call);
        call = null;
    }

    private ObjectNode textPart(String value) {
        ObjectNode part = json.createObjectNode();
        part.put("type", "output_text").put("text", value);
        part.putArray("annotations");
        part.putArray("logprobs");
        return part;
    }

    private void itemEvent(String type, ObjectNode item) throws IOException {
        ObjectNode ev = emit(type);
        ev.put("output_index", indexOf(item));
        ev.set("item", item.deepCopy());
        flushed();
    }

    private int indexOf(ObjectNode item) {
        for (int i = 0; i < output.size(); i++) if (output.get(i) == item) return i;
        throw new IllegalStateException("item not in the output");
    }

    /** A new event of {@code type}, numbered; filled by the caller, then sent by {@link #flushed()}. */
    private ObjectNode emit(String type) {
        pending = json.createObjectNode();
        pending.put("type", type).put("sequence_number", sequence++);
        return pending;
    }

    private void flushed() throws IOException {
        sink.send(pending);
        pending = null;
    }

    /** The response object, as every event that carries one and the blocking answer show it. */
    ObjectNode response(String status, Usage usage) {
        ObjectNode r = json.createObjectNode();
        r.put("id", id);
        r.put("object", "response");
        r.put("created_at", createdAt);
        r.put("status", status);
        r.put("background", false);
        r.putNull("error");
        if (status.equals("incomplete")) r.putObject("incomplete_details").put("reason", "max_output_tokens");
        else r.putNull("incomplete_details");
        r.set("instructions", orNull(echo.instructions()));
        r.set("max_output_tokens", orNull(echo.maxOutputTokens()));
        r.put("model", model);
        r.set("output", status.equals("in_progress") ? json.createArrayNode() : output.deepCopy());
        r.put("parallel_tool_calls", echo.parallelToolCalls());
        r.putNull("previous_response_id");
        ObjectNode reasoning = r.putObject("reasoning");
        reasoning.putNull("effort");
        reasoning.putNull("summary");
        r.put("store", false);
        if (echo.temperature() != null && echo.temperature().isNumber()) r.set("temperature", echo.temperature());
        else r.put("temperature", 0.15);
        r.putObject("text").set("format", echo.textFormat());
        if (echo.toolChoice() != null && !echo.toolChoice().isNull()) r.set("tool_choice", echo.toolChoice());
        else r.put("tool_choice", "auto");
        r.set("tools", echo.tools() != null && echo.tools().isArray() ? echo.tools() : json.createArrayNode());
        if (echo.topP() != null && echo.topP().isNumber()) r.set("top_p", echo.topP());
        else r.put("top_p", 1.0);
        r.put("truncation", "disabled");
        if (usage == null) {
            r.putNull("usage");
        } else {
            ObjectNode u = r.putObject("usage");
            u.put("input_tokens", usage.promptTokens());
            u.putObject("input_tokens_details").put("cached_tokens", usage.cachedTokens());
            u.put("output_tokens", usage.completionTokens());
            u.putObject("output_tokens_details").put("reasoning_tokens", 0);
            u.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        }
        r.putNull("user");
        r.set("metadata", echo.metadata() != null && echo.metadata().isObject() ? echo.metadata() : json.createObjectNode());
        return r;
    }

    private JsonNode orNull(JsonNode n) {
        return n == null ? json.nullNode() : n;
    }

    /** How the answer ended (for the request log). */
    String finishReason() {
        return finishReason == null ? "none" : finishReason.name().toLowerCase(java.util.Locale.ROOT);
    }
}
