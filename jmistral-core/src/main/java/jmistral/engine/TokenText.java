package jmistral.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import jmistral.generate.GenerationEvent;
import jmistral.generate.TopLogprob;
import jmistral.tokenizer.Tekken;

/**
 * Token ids as OpenAI's logprobs show them: the token's text (its bytes as UTF-8, a partial character
 * as U+FFFD; a control token by its name such as {@code [TOOL_CALLS]}) and its raw UTF-8 bytes.
 */
record TokenText(Tekken tekken) {

    TokenLogprob logprob(GenerationEvent.Token t) {
        List<TokenLogprob.Alternative> top = new ArrayList<>(t.top().size());
        for (TopLogprob alt : t.top()) top.add(new TokenLogprob.Alternative(text(alt.token()), alt.logprob(), bytes(alt.token())));
        return new TokenLogprob(text(t.token()), t.logprob(), bytes(t.token()), top);
    }

    byte[] bytes(int id) {
        return tekken.isSpecial(id) ? tekken.specialName(id).getBytes(StandardCharsets.UTF_8) : tekken.tokenBytes(id);
    }

    String text(int id) {
        return new String(bytes(id), StandardCharsets.UTF_8);
    }
}
