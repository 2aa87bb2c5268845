package jmistral.cli;

import jmistral.gguf.GgufFile;
import jmistral.model.LoadedModel;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class QuantizeCommandTest {
    @TempDir
    Path dir;

    private Path model() throws Exception {
        Path hf = dir.resolve("hf");
        Synth.write(hf, new Synth.Options(LoadedModel.Format.HF, new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096),
                3, false, GgmlType.BF16, 0));
        return hf;
    }

    @Test
    void writesAGgufAndSaysWhatItWrote() throws Exception {
        Path out = dir.resolve("m-Q8_0.gguf");
        var r = CliRun.run("quantize", model().toString(), out.toString(), "q8_0");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("wrote " + out + ": Q8_0, 21 tensors (5 F32, 16 Q8_0)"), r.out());
        assertTrue(r.out().contains("note: tekken.json has 131072 tokens but the model 256"), r.out());
        assertTrue(r.err().contains("[1/21] token_embd.weight Q8_0") && r.err().contains("[21/21] output.weight Q8_0"), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(7, f.getInt("general.file_type"));
        }
    }

    @Test
    void badTypeAndMissingConfigAreClearErrors() throws Exception {
        Path hf = model();
        var r = CliRun.run("quantize", hf.toString(), dir.resolve("o.gguf").toString(), "Q3_K_XL");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("error: unknown quantization type 'Q3_K_XL'; choose one of F32, F16, BF16, Q8_0"), r.err());
        Files.delete(hf.resolve("config.json"));
        r = CliRun.run("quantize", hf.toString(), dir.resolve("o.gguf").toString(), "Q4_K_M");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("config.json"), r.err());
        assertFalse(Files.exists(dir.resolve("o.gguf")));
    }
}
