package jmistral.tokenizer;

import java.util.ArrayList;
import java.util.List;

/** Names of Tekken control tokens and the standard v11 id layout (mistral-common SpecialTokens). */
public final class SpecialTokens {
    public static final String UNK = "<unk>", BOS = "<s>", EOS = "</s>", INST = "[INST]", END_INST = "[/INST]",
            AVAILABLE_TOOLS = "[AVAILABLE_TOOLS]", END_AVAILABLE_TOOLS = "[/AVAILABLE_TOOLS]",
            TOOL_RESULTS = "[TOOL_RESULTS]", END_TOOL_RESULTS = "[/TOOL_RESULTS]", TOOL_CALLS = "[TOOL_CALLS]",
            IMG = "[IMG]", PAD = "<pad>", IMG_BREAK = "[IMG_BREAK]", IMG_END = "[IMG_END]", PREFIX = "[PREFIX]",
            MIDDLE = "[MIDDLE]", SUFFIX = "[SUFFIX]", SYSTEM_PROMPT = "[SYSTEM_PROMPT]",
            END_SYSTEM_PROMPT = "[/SYSTEM_PROMPT]", TOOL_CONTENT = "[TOOL_CONTENT]", ARGS = "[ARGS]",
            CALL_ID = "[CALL_ID]";

    /** Ids 0..19 of every Tekken file (mistral-common DEPRECATED_SPECIAL_TOKENS). */
    static final List<String> FIRST_20 = List.of(UNK, BOS, EOS, INST, END_INST, AVAILABLE_TOOLS, END_AVAILABLE_TOOLS,
            TOOL_RESULTS, END_TOOL_RESULTS, TOOL_CALLS, IMG, PAD, IMG_BREAK, IMG_END, PREFIX, MIDDLE, SUFFIX,
            SYSTEM_PROMPT, END_SYSTEM_PROMPT, TOOL_CONTENT);

    private SpecialTokens() {}

    /** Filler name mistral-common gives to undefined special ids. */
    public static String filler(int id) { return "<SPECIAL_" + id + ">"; }

    /** The v11 layout: ids 0-19 standard, [ARGS]=32, [CALL_ID]=33, other ids filled with {@code <SPECIAL_n>}. */
    public static List<String> v11(int numSpecial) {
        List<String> names = new ArrayList<>(numSpecial);
        for (int i = 0; i < numSpecial; i++) {
            names.add(i < FIRST_20.size() ? FIRST_20.get(i) : i == 32 ? ARGS : i == 33 ? CALL_ID : filler(i));
        }
        return names;
    }
}
