package jmistral.chat;

import jmistral.tokenizer.ImageConfig;
import jmistral.tokenizer.IntList;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;

import java.util.ArrayList;
import java.util.List;

/**
 * Encodes a chat request exactly as mistral-common's {@code InstructTokenizerV11} (after validation and
 * normalization): {@code <s>}, then per message
 * <ul>
 * <li>system: {@code [SYSTEM_PROMPT]text[/SYSTEM_PROMPT]} in place;</li>
 * <li>user: {@code [AVAILABLE_TOOLS]json[/AVAILABLE_TOOLS]} before the last user message only, then
 *     {@code [INST]content[/INST]} (texts and image blocks; a [text, image] pair puts the image first);</li>
 * <li>assistant: text with trailing spaces stripped, each call as
 *     {@code [TOOL_CALLS]name[CALL_ID]id[ARGS]json}, then {@code </s>} unless prefix/continued;</li>
 * <li>tool: {@code [TOOL_RESULTS]id[TOOL_CONTENT]content[/TOOL_RESULTS]}.</li>
 * </ul>
 * Thread-safe.
 */
public final class PromptEncoder {
    private final Tekken tekken;
    private final ImageConfig imageConfig;
    private final PromptFormat format;
    private final ValidationMode mode;
    private final int inst, endInst, tools, endTools, toolCalls, args, callId, toolResults, toolContent,
            endToolResults, system, endSystem;

    public PromptEncoder(Tekken tekken) {
        this(tekken, tekken.imageConfig() != null ? tekken.imageConfig() : ImageConfig.MISTRAL_SMALL_3, PromptFormat.CURRENT, ValidationMode.SERVING);
    }

    public PromptEncoder(Tekken tekken, ImageConfig imageConfig, PromptFormat format, ValidationMode mode) {
        this.tekken = tekken;
        this.imageConfig = imageConfig;
        this.format = format;
        this.mode = mode;
        inst = tekken.specialId(SpecialTokens.INST);
        endInst = tekken.specialId(SpecialTokens.END_INST);
        tools = tekken.specialId(SpecialTokens.AVAILABLE_TOOLS);
        endTools = tekken.specialId(SpecialTokens.END_AVAILABLE_TOOLS);
        toolCalls = tekken.specialId(SpecialTokens.TOOL_CALLS);
        args = tekken.specialId(SpecialTokens.ARGS);
        callId = tekken.specialId(SpecialTokens.CALL_ID);
        toolResults = tekken.specialId(SpecialTokens.TOOL_RESULTS);
        toolContent = tekken.specialId(SpecialTokens.TOOL_CONTENT);
        endToolResults = tekken.specialId(SpecialTokens.END_TOOL_RESULTS);
        system = tekken.specialId(SpecialTokens.SYSTEM_PROMPT);
        endSystem = tekken.specialId(SpecialTokens.END_SYSTEM_PROMPT);
    }

    public PromptEncoder withFormat(PromptFormat f) { return new PromptEncoder(tekken, imageConfig, f, mode); }

    public PromptEncoder withValidation(ValidationMode m) { return new PromptEncoder(tekken, imageConfig, format, m); }

    /** Validates, normalizes and encodes; throws {@link ChatValidationException} for a bad request. */
    public EncodedPrompt encode(ChatRequest request) {
        ChatRequest req = ToolCallIds.truncate(request);
        RequestValidator.validate(req, mode);
        List<ChatMessage> msgs = RequestNormalizer.normalize(req.messages(), format);
        int lastUser = -1;
        for (int i = 0; i < msgs.size(); i++) if (msgs.get(i) instanceof ChatMessage.User) lastUser = i;

        IntList out = new IntList(256);
        List<EncodedPrompt.ImageSlot> images = new ArrayList<>();
        out.add(tekken.bos());
        for (int i = 0; i < msgs.size(); i++) {
            boolean isFinal = i == msgs.size() - 1;
            switch (msgs.get(i)) {
                case ChatMessage.System s -> {
                    out.add(system);
                    tekken.encode(s.content(), out);
                    out.add(endSystem);
                }
                case ChatMessage.User u -> {
                    if (i == lastUser && !req.tools().isEmpty()) {
                        out.add(tools);
                        tekken.encode(toolsJson(req.tools()), out);
                        out.add(endTools);
                    }
                    out.add(inst);
                    encodeUserContent(u.content(), out, images);
                    out.add(endInst);
                }
                case ChatMessage.Assistant a -> encodeAssistant(a, isFinal && req.continueFinalMessage(), out);
                case ChatMessage.Tool t -> {
                    out.add(toolResults);
                    tekken.encode(t.toolCallId(), out);
                    out.add(toolContent);
                    tekken.encode(t.content(), out);
                    out.add(endToolResults);
                }
            }
        }
        return new EncodedPrompt(out.toArray(), List.copyOf(images));
    }

    private void encodeUserContent(List<ContentPart> parts, IntList out, List<EncodedPrompt.ImageSlot> images) {
        if (parts.size() == 2 && parts.get(0) instanceof ContentPart.Text && parts.get(1) instanceof ContentPart.Image)
            parts = List.of(parts.get(1), parts.get(0));      // mistral-common puts a lone trailing image first
        for (ContentPart p : parts) {
            switch (p) {
                case ContentPart.Text t -> tekken.encode(t.text(), out);
                case ContentPart.Image img -> {
                    ImageTokenLayout layout = ImageTokenLayout.of(img.width(), img.height(), imageConfig);
                    images.add(new EncodedPrompt.ImageSlot(img, out.size(), layout));
                    layout.appendTo(out, tekken.specialId(SpecialTokens.IMG), tekken.specialId(SpecialTokens.IMG_BREAK),
                            tekken.specialId(SpecialTokens.IMG_END));
                }
            }
        }
    }

    private void encodeAssistant(ChatMessage.Assistant a, boolean continueMessage, IntList out) {
        if (continueMessage && a.prefix())
            throw new ChatValidationException("messages", "continue_final_message is only supported for assistant messages with prefix false");
        if (a.content() != null && !a.content().isEmpty()) tekken.encode(stripTrailingSpaces(a.content()), out);
        for (ToolCall c : a.toolCalls()) {
            out.add(toolCalls);
            tekken.encode(c.name(), out);
            if (c.id() != null && !c.id().equals("null")) {
                out.add(callId);
                tekken.encode(c.id(), out);
            }
            out.add(args);
            tekken.encode(PyJson.loads(c.arguments()).map(PyJson::dumps).orElse(PyJson.quote(c.arguments())), out);
        }
        boolean continued = continueMessage && !format.continueFinalAppendsEos();
        if (!a.prefix() && !continued) out.add(tekken.eos());
    }

    /** {@code json.dumps([tool.model_dump()], ensure_ascii=False)} with mistral-common's key order. */
    static String toolsJson(List<Tool> tools) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < tools.size(); i++) {
            Tool t = tools.get(i);
            if (i > 0) sb.append(", ");
            sb.append("{\"type\": \"function\", \"function\": {\"name\": ").append(PyJson.quote(t.name()))
                    .append(", \"description\": ").append(PyJson.quote(t.description() == null ? "" : t.description()))
                    .append(", \"parameters\": ")
                    .append(t.parameters() == null || t.parameters().isNull() ? "{}" : PyJson.dumps(t.parameters()))
                    .append("}}");
        }
        return sb.append(']').toString();
    }

    private static String stripTrailingSpaces(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') end--;
        return s.substring(0, end);
    }
}
