package jmistral.generate.constraint;

import static org.junit.jupiter.api.Assertions.*;

import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.Test;

/** The Tekken adapter gives the same vocabulary as the bytes read straight from the rank list. */
class TekkenVocabularyAdapterTest {

    @Test
    void adapterMatchesRankList() {
        Tekken tekken = jmistral.tokenizer.TestData.tekken();
        TokenVocabulary v = TokenVocabulary.of(tekken);
        TekkenTestVocabulary ref = TekkenTestVocabulary.get();
        assertEquals(ref.size(), v.size());
        assertEquals(ref.eosId(), v.eosId());
        for (int id = 0; id < v.size(); id++) assertArrayEquals(ref.bytes(id), v.bytes(id), "id " + id);
        // and the tool-call special ids the grammar uses by default
        assertEquals(ToolCallGrammar.SpecialIds.TEKKEN_V11,
                new ToolCallGrammar.SpecialIds(tekken.specialId("[TOOL_CALLS]"), tekken.specialId("[ARGS]"),
                        tekken.specialId("[CALL_ID]")));
    }
}
