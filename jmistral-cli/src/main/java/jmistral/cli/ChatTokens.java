package jmistral.cli;

import jmistral.tokenizer.Tekken;
import jmistral.tokenizer.IntList;

/**
 * Text-only Mistral v11 prompt pieces for the CLI's conversations, kept as token ids so each turn
 * extends the previous prompt exactly (and the prefix cache reuses it):
 * {@code <s>[SYSTEM_PROMPT]system[/SYSTEM_PROMPT][INST]user[/INST]answer</s>[INST]...}.
 * Matches mistral-common's v11 encoding for plain text messages (no tools, no images); the server and
 * richer requests go through chat.PromptEncoder.
 */
final class ChatTokens {

    private ChatTokens() {
    }

    /** BOS and, when non-empty, the system prompt block. */
    static int[] start(Tekken t, String system) {
        IntList out = new IntList();
        out.add(t.bos());
        if (system != null && !system.isEmpty()) {
            out.add(t.specialId("[SYSTEM_PROMPT]"));
            t.encode(system, out);
            out.add(t.specialId("[/SYSTEM_PROMPT]"));
        }
        return out.toArray();
    }

    /** A user turn: [INST] text [/INST]. */
    static int[] user(Tekken t, String text) {
        IntList out = new IntList();
        out.add(t.specialId("[INST]"));
        t.encode(text, out);
        out.add(t.specialId("[/INST]"));
        return out.toArray();
    }
}
