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
    void anExistingOutputIsKeptWithoutForce() throws Exception {
        Path hf = model(), out = Files.writeString(dir.resolve("taken.gguf"), "mine");
        var r = CliRun.run("quantize", hf.toString(), out.toString(), "Q8_0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains(out + " already exists; pass --force to overwrite it"), r.err());
        assertEquals("mine", Files.readString(out));
        r = CliRun.run("quantize", hf.toString(), out.toString(), "Q8_0", "--force");
        assertEquals(0, r.code(), r.err());
        try (GgufFile f = GgufFile.open(out)) {
            assertEquals(7, f.getInt("general.file_type"));
        }
    }

    @Test
    void synthAsksForATypeAndNamesThemAsQuantizeDoes() throws Exception {
        var none = CliRun.run("synth", dir.resolve("s.gguf").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("Missing required option: '--type=TYPE'"), none.err());
        assertTrue(none.err().contains("default: 5120"), "help shows defaults: " + none.err());
        assertFalse(Files.exists(dir.resolve("s.gguf")));
        // Q4_K_M: the same per-tensor types as quantize gives the same model
        Path synth = dir.resolve("s.gguf"), q8 = dir.resolve("q8.gguf"), quantized = dir.resolve("q.gguf");
        String[] shape = {"--dim", "256", "--ffn", "512", "--heads", "4", "--kv-heads", "2", "--head-dim", "64", "--vocab", "512", "--seed", "3"};
        assertEquals(0, CliRun.run(concat(new String[]{"synth", "--type", "Q4_K_M", synth.toString()}, shape)).code());
        assertEquals(0, CliRun.run(concat(new String[]{"synth", "--type", "q8_0", q8.toString()}, shape)).code());
        assertEquals(0, CliRun.run("quantize", q8.toString(), quantized.toString(), "Q4_K_M").code());
        assertArrayEquals(Files.readAllBytes(quantized), Files.readAllBytes(synth));
        var again = CliRun.run(concat(new String[]{"synth", "--type", "Q8_0", synth.toString()}, shape));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists; pass --force"), again.err());
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
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
