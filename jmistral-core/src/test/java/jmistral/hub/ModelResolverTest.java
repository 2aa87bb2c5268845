package jmistral.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** -m with local files and folders (Hub repos are covered by HubPullTest). */
class ModelResolverTest {

    @TempDir
    Path tmp;

    ModelResolver offlineResolver() {
        return new ModelResolver(new ModelPuller(new HubConfig(tmp.resolve("cache"), "http://127.0.0.1:9", null, true)));
    }

    @Test
    void ggufFileFindsItsMmprojNeighbour() throws IOException {
        Path model = Files.write(tmp.resolve("M-Q4_K_M.gguf"), new byte[]{1});
        Files.write(tmp.resolve("mmproj-M-Q8_0.gguf"), new byte[]{2});
        Path f16 = Files.write(tmp.resolve("mmproj-M-f16.gguf"), new byte[]{3});
        ResolvedModel r = offlineResolver().resolve(model.toString());
        assertTrue(r.isGguf());
        assertEquals(model, r.model());
        assertEquals(f16, r.mmproj().orElseThrow());
        assertTrue(r.repo().isEmpty());
    }

    @Test
    void folderOfGgufsUsesTheDefaultQuant() throws IOException {
        Files.write(tmp.resolve("M-Q8_0.gguf"), new byte[]{1});
        Path q4 = Files.write(tmp.resolve("M-Q4_K_M.gguf"), new byte[]{1});
        ResolvedModel r = offlineResolver().resolve(tmp.toString());
        assertEquals(q4, r.model());
        assertTrue(r.mmproj().isEmpty());
    }

    @Test
    void safetensorsFolder() throws IOException {
        Files.write(tmp.resolve("consolidated.safetensors"), new byte[]{1});
        Files.writeString(tmp.resolve("params.json"), "{}");
        Path tekken = Files.writeString(tmp.resolve("tekken.json"), "{}");
        ResolvedModel r = offlineResolver().resolve(tmp.toString());
        assertEquals(RepoFileSelector.Format.SAFETENSORS, r.format());
        assertEquals(tmp, r.model());
        assertEquals(tekken, r.tekkenJson().orElseThrow());
        assertEquals(List.of(tmp.resolve("consolidated.safetensors"), tmp.resolve("params.json"), tmp.resolve("tekken.json")), r.files());
    }

    @Test
    void unknownSpecsAndOfflineDefault() {
        HubException bad = assertThrows(HubException.class, () -> offlineResolver().resolve("no-such-file.gguf"));
        assertTrue(bad.getMessage().contains("no such file or folder"), bad.getMessage());
        // no -m: the default repo, which an empty offline cache does not have
        HubException def = assertThrows(HubException.class, () -> offlineResolver().resolve(null));
        assertEquals(HubException.Kind.OFFLINE_NOT_CACHED, def.kind());
        assertTrue(def.getMessage().contains(DefaultModels.MISTRAL_SMALL_3_2_REPO), def.getMessage());
    }
}
