package jmistral.hub;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** Environment variables read as huggingface_hub's constants.py reads them. */
class HubConfigTest {

    @TempDir
    Path tmp;

    @Test
    void defaults() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString()));
        assertEquals(tmp.resolve("hub"), c.hubCache());
        assertEquals("https://huggingface.co", c.endpoint());
        assertNull(c.token());
        assertFalse(c.offline());
        HubConfig xdg = HubConfig.fromEnvironment(Map.of("XDG_CACHE_HOME", tmp.toString()));
        assertEquals(tmp.resolve("huggingface/hub"), xdg.hubCache());
    }

    @Test
    void overrides() {
        HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_HUB_CACHE", tmp.resolve("elsewhere").toString(),
                "HF_ENDPOINT", "http://127.0.0.1:9/", "HF_TOKEN", "hf_abc", "HF_HUB_OFFLINE", "yes"));
        assertEquals(tmp.resolve("elsewhere"), c.hubCache());
        assertEquals("http://127.0.0.1:9", c.endpoint());
        assertEquals("hf_abc", c.token());
        assertTrue(c.offline());
        assertFalse(c.toString().contains("hf_abc"), "the token is never printed");
        assertFalse(HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_HUB_OFFLINE", "0")).offline());
    }

    @Test
    void tokenFileWrittenByHfAuthLogin() throws IOException {
        Files.writeString(tmp.resolve("token"), "hf_from_file\n", StandardCharsets.UTF_8);
        assertEquals("hf_from_file", HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString())).token());
        assertEquals("hf_env", HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_TOKEN", "hf_env")).token());
    }
}
