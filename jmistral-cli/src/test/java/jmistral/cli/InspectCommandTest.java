package jmistral.cli;

import static jmistral.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jmistral.gguf.GgufWriter;
import jmistral.safetensors.SafetensorsDType;
import jmistral.safetensors.SafetensorsWriter;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class InspectCommandTest {
    @TempDir
    Path dir;

    private Path gguf() throws Exception {
        Path f = dir.resolve("m.gguf");
        List<String> tokens = IntStream.range(0, 100).mapToObj(i -> "tok" + i).toList();
        new GgufWriter().putString("general.architecture", "llama").putUInt32("llama.block_count", 2)
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putString("tokenizer.chat_template", "x".repeat(500) + "\n")
                .addF32("output_norm.weight", new float[8], 8)
                .addTensor("blk.0.attn_q.weight", GgmlType.Q8_0, new long[]{64, 2}, new byte[(int) GgmlType.Q8_0.bytesFor(128)])
                .write(f);
        return f;
    }

    @Test
    void ggufText() throws Exception {
        Path f = gguf();
        CliRun r = run("inspect", f.toString());
        assertEquals(0, r.code(), r.err());
        String out = r.out();
        assertTrue(out.contains("format: GGUF v3, alignment 32"), out);
        assertTrue(out.contains("general.architecture") && out.contains("\"llama\""), out);
        assertTrue(out.contains("llama.block_count") && out.contains("UINT32") && out.contains(" 2\n"), out);
        assertTrue(out.contains("STRING[100]") && out.contains("[\"tok0\", \"tok1\", \"tok2\", \"tok3\", \"tok4\", \"tok5\", ... (100 items)]"), out);
        assertFalse(out.contains("tok6\""), "long arrays are abbreviated");
        assertTrue(out.contains("... (501 chars)"), "long strings are cut");
        assertTrue(out.matches("(?s).*blk\\.0\\.attn_q\\.weight\\s+Q8_0\\s+64 x 2\\s+\\d+\\s+136\\n.*"), out);
        assertTrue(out.matches("(?s).*output_norm\\.weight\\s+F32\\s+8\\s+\\d+\\s+32\\n.*"), out);
    }

    @Test
    void ggufJson() throws Exception {
        CliRun r = run("inspect", "--json", "--items", "2", gguf().toString());
        assertEquals(0, r.code(), r.err());
        JsonNode files = new ObjectMapper().readTree(r.out());
        JsonNode f = files.get(0);
        assertEquals("GGUF v3", f.get("format").asText());
        assertEquals(100, f.get("metadata").get("tokenizer.ggml.tokens").get("count").asInt());
        assertEquals(2, f.get("metadata").get("tokenizer.ggml.tokens").get("head").size());
        assertEquals(2, f.get("metadata").get("llama.block_count").get("value").asInt());
        JsonNode q = f.get("tensors").get(1);
        assertEquals("blk.0.attn_q.weight", q.get("name").asText());
        assertEquals(136, q.get("bytes").asLong());
        assertEquals(0, q.get("offset").asLong() % 32);
    }

    @Test
    void safetensorsFolder() throws Exception {
        SafetensorsWriter w = new SafetensorsWriter().putMetadata("format", "pt");
        w.add("model.layers.0.self_attn.q_proj.weight", SafetensorsDType.BF16, new long[]{4, 8}, new float[32]);
        w.add("model.norm.weight", SafetensorsDType.F32, new long[]{8}, new float[8]);
        w.writeSharded(dir.resolve("hf"), 64);
        CliRun r = run("inspect", dir.resolve("hf").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model-00001-of-00002.safetensors") && r.out().contains("model-00002-of-00002.safetensors"), r.out());
        assertTrue(r.out().matches("(?s).*q_proj\\.weight\\s+BF16\\s+4 x 8\\s+\\d+\\s+64\\n.*"), r.out());
        assertTrue(r.out().contains("row-major"), r.out());
        assertTrue(r.out().contains("format") && r.out().contains("\"pt\""), r.out());
    }

    @Test
    void badFileIsAOneLineError() throws Exception {
        Path f = Files.write(dir.resolve("junk.bin"), new byte[]{'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0});
        CliRun r = run("inspect", f.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("junk.bin") && r.err().contains("neither a GGUF"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace");
        Path g = Files.write(dir.resolve("bad.gguf"), new byte[]{'G', 'G', 'U', 'F', 1, 0, 0, 0});
        r = run("inspect", g.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("version 1"), r.err());
        r = run("inspect", dir.resolve("missing.gguf").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no such file"), r.err());
    }
}
