package jmistral.tokenizer;

import jmistral.ModelFileException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tekken in GGUF metadata, as llama.cpp stores it: {@code tokenizer.ggml.model = "gpt2"}, {@code pre = "tekken"},
 * tokens as GPT-2 byte strings (special tokens first, by name, type CONTROL), merges derived from the
 * ranks, BOS/EOS ids. Values use the Java types of GgufFile.metadata() (uint32 -> Long, int32 array -> int[]).
 */
final class TekkenGguf {
    static final int TYPE_NORMAL = 1, TYPE_CONTROL = 3;

    private TekkenGguf() {}

    static Tekken read(Map<String, Object> md) {
        Object model = md.get("tokenizer.ggml.model");
        if (!"gpt2".equals(model))
            throw new ModelFileException(null, -1, "tokenizer.ggml.model is " + model + ", expected \"gpt2\" (Tekken byte-level BPE)");
        Object pre = md.get("tokenizer.ggml.pre");
        if (pre != null && !"tekken".equals(pre))
            throw new ModelFileException(null, -1, "tokenizer.ggml.pre is " + pre + ", only \"tekken\" is supported");
        List<?> tokens = listOf(md, "tokenizer.ggml.tokens");
        int[] types = intArray(md.get("tokenizer.ggml.token_type"), tokens.size());
        int numSpecial = 0;
        while (numSpecial < tokens.size() && types[numSpecial] != TYPE_NORMAL) numSpecial++;
        List<String> specials = new ArrayList<>(numSpecial);
        for (int i = 0; i < numSpecial; i++) specials.add((String) tokens.get(i));
        List<byte[]> ranks = new ArrayList<>(tokens.size() - numSpecial);
        try {
            for (int i = numSpecial; i < tokens.size(); i++) ranks.add(Gpt2Bytes.decode((String) tokens.get(i)));
            Tekken t = Tekken.fromRanks(ranks, specials, null, "gguf");
            checkId(md, "tokenizer.ggml.bos_token_id", t.bos());
            checkId(md, "tokenizer.ggml.eos_token_id", t.eos());
            return t;
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(null, -1, "bad Tekken vocabulary in GGUF metadata: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> toMetadata(Tekken t) {
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("tokenizer.ggml.model", "gpt2");
        md.put("tokenizer.ggml.pre", "tekken");
        RankTable ranks = t.ranks();
        String[] specials = t.specials();
        List<String> tokens = new ArrayList<>(t.vocabSize());
        int[] types = new int[t.vocabSize()];
        for (int i = 0; i < specials.length; i++) { tokens.add(specials[i]); types[i] = TYPE_CONTROL; }
        for (int r = 0; r < ranks.size(); r++) {
            tokens.add(Gpt2Bytes.encode(ranks.tokenBytes(r)));
            types[specials.length + r] = TYPE_NORMAL;
        }
        md.put("tokenizer.ggml.tokens", tokens);
        md.put("tokenizer.ggml.token_type", types);
        md.put("tokenizer.ggml.merges", merges(ranks));
        md.put("tokenizer.ggml.bos_token_id", (long) t.bos());
        md.put("tokenizer.ggml.eos_token_id", (long) t.eos());
        t.findSpecialId(SpecialTokens.UNK).ifPresent(id -> md.put("tokenizer.ggml.unknown_token_id", (long) id));
        t.findSpecialId(SpecialTokens.PAD).ifPresent(id -> md.put("tokenizer.ggml.padding_token_id", (long) id));
        md.put("tokenizer.ggml.add_bos_token", true);
        md.put("tokenizer.ggml.add_eos_token", false);
        return md;
    }

    /**
     * Merge rules "left right" in rank order: each multi-byte token is BPE-encoded with only the ranks below
     * its own; the two parts that remain are the pair whose merge creates it.
     */
    static List<String> merges(RankTable ranks) {
        List<String> merges = new ArrayList<>(ranks.size());
        IntList parts = new IntList(8);
        BytePairEncoder bpe = new BytePairEncoder(ranks);
        for (int r = 256; r < ranks.size(); r++) {
            byte[] b = ranks.tokenBytes(r);
            parts.clear();
            bpe.encode(b, b.length, parts, 0, r);
            if (parts.size() != 2) continue;   // not reachable by merging two lower tokens
            merges.add(Gpt2Bytes.encode(ranks.tokenBytes(parts.get(0))) + " " + Gpt2Bytes.encode(ranks.tokenBytes(parts.get(1))));
        }
        return merges;
    }

    private static void checkId(Map<String, Object> md, String key, int expected) {
        Object v = md.get(key);
        if (v instanceof Number n && n.longValue() != expected)
            throw new ModelFileException(null, -1, key + " is " + n + " but the vocabulary has it at " + expected);
    }

    private static List<?> listOf(Map<String, Object> md, String key) {
        Object v = md.get(key);
        // an array of arrays is a List too: every element must be checked, or a cast fails later
        if (!(v instanceof List<?> l) || !l.stream().allMatch(String.class::isInstance)) {
            throw new ModelFileException(null, -1, "GGUF metadata " + key + " missing or not an array of strings");
        }
        return l;
    }

    private static int[] intArray(Object v, int n) {
        int[] out = new int[n];
        switch (v) {
            case int[] a when a.length == n -> System.arraycopy(a, 0, out, 0, n);
            case long[] a when a.length == n -> { for (int i = 0; i < n; i++) out[i] = (int) a[i]; }
            case List<?> l when l.size() == n && l.stream().allMatch(Number.class::isInstance) -> {
                for (int i = 0; i < n; i++) out[i] = ((Number) l.get(i)).intValue();
            }
            case null, default -> throw new ModelFileException(null, -1, "GGUF metadata tokenizer.ggml.token_type missing or not " + n + " integers");
        }
        return out;
    }
}
