package jmistral.cli;

import java.io.PrintWriter;
import jmistral.chat.ChatRequest;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatResponse;
import jmistral.engine.ChatStream;
import jmistral.engine.Engine;

/**
 * Asks the engine for one answer and prints it as it comes: text as is, each tool call on its own line
 * as {@code [tool call] NAME {arguments}}; notes on stderr when the answer did not end normally, and with
 * --show-tokens the prompt's and the answer's token ids.
 */
final class AnswerPrinter {
    private final PrintWriter out, err;
    private final boolean showTokens;
    private boolean midLine;          // something printed since the last line break

    AnswerPrinter(PrintWriter out, PrintWriter err, boolean showTokens) {
        this.out = out;
        this.err = err;
        this.showTokens = showTokens;
    }

    /** Prints the answer to {@code request} and returns it whole. */
    ChatResponse answer(Engine engine, ChatRequest request) {
        if (showTokens) note("[prompt tokens] " + join(engine.promptTokens(request)));
        ChatResponse.Collector answer = new ChatResponse.Collector();
        midLine = false;
        try (ChatStream events = engine.chat(request)) {
            for (ChatEvent e : events) {
                answer.accept(e);
                print(e);
            }
        }
        out.println();
        out.flush();
        ChatResponse r = answer.response();
        if (r.error() != null) throw new IllegalStateException(r.error());
        switch (r.finishReason()) {
            case LOOP -> err.println("[stopped: the answer was repeating itself]");
            case LENGTH -> err.println("[stopped: max tokens or context reached]");
            default -> { }
        }
        err.flush();
        if (showTokens) note("[answer tokens] " + join(r.choices().getFirst().tokens()));
        return r;
    }

    private void print(ChatEvent e) {
        String text = switch (e) {
            case ChatEvent.TextDelta t -> t.text();
            case ChatEvent.ToolCallStart s -> (midLine ? System.lineSeparator() : "") + "[tool call] " + s.name() + " ";
            case ChatEvent.ToolCallArguments a -> a.fragment();
            default -> "";
        };
        if (text.isEmpty()) return;
        out.print(text);
        out.flush();
        midLine = !text.endsWith("\n");
    }

    private void note(String s) {
        err.println(s);
        err.flush();
    }

    static String join(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length * 6);
        for (int id : ids) s.append(s.isEmpty() ? "" : ",").append(id);
        return s.toString();
    }
}
