package jmistral.hub;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class RepoFileSelectorTest {

    static RepoFile f(String path) {
        return new RepoFile(path, 100, null, null);
    }

    static List<String> paths(List<RepoFile> files) {
        return files.stream().map(RepoFile::path).toList();
    }

    /** The file names of bartowski's Mistral Small 3.2 repo (a subset), with a split Q8_0 in a folder. */
    static final List<RepoFile> BARTOWSKI = Stream.of(
            "README.md",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-IQ4_XS.gguf",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q4_K_L.gguf",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q6_K.gguf",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16/mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16-00002-of-00002.gguf",
            "mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16/mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16-00001-of-00002.gguf",
            "mmproj-mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16.gguf",
            "mmproj-mistralai_Mistral-Small-3.2-24B-Instruct-2506-f16.gguf").map(RepoFileSelectorTest::f).toList();

    @Test
    void defaultIsQ4KMWithTheF16Mmproj() {
        var s = RepoFileSelector.select("r", BARTOWSKI, null);
        assertEquals(RepoFileSelector.Format.GGUF, s.format());
        assertEquals(List.of("mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q4_K_M.gguf"), paths(s.model()));
        assertEquals("mmproj-mistralai_Mistral-Small-3.2-24B-Instruct-2506-f16.gguf", s.mmproj().path());
        assertEquals("Q4_K_M", s.quant());
    }

    @Test
    void quantIsCaseInsensitiveAndNeedsASeparator() {
        assertEquals(List.of("mistralai_Mistral-Small-3.2-24B-Instruct-2506-Q6_K.gguf"),
                paths(RepoFileSelector.select("r", BARTOWSKI, "q6_k").model()));
        assertEquals(List.of("mistralai_Mistral-Small-3.2-24B-Instruct-2506-IQ4_XS.gguf"),
                paths(RepoFileSelector.select("r", BARTOWSKI, "iq4_xs").model()));
        // "Q4_XS" must not match IQ4_XS (no separator before the Q)
        HubException e = assertThrows(HubException.class, () -> RepoFileSelector.select("r", BARTOWSKI, "Q4_XS"));
        assertEquals(HubException.Kind.NO_MATCHING_FILE, e.kind());
        assertTrue(e.getMessage().contains("IQ4_XS") && e.getMessage().contains("Q4_K_M") && e.getMessage().contains("bf16"), e.getMessage());
    }

    @Test
    void splitFilesAreGroupedAndOrdered() {
        var s = RepoFileSelector.select("r", BARTOWSKI, "BF16");
        assertEquals(List.of(
                "mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16/mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16-00001-of-00002.gguf",
                "mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16/mistralai_Mistral-Small-3.2-24B-Instruct-2506-bf16-00002-of-00002.gguf"),
                paths(s.model()));
        assertEquals(3, s.all().size(), "2 parts + mmproj");
    }

    @Test
    void missingSplitPartIsAnError() {
        var files = List.of(f("M-Q8_0-00001-of-00003.gguf"), f("M-Q8_0-00003-of-00003.gguf"));
        HubException e = assertThrows(HubException.class, () -> RepoFileSelector.select("r", files, "Q8_0"));
        assertTrue(e.getMessage().contains("3 parts"), e.getMessage());
    }

    @Test
    void exactQuantTokenBeatsALongerName() {
        var files = List.of(f("M-UD-Q4_K_M.gguf"), f("M-Q4_K_M.gguf"), f("M-UD-Q4_K_XL.gguf"));
        assertEquals(List.of("M-Q4_K_M.gguf"), paths(RepoFileSelector.select("r", files, null).model()));
        assertEquals(List.of("M-UD-Q4_K_XL.gguf"), paths(RepoFileSelector.select("r", files, "ud-q4_k_xl").model()));
    }

    @Test
    void singleGgufWithoutTheDefaultQuantIsTaken() {
        var files = List.of(f("tiny.gguf"), f("mmproj-model-Q8_0.gguf"));
        var s = RepoFileSelector.select("r", files, null);
        assertEquals(List.of("tiny.gguf"), paths(s.model()));
        assertEquals("mmproj-model-Q8_0.gguf", s.mmproj().path());
    }

    @Test
    void mmprojPrefersF16ThenBf16ThenOthers() {
        assertEquals(0, RepoFileSelector.mmprojRank(f("mmproj-F16.gguf")));
        assertEquals(0, RepoFileSelector.mmprojRank(f("mmproj-x-f16.gguf")));
        assertEquals(1, RepoFileSelector.mmprojRank(f("mmproj-BF16.gguf")));
        assertEquals(2, RepoFileSelector.mmprojRank(f("mmproj-F32.gguf")));
        assertEquals(2, RepoFileSelector.mmprojRank(f("mmproj-Q8_0.gguf")));
        var files = List.of(f("M-Q4_K_M.gguf"), f("mmproj-F32.gguf"), f("mmproj-BF16.gguf"), f("mmproj-Q8_0.gguf"));
        assertEquals("mmproj-BF16.gguf", RepoFileSelector.select("r", files, null).mmproj().path());
    }

    /** The official repo holds both layouts: transformers shards by default, consolidated with :native. */
    static final List<RepoFile> OFFICIAL = Stream.of("README.md", "SYSTEM_PROMPT.txt", "config.json", "consolidated.safetensors",
            "generation_config.json", "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors",
            "model.safetensors.index.json", "params.json", "preprocessor_config.json", "tekken.json", "tokenizer.json",
            "images/example.png").map(RepoFileSelectorTest::f).toList();

    @Test
    void safetensorsLayouts() {
        var hf = RepoFileSelector.select("r", OFFICIAL, null);
        assertEquals(RepoFileSelector.Format.SAFETENSORS, hf.format());
        assertEquals(List.of("model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"), paths(hf.model()));
        assertEquals(List.of("config.json", "SYSTEM_PROMPT.txt", "generation_config.json", "model.safetensors.index.json",
                "preprocessor_config.json", "tekken.json"), paths(hf.extras()));

        var nat = RepoFileSelector.select("r", OFFICIAL, "native");
        assertEquals(List.of("consolidated.safetensors"), paths(nat.model()));
        assertEquals(List.of("params.json", "SYSTEM_PROMPT.txt", "tekken.json"), paths(nat.extras()));

        HubException e = assertThrows(HubException.class, () -> RepoFileSelector.select("r", OFFICIAL, "Q4_K_M"));
        assertTrue(e.getMessage().contains(":native"), e.getMessage());
        HubException none = assertThrows(HubException.class, () -> RepoFileSelector.select("r", List.of(f("README.md")), null));
        assertTrue(none.getMessage().contains("neither .gguf nor .safetensors"), none.getMessage());
    }

    @Test
    void specParsing() {
        ModelSpec s = ModelSpec.parse(DefaultModels.DEFAULT_SPEC);
        assertEquals(DefaultModels.MISTRAL_SMALL_3_2_REPO, s.repo().toString());
        assertEquals("Q4_K_M", s.quant());
        assertNull(ModelSpec.parse("a/b").quant());
        assertTrue(ModelSpec.looksLikeSpec("unsloth/Mistral-Small-3.2-24B-Instruct-2506-GGUF:UD-Q4_K_XL"));
        assertFalse(ModelSpec.looksLikeSpec("model.gguf"));
        assertFalse(ModelSpec.looksLikeSpec("/abs/path/x"));
        assertFalse(ModelSpec.looksLikeSpec("a/b/c"));
        assertEquals("models--bartowski--X-GGUF", RepoId.parse("bartowski/X-GGUF").cacheFolderName());
        assertEquals(RepoId.parse("bartowski/X-GGUF"), RepoId.fromCacheFolderName("models--bartowski--X-GGUF"));
        assertNull(RepoId.fromCacheFolderName("datasets--a--b"));
        assertThrows(IllegalArgumentException.class, () -> RepoId.parse("../etc"));
    }
}
