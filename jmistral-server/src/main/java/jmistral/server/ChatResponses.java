package jmistral.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jmistral.chat.ToolCall;
import jmistral.engine.ChatResponse;
import jmistral.engine.TokenLogprob;
import jmistral.engine.Usage;

import java.util.List;

/** Builds OpenAI-shaped JSON: completions, streaming chunks, usage, logprobs, errors. */
final class ChatResponses {
    private final ObjectMapper json;
    private final String id;
    private final long created;
    private final String model;

    ChatResponses(ObjectMapper json, String id, long created, String model) {
        this.json = json;
        this.id = id;
        this.created = created;
        this.model = model;
    }

    /** The envelope shared by every chunk of one streamed completion. */
    ObjectNode chunk() {
        ObjectNode c = json.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        c.put("system_fingerprint", "jmistral");
        return c;
    }

    /** A chunk with one choice and the given delta; finishReason may be null. */
    ObjectNode choiceChunk(int index, ObjectNode delta, String finishReason, List<TokenLogprob> logprobs, boolean usageNull) {
        ObjectNode c = chunk();
        ObjectNode choice = c.putArray("choices").addObject();
        choice.put("index", index);
        choice.set("delta", delta);
        if (logprobs != null && !logprobs.isEmpty()) choice.set("logprobs", logprobs(logprobs));
        else choice.putNull("logprobs");
        if (finishReason == null) choice.putNull("finish_reason");
        else choice.put("finish_reason", finishReason);
        if (usageNull) c.putNull("usage");
        return c;
    }

    ObjectNode usageChunk(Usage usage) {
        ObjectNode c = chunk();
        c.putArray("choices");
        c.set("usage", usage(usage));
        return c;
    }

    ObjectNode delta() {
        return json.createObjectNode();
    }

    /** A delta with complete tool calls (id, name and all arguments in one), as Mistral's API streams them. */
    ObjectNode wholeToolCalls(List<ToolCall> calls) {
        ObjectNode delta = delta();
        delta.put("content", "");
        ArrayNode arr = delta.putArray("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            ObjectNode c = arr.addObject();
            c.put("id", calls.get(i).id());
            c.put("type", "function");
            c.put("index", i);
            ObjectNode fn = c.putObject("function");
            fn.put("name", calls.get(i).name());
            fn.put("arguments", calls.get(i).arguments());
        }
        return delta;
    }

    /** The non-streaming answer. */
    ObjectNode completion(ChatResponse answer, boolean namedToolChoice, boolean withLogprobs) {
        ObjectNode r = json.createObjectNode();
        r.put("id", id);
        r.put("object", "chat.completion");
        r.put("created", created);
        r.put("model", model);
        r.put("system_fingerprint", "jmistral");
        ArrayNode arr = r.putArray("choices");
        for (ChatResponse.Choice ch : answer.choices()) {
            ObjectNode choice = arr.addObject();
            choice.put("index", ch.index());
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            if (ch.content().isEmpty() && !ch.toolCalls().isEmpty()) message.putNull("content");
            else message.put("content", ch.content());
            message.putNull("refusal");
            if (!ch.toolCalls().isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                for (ToolCall call : ch.toolCalls()) {
                    ObjectNode c = calls.addObject();
                    c.put("id", call.id());
                    c.put("type", "function");
                    ObjectNode fn = c.putObject("function");
                    fn.put("name", call.name());
                    fn.put("arguments", call.arguments());
                }
            }
            if (withLogprobs) {
                ObjectNode lp = choice.putObject("logprobs");
                lp.set("content", logprobArray(ch.logprobs()));
                lp.putNull("refusal");
            } else {
                choice.putNull("logprobs");
            }
            choice.put("finish_reason", ChatCompletionsEndpoint.finishReason(ch.finishReason(), namedToolChoice));
        }
        r.set("usage", usage(answer.usage()));
        return r;
    }

    ObjectNode usage(Usage usage) {
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", usage.promptTokens());
        u.put("completion_tokens", usage.completionTokens());
        u.put("total_tokens", usage.promptTokens() + usage.completionTokens());
        u.putObject("prompt_tokens_details").put("cached_tokens", usage.cachedTokens());
        return u;
    }

    private ObjectNode logprobs(List<TokenLogprob> logprobs) {
        ObjectNode lp = json.createObjectNode();
        lp.set("content", logprobArray(logprobs));
        lp.putNull("refusal");
        return lp;
    }

    private ArrayNode logprobArray(List<TokenLogprob> logprobs) {
        ArrayNode arr = json.createArrayNode();
        for (TokenLogprob t : logprobs) {
            ObjectNode o = arr.addObject();
            o.put("token", t.token());
            o.put("logprob", t.logprob());
            bytes(o, t.bytes());
            ArrayNode top = o.putArray("top_logprobs");
            for (TokenLogprob.Alternative alt : t.top()) {
                ObjectNode a = top.addObject();
                a.put("token", alt.token());
                a.put("logprob", alt.logprob());
                bytes(a, alt.bytes());
            }
        }
        return arr;
    }

    private static void bytes(ObjectNode o, byte[] bytes) {
        if (bytes == null) {
            o.putNull("bytes");
            return;
        }
        ArrayNode b = o.putArray("bytes");
        for (byte x : bytes) b.add(x & 0xFF);
    }
}
