package jmistral.cli;

import jmistral.model.LoadedModel;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.VisionConfig;
import jmistral.tensor.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CLI as a user runs it, in a JVM of its own with a 512 MB heap, on hostile files: a GGUF claiming
 * 2^62 tensors, a safetensors header claiming a terabyte, a config of 10^8 layers, a
 * 7000x7000 16-bit PNG pixel bomb (381 KB), a PDF nested 100,000 deep and one with a broken cross-reference
 * table. Each gives exit code 1 and exactly one line on stderr, "error: ..." (no stack trace, no PDFBox log
 * line, no OutOfMemoryError).
 */
@Timeout(300)
class HostileFilesSmallHeapTest {
    static final TextConfig TEXT = new TextConfig(64, 2, 32, 128, 2, 1, 1e-5, 1e9, 131072, 8192);
    static final VisionConfig VISION = new VisionConfig(32, 1, 2, 64, 14, 2, 64, 1e-5f, 1e4);

    @TempDir static Path dir;
    static Path gguf, mmproj;

    @BeforeAll
    static void models() throws Exception {
        gguf = dir.resolve("tiny.gguf");
        Synth.write(gguf, new Synth.Options(LoadedModel.Format.GGUF, TEXT, 3, false, GgmlType.Q8_0, 0));
        mmproj = dir.resolve("mmproj-tiny-f16.gguf");
        SynthVisionFiles.writeMmproj(mmproj, VISION, 3, SynthVisionFiles.formulaImgBreak(3, TEXT.vocabSize(), TEXT.dim()));
    }

    /** One run of {@code jmistral ARGS} in a child JVM with -Xmx512m: exit code and stderr lines. */
    record Child(int code, List<String> errLines, String out) {}

    static Child jmistral(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-Xss4m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Path err = dir.resolve("stderr.txt"), out = dir.resolve("stdout.txt");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectError(err.toFile()).redirectOutput(out.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("jmistral " + String.join(" ", args) + " still running after 120 s");
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(err, StandardCharsets.UTF_8));
        lines.removeIf(l -> l.startsWith("WARNING: Using incubator modules"));   // the JVM's own line (./jmistral drops it too)
        return new Child(p.exitValue(), lines, Files.readString(out));
    }

    private static void oneLineError(Child c, String expected) {
        assertEquals(1, c.code(), "exit code; stderr: " + c.errLines());
        assertEquals(1, c.errLines().size(), "one stderr line: " + String.join("\n", c.errLines()));
        String line = c.errLines().getFirst();
        assertTrue(line.startsWith("error: ") && line.contains(expected), line);
        assertTrue(line.length() < 1000, line);
    }

    @Test
    void corruptModelFiles() throws Exception {
        byte[] valid = Files.readAllBytes(gguf);
        ByteBuffer b = ByteBuffer.wrap(valid.clone()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(8, 1L << 62);   // tensor count
        Path manyTensors = Files.write(dir.resolve("many-tensors.gguf"), b.array());
        oneLineError(jmistral("inspect", manyTensors.toString()), "tensor count");
        oneLineError(jmistral("run", "-m", manyTensors.toString(), "hi"), "tensor count");
        oneLineError(jmistral("chat", "-m", manyTensors.toString()), "tensor count");

        byte[] st = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array();
        Path terabyteHeader = Files.write(dir.resolve("huge-header.safetensors"), st);
        oneLineError(jmistral("inspect", terabyteHeader.toString()), "header");

        Path folder = Files.createDirectories(dir.resolve("layers"));
        Synth.write(folder, new Synth.Options(LoadedModel.Format.HF, new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, 256, 4096),
                3, false, GgmlType.F32, 0));
        Files.writeString(folder.resolve("config.json"), Files.readString(folder.resolve("config.json"))
                .replaceFirst("\"num_hidden_layers\"\\s*:\\s*2", "\"num_hidden_layers\": 100000000"));
        oneLineError(jmistral("run", "-m", folder.toString(), "hi"), "100000000");
    }

    @Test
    void pixelBombAndHostilePdfs() throws Exception {
        Path bomb = Files.write(dir.resolve("bomb.png"), zeroPng16(7000, 7000));
        // decoded (subsampled) within the 512 MB heap; its 3080 image tokens then do not fit a 256-token context
        oneLineError(jmistral("run", "-m", gguf.toString(), "--mmproj", mmproj.toString(), "--image", bomb.toString(),
                "--ctx", "256", "--max-tokens", "2", "hi"), "context");

        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Path nested = Files.write(dir.resolve("nested.pdf"), pdf("/Deep " + deep, true));
        Child c = jmistral("run", "-m", gguf.toString(), "--mmproj", mmproj.toString(), "--file", nested.toString(),
                "--ctx", "256", "--max-tokens", "2", "hi");
        oneLineError(c, "nested.pdf");

        // no cross-reference table: PDFBox repairs it (and logs that it did); the page then needs more tokens than fit
        Path noXref = Files.write(dir.resolve("no-xref.pdf"), pdf("", false));
        oneLineError(jmistral("run", "-m", gguf.toString(), "--mmproj", mmproj.toString(), "--file", noXref.toString(),
                "--ctx", "256", "--max-tokens", "2", "hi"), "no-xref.pdf");
    }

    /** A one-page PDF with {@code extra} in its page dictionary; without {@code xref}, no cross-reference table. */
    static byte[] pdf(String extra, boolean xref) {
        String[] objects = {
                "<< /Type /Catalog /Pages 2 0 R >>",
                "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R " + extra + " >>",
                "<< /Length 19 >>\nstream\n0 0 1 rg 9 9 99 99 re f\nendstream"};
        StringBuilder s = new StringBuilder("%PDF-1.7\n");
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < objects.length; i++) {
            offsets.add(s.length());
            s.append(i + 1).append(" 0 obj\n").append(objects[i]).append("\nendobj\n");
        }
        if (xref) {
            int at = s.length();
            s.append("xref\n0 ").append(objects.length + 1).append("\n0000000000 65535 f \n");
            for (int o : offsets) s.append(String.format("%010d 00000 n \n", o));
            s.append("trailer\n<< /Size ").append(objects.length + 1).append(" /Root 1 0 R >>\nstartxref\n").append(at).append("\n%%EOF\n");
        } else {
            s.append("trailer\n<< /Root 1 0 R >>\n%%EOF\n");
        }
        return s.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A 16-bit RGBA PNG of zeros: 7000x7000 is 381 KB and 392 MB decoded whole. */
    static byte[] zeroPng16(int w, int h) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 16).put((byte) 6).put((byte) 0)
                .put((byte) 0).put((byte) 0).array());
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
            byte[] row = new byte[1 + w * 8];
            for (int y = 0; y < h; y++) z.write(row);
        }
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
