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

    static final String TYPICAL = """
        {"type":"object","properties":{"location":{"type":"string"},"format":{"type":"string","enum":["celsius","fahrenheit"]},
         "days":{"type":"integer","minimum":1,"maximum":14}},"required":["location","format"]}""";

    public static void main(String[] args) {
        int walks = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        TekkenTestVocabulary.get();
        long c0 = cpu.getCurrentThreadCpuTime();
        VocabularyTrie trie = VocabularyTrie.of(TekkenTestVocabulary.get());
        System.out.printf("trie: %d nodes, built in %.1f ms CPU%n", trie.nodeCount, (cpu.getCurrentThreadCpuTime() - c0) / 1e6);
        for (String[] schema : new String[][] {{"typical tool parameters", TYPICAL}, {"nested invoice", NESTED}}) {
            for (int i = 0; i < 30; i++) Grammar.jsonSchema(schema[1]); // JIT warm-up
            int reps = 50;
            c0 = cpu.getCurrentThreadCpuTime();
            Grammar g = null;
            for (int i = 0; i < reps; i++) g = Grammar.jsonSchema(schema[1]);
            System.out.printf("compile %s schema: %.2f ms CPU per compile (%d automaton nodes)%n", schema[0],
                    (cpu.getCurrentThreadCpuTime() - c0) / 1e6 / reps, g.size());
        }
        GrammarMatcher m = new GrammarMatcher(Grammar.jsonSchema(NESTED), trie);
        long[] mask = new long[trie.maskWords()];
        long coldNs = 0, warmNs = 0, coldMax = 0, advanceNs = 0;
        int cold = 0, warm = 0;
        for (int w = 0; w < walks; w++) {
            SplittableRandom rnd = new SplittableRandom(w);
            ConstraintState s = m.newState();
            int steps = 0;
            while (!s.isFinished() && steps < 4000) {
                boolean cached = s.maskCached();
                long a = cpu.getCurrentThreadCpuTime();
                s.fillAllowed(mask);
                long b = cpu.getCurrentThreadCpuTime();
                int id = ConstraintTestSupport.pick(mask, rnd);
                long c = cpu.getCurrentThreadCpuTime();
                s.advance(id);
                advanceNs += cpu.getCurrentThreadCpuTime() - c;
                if (cached) {
                    warm++;
                    warmNs += b - a;
                } else {
                    cold++;
                    coldNs += b - a;
                    coldMax = Math.max(coldMax, b - a);
                }
                steps++;
            }
            System.out.printf("walk %d: %d tokens, %d parser states so far%n", w, steps, m.stateCount());
        }
        int total = cold + warm;
        System.out.printf("mask per token over %d tokens: %.4f ms CPU on average (%d cold masks: mean %.2f ms, max %.2f ms; "
                + "%d cached: mean %.4f ms); advance %.4f ms per token%n", total, (coldNs + warmNs) / 1e6 / total, cold,
                coldNs / 1e6 / Math.max(cold, 1), coldMax / 1e6, warm, warmNs / 1e6 / Math.max(warm, 1), advanceNs / 1e6 / total);
    }
}
