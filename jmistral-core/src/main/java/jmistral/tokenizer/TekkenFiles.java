package jmistral.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.ModelFileException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Readers for mistral-common's {@code tekken.json} and the compact rank-list file. */
final class TekkenFiles {
    private TekkenFiles() {}

    static Tekken readTekkenJson(Path file) {
        JsonNode root = readJson(file);
        JsonNode config = require(file, root, "config");
        checkPattern(file, config);
        String version = config.path("version").asText(null);
        int vocabSize = requireInt(file, config, "default_vocab_size");
        int numSpecial = requireInt(file, config, "default_num_special_tokens");

        List<String> specials = new ArrayList<>();
        JsonNode specialNode = root.get("special_tokens");
        if (specialNode == null || specialNode.isNull()) {
            specials.addAll(SpecialTokens.FIRST_20);        // files up to v7 may omit them
        } else {
            for (int i = 0; i < specialNode.size(); i++) {
                JsonNode t = specialNode.get(i);
                if (t.path("rank").asInt(-1) != i)
                    throw new ModelFileException(file, -1, "special_tokens[" + i + "] has rank " + t.path("rank") + ", expected " + i);
                specials.add(t.path("token_str").asText());
            }
        }
        if (specials.size() > numSpecial)
            throw new ModelFileException(file, -1, specials.size() + " special tokens but default_num_special_tokens is " + numSpecial);
        for (int i = specials.size(); i < numSpecial; i++) specials.add(SpecialTokens.filler(i));

        JsonNode vocab = require(file, root, "vocab");
        int inner = vocabSize - numSpecial;
        if (inner > vocab.size())
            throw new ModelFileException(file, -1, "vocab has " + vocab.size() + " entries, fewer than default_vocab_size - specials = " + inner);
        List<byte[]> tokens = new ArrayList<>(inner);
        Base64.Decoder b64 = Base64.getDecoder();
        for (int r = 0; r < inner; r++) {
            JsonNode v = vocab.get(r);
            if (v.path("rank").asInt(-1) != r)
                throw new ModelFileException(file, -1, "vocab[" + r + "] has rank " + v.path("rank") + ", expected " + r);
            tokens.add(b64.decode(v.path("token_bytes").asText()));
        }
        JsonNode image = root.hasNonNull("multimodal") ? root.get("multimodal") : root.get("image");
        ImageConfig imageConfig = image == null || image.isNull() ? null : new ImageConfig(
                requireInt(file, image, "image_patch_size"), requireInt(file, image, "max_image_size"),
                image.path("spatial_merge_size").asInt(1));
        return build(file, tokens, specials, imageConfig, version);
    }

    static Tekken readRankList(Path file) {
        JsonNode root = readJson(file);
        JsonNode config = require(file, root, "config");
        checkPattern(file, config);
        int vocabSize = requireInt(file, config, "default_vocab_size");
        int numSpecial = requireInt(file, config, "default_num_special_tokens");
        String[] parts = require(file, root, "bpe_ranks").asText().split(" ");
        if (parts.length < 2 || !parts[0].equals("!") || !parts[1].equals("0"))
            throw new ModelFileException(file, -1, "bpe_ranks must start with \"! 0\"");
        int inner = vocabSize - numSpecial;
        if (parts.length - 2 < inner)
            throw new ModelFileException(file, -1, "bpe_ranks has " + (parts.length - 2) + " ranks, need " + inner);
        List<byte[]> tokens = new ArrayList<>(inner);
        Base64.Decoder b64 = Base64.getDecoder();
        for (int r = 0; r < inner; r++) tokens.add(b64.decode(parts[r + 2]));
        return build(file, tokens, SpecialTokens.v11(numSpecial), ImageConfig.MISTRAL_SMALL_3, "v11");
    }

    private static Tekken build(Path file, List<byte[]> tokens, List<String> specials, ImageConfig image, String version) {
        try {
            return Tekken.fromRanks(tokens, specials, image, version);
        } catch (IllegalArgumentException e) {
            throw new ModelFileException(file, -1, e.getMessage(), e);
        }
    }

    private static void checkPattern(Path file, JsonNode config) {
        String pattern = config.path("pattern").asText(null);
        if (pattern != null && !pattern.equals(TekkenSplitter.PATTERN))
            throw new ModelFileException(file, -1, "unsupported pre-tokenizer pattern (only the Tekken pattern is implemented): " + pattern);
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelFileException(file, -1, "cannot read tokenizer JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode require(Path file, JsonNode node, String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) throw new ModelFileException(file, -1, "missing \"" + key + "\"");
        return v;
    }

    private static int requireInt(Path file, JsonNode node, String key) {
        JsonNode v = require(file, node, key);
        if (!v.canConvertToInt()) throw new ModelFileException(file, -1, "\"" + key + "\" is not an integer: " + v);
        return v.asInt();
    }
}
