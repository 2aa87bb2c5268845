package jmistral.langchain4j;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.PdfFileContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import jmistral.chat.ChatMessage;
import jmistral.chat.ContentPart;
import jmistral.chat.Tool;
import jmistral.chat.ToolCall;

import java.util.ArrayList;
import java.util.List;

/**
 * LangChain4j's messages and tool specifications as the chat package's types: system, user (text,
 * images, PDF pages), assistant (text and tool calls) and tool results. What the v11 prompt format
 * cannot hold (audio, video, custom messages, images in tool results, remote URLs) is refused with an
 * {@link UnsupportedFeatureException} naming the message.
 */
final class MessageMapping {
    private MessageMapping() {}

    static List<ChatMessage> messages(List<dev.langchain4j.data.message.ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) out.add(message(messages.get(i), "messages[" + i + "]"));
        return out;
    }

    static List<Tool> tools(List<ToolSpecification> specs) {
        if (specs == null) return List.of();
        return specs.stream().map(s -> new Tool(s.name(), s.description(), SchemaJson.toolParameters(s.parameters()))).toList();
    }

    private static ChatMessage message(dev.langchain4j.data.message.ChatMessage m, String where) {
        return switch (m) {
            case SystemMessage s -> new ChatMessage.System(s.text());
            case UserMessage u -> new ChatMessage.User(userParts(u, where));
            case AiMessage a -> new ChatMessage.Assistant(a.text(), toolCalls(a.toolExecutionRequests()), false);
            case ToolExecutionResultMessage r -> new ChatMessage.Tool(r.id(), r.toolName(), toolResultText(r, where));
            default -> throw new UnsupportedFeatureException(where + " is a " + m.type()
                    + " message; jmistral takes system, user, AI and tool execution result messages");
        };
    }

    private static List<ToolCall> toolCalls(List<ToolExecutionRequest> requests) {
        return requests.stream().map(r -> new ToolCall(r.id(), r.name(), r.arguments())).toList();
    }

    private static List<ContentPart> userParts(UserMessage u, String where) {
        List<ContentPart> parts = new ArrayList<>(u.contents().size());
        for (int j = 0; j < u.contents().size(); j++) {
            Content c = u.contents().get(j);
            String part = where + ".contents[" + j + "]";
            switch (c) {
                case TextContent t -> parts.add(new ContentPart.Text(t.text()));
                case ImageContent img -> parts.add(ImageSources.image(img.image().base64Data(), img.image().url(), part));
                case PdfFileContent pdf -> parts.addAll(ImageSources.pdfPages(pdf.pdfFile().base64Data(), pdf.pdfFile().url(), part));
                default -> throw new UnsupportedFeatureException(part + " is " + c.type()
                        + " content; jmistral reads text, images (ImageContent) and PDF files (PdfFileContent)");
            }
        }
        return parts;
    }

    /** A tool result's text; the v11 format has no images or files in tool results. */
    private static String toolResultText(ToolExecutionResultMessage r, String where) {
        StringBuilder text = new StringBuilder();
        for (Content c : r.contents()) {
            if (!(c instanceof TextContent t)) {
                throw new UnsupportedFeatureException(where + " (the result of tool '" + r.toolName() + "') holds " + c.type()
                        + " content; tool results are text only in Mistral's prompt format");
            }
            text.append(t.text());
        }
        return text.toString();
    }
}
