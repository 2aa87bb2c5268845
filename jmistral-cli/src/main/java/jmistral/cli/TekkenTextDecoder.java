package jmistral.cli;

import jmistral.generate.TextDecoder;
import jmistral.tokenizer.StreamingDecoder;
import jmistral.tokenizer.Tekken;

/** The scheduler's text hook over the tokenizer's streaming decoder (special tokens are not shown). */
final class TekkenTextDecoder implements TextDecoder {

    private final StreamingDecoder decoder;

    TekkenTextDecoder(Tekken tekken) {
        this.decoder = tekken.newStreamingDecoder();
    }

    @Override public String decode(int token) { return decoder.push(token); }

    @Override public String flush() { return decoder.flush(); }
}
