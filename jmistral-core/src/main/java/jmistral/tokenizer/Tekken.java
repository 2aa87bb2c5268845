package jmistral.tokenizer;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Tekken tokenizer (mistral-common {@code Tekkenizer}): byte-level BPE over a rank list, with
 * {@code numSpecial} control tokens occupying ids {@code 0 .. numSpecial-1} and BPE rank r at id
 * {@code r + numSpecial}. Special tokens are never produced from text. Immutable and thread-safe.
 *
 * <p>Load it with {@link #fromTekkenJson}, {@link #fromRankList}/{@link #fromRanks}, or
 * {@link #fromGgufMetadata}; all three give identical ids for the same vocabulary.
 */
public final class Tekken {
    private final RankTable ranks;
    private final String[] specials;            // [numSpecial] names, index = id
    private final Map<String, Integer> specialIds;
    private final ImageConfig image;            // may be null (text-only tokenizer)
    private final String version;

    Tekken(RankTable ranks, List<String> specialNames, ImageConfig image, String version) {
        this.ranks = ranks;
        this.specials = specialNames.toArray(String[]::new);
        this.specialIds = new HashMap<>();
        for (int i = 0; i < specials.length; i++) {
            if (specialIds.put(specials[i], i) != null)
                throw new IllegalArgumentException("duplicate special token " + specials[i]);
        }
        this.image = image;
        this.version = version;
        bos();
        eos();
    }

    // ---- loading --------------------------------------------------------------------------------------

    /** Loads a mistral-common {@code tekken.json} (vocab cut to {@code default_vocab_size}). */
    public static Tekken fromTekkenJson(Path file) { return TekkenFiles.readTekkenJson(file); }

    /** Loads the compact rank list ({@code "bpe_ranks": "! 0 b64 b64 ..."}) with the v11 special tokens. */
    public static Tekken fromRankList(Path file) { return TekkenFiles.readRankList(file); }

    /**
     * Builds a tokenizer from BPE token bytes in rank order (already cut to the wanted size) and special
     * token names in id order.
     */
    public static Tekken fromRanks(List<byte[]> tokenBytesByRank, List<String> specialNames, ImageConfig image, String version) {
        return new Tekken(new RankTable(tokenBytesByRank), specialNames, image, version);
    }

    /** Loads from GGUF metadata ({@code tokenizer.ggml.*}, model "gpt2", pre "tekken"), as GgufFile.metadata() gives it. */
    public static Tekken fromGgufMetadata(Map<String, Object> metadata) { return TekkenGguf.read(metadata); }

    /** The {@code tokenizer.ggml.*} entries describing this tokenizer, in the GGUF Java types of GgufFile.metadata(). */
    public Map<String, Object> toGgufMetadata() { return TekkenGguf.toMetadata(this); }

    /** Adds the {@code tokenizer.ggml.*} entries to a GGUF file being written (gpt2-style tokens, merges, types). */
    public void writeGgufMetadata(jmistral.gguf.GgufWriter w) { w.putAllPlain(toGgufMetadata()); }

    // ---- vocabulary -----------------------------------------------------------------------------------

    /** Total ids: special tokens plus BPE ranks (131072 for Mistral Small 3.2). */
    public int vocabSize() { return specials.length + ranks.size(); }

    /** Number of special (control) ids; BPE ranks start at this id (1000). */
    public int numSpecial() { return specials.length; }

    public int bos() { return specialId("<s>"); }

    public int eos() { return specialId("</s>"); }

    /** The id of a special token by name, e.g. {@code "[INST]"}; throws when the vocabulary has none. */
    public int specialId(String name) {
        Integer id = specialIds.get(name);
        if (id == null) throw new IllegalArgumentException("tokenizer has no special token " + name);
        return id;
    }

    /** The id of a special token, if present. */
    public Optional<Integer> findSpecialId(String name) { return Optional.ofNullable(specialIds.get(name)); }

    public boolean isSpecial(int id) { return id >= 0 && id < specials.length; }

    /** Name of a special id, e.g. "[INST]". */
    public String specialName(int id) {
        checkId(id);
        if (!isSpecial(id)) throw new IllegalArgumentException("id " + id + " is not a special token");
        return specials[id];
    }

    /** Raw bytes of a token; for special ids the UTF-8 of its name. */
    public byte[] tokenBytes(int id) {
        checkId(id);
        return isSpecial(id) ? specials[id].getBytes(java.nio.charset.StandardCharsets.UTF_8) : ranks.tokenBytes(id - specials.length);
    }

    /** mistral-common {@code id_to_piece}: decode([id], KEEP). */
    public String idToPiece(int id) { return decode(new int[] {id}, SpecialTokenPolicy.KEEP); }

    /** The image token config from tekken.json, or null for a text-only file. */
    public ImageConfig imageConfig() { return image; }

    /** Tokenizer version string from the file, e.g. "v11" (may be null when unknown). */
    public String version() { return version; }

    // ---- encode / decode ------------------------------------------------------------------------------

    /** Token ids of {@code text}: no BOS/EOS, special tokens never produced (literal "[INST]" is plain text). */
    public int[] encode(String text) {
        IntList out = new IntList(Math.max(16, text.length() / 3));
        encode(text, out);
        return out.toArray();
    }

    /** Appends the ids of {@code text} to {@code out}. */
    public void encode(String text, IntList out) {
        String s = Utf8.replaceLoneSurrogates(text);
        int n = s.length();
        byte[] buf = new byte[64];
        BytePairEncoder bpe = new BytePairEncoder(ranks);
        int start = 0;
        while (start < n) {
            int end = TekkenSplitter.pieceEnd(s, start);
            if (buf.length < (end - start) * 3) buf = new byte[(end - start) * 3];
            int len = Utf8.encode(s, start, end, buf);
            bpe.encode(buf, len, out, specials.length);
            start = end;
        }
    }

    /** Text of {@code ids}: runs of ordinary tokens decoded as one byte string with Python's "replace". */
    public String decode(int[] ids, SpecialTokenPolicy policy) {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256];
        int i = 0;
        while (i < ids.length) {
            checkId(ids[i]);
            if (isSpecial(ids[i])) {
                if (policy == SpecialTokenPolicy.RAISE)
                    throw new IllegalArgumentException("special token " + specials[ids[i]] + " (id " + ids[i]
                            + ") at position " + i + " not allowed by policy RAISE");
                if (policy == SpecialTokenPolicy.KEEP) sb.append(specials[ids[i]]);
                i++;
                continue;
            }
            int len = 0;
            for (; i < ids.length && !isSpecial(ids[i]); i++) {
                checkId(ids[i]);
                int rank = ids[i] - specials.length;
                if (len + ranks.length(rank) > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + ranks.length(rank)));
                len = ranks.copyTo(rank, buf, len);
            }
            sb.append(Utf8.decodeReplace(buf, 0, len));
        }
        return sb.toString();
    }

    /** Decoder for generated tokens that emits text only once UTF-8 characters are complete. */
    public StreamingDecoder newStreamingDecoder() { return new StreamingDecoder(this, SpecialTokenPolicy.IGNORE); }

    public StreamingDecoder newStreamingDecoder(SpecialTokenPolicy policy) { return new StreamingDecoder(this, policy); }

    RankTable ranks() { return ranks; }   // package-private: GGUF export and tests

    String[] specials() { return specials; }

    private void checkId(int id) {
        if (id < 0 || id >= vocabSize())
            throw new IllegalArgumentException("token id " + id + " outside vocabulary [0, " + vocabSize() + ")");
    }
}
