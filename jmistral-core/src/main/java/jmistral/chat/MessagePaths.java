package jmistral.chat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Error paths such as {@code messages[3].content} name the caller's messages: when system messages were
 * put before them (a default or safety system prompt), the indexes are shifted back.
 */
public final class MessagePaths {
    private static final Pattern MESSAGE_INDEX = Pattern.compile("messages\\[(\\d+)]");

    private MessagePaths() {}

    /** {@code text} with every {@code messages[i]} turned into {@code messages[i - inserted]} (never below 0). */
    public static String shift(String text, int inserted) {
        if (inserted == 0 || text == null) return text;
        Matcher mt = MESSAGE_INDEX.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (mt.find()) mt.appendReplacement(sb, "messages[" + Math.max(0, Integer.parseInt(mt.group(1)) - inserted) + "]");
        return mt.appendTail(sb).toString();
    }
}
