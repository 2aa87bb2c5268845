package jmistral.generate.constraint;

import java.util.SplittableRandom;

/** See {@link jmistral.bench.ConstraintMaskBench}. */
public final class ConstraintBenchMain {

    static final String NESTED = """
        {"type":"object","properties":{
          "invoice":{"type":"object","properties":{
            "number":{"type":"string","pattern":"^INV-[0-9]{4}$"},
            "date":{"type":"string","format":"date"},
            "customer":{"type":"object","properties":{"name":{"type":"string"},"email":{"type":"string","format":"email"},
                 "address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"},"zip":{"type":"string","pattern":"^[0-9]{5}$"}},"required":["street","city"]}},
               "required":["name"]},
            "currency":{"enum":["EUR","USD","GBP"]},
            "lines":{"type":"array","minItems":1,"items":{"type":"object","properties":{
               "description":{"type":"string"},"quantity":{"type":"integer","minimum":1,"maximum":1000},
               "unit_price":{"type":"number","minimum":0},"tags":{"type":"array","items":{"type":"string","maxLength":10},"maxItems":3}},
               "required":["description","quantity","unit_price"]}},
            "paid":{"type":"boolean"},"notes":{"type":["string","null"]}},
          "required":["number","date","currency","lines"]}},
        "required":["invoice"]}""";

    public static void main(String[] args) {
        int walks = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        TekkenTestVocabulary.get();
        long t0 = System.nanoTime();
        VocabularyTrie trie = VocabularyTrie.of(TekkenTestVocabulary.get());
        System.out.printf("trie: %d nodes, built in %.1f ms (plus loading the JSON rank list)%n", trie.nodeCount,
                (System.nanoTime() - t0) / 1e6);
        // compile time: warm up the compiler a little (JIT), then time it
        for (int i = 0; i < 20; i++) Grammar.jsonSchema(NESTED);
        int reps = 50;
        t0 = System.nanoTime();
        Grammar g = null;
        for (int i = 0; i < reps; i++) g = Grammar.jsonSchema(NESTED);
        System.out.printf("compile nested invoice schema: %.2f ms per compile (%d nodes)%n",
                (System.nanoTime() - t0) / 1e6 / reps, g.size());
        GrammarMatcher m = new GrammarMatcher(g, trie);
        long[] mask = new long[trie.maskWords()];
        for (int w = 0; w < walks; w++) {
            SplittableRandom rnd = new SplittableRandom(w);
            ConstraintState s = m.newState();
            long maskNs = 0, advanceNs = 0, worst = 0;
            int steps = 0;
            while (!s.isFinished() && steps < 4000) {
                long a = System.nanoTime();
                s.fillAllowed(mask);
                long b = System.nanoTime();
                int id = ConstraintTestSupport.pick(mask, rnd);
                long c = System.nanoTime();
                s.advance(id);
                long d = System.nanoTime();
                maskNs += b - a;
                advanceNs += d - c;
                worst = Math.max(worst, b - a);
                steps++;
            }
            System.out.printf("walk %d: %d tokens, mask %.3f ms/token (worst %.1f ms), advance %.4f ms/token, states %d%n",
                    w, steps, maskNs / 1e6 / steps, worst / 1e6, advanceNs / 1e6 / steps, m.stateCount());
        }
    }
}
