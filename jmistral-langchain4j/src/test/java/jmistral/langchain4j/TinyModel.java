package jmistral.langchain4j;

import jmistral.model.LoadedModel;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.VisionConfig;
import jmistral.tensor.GgmlType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tests' model, written once per JVM: the Mistral Small 3.2 architecture at width 64 with 2 layers
 * and the full Tekken vocabulary (so the GGUF carries the real tokenizer), seeded formula weights
 * ({@code jmistral synth}), and a 1-layer synthetic vision projector (mmproj) projecting to width 64.
 * Random weights answer nonsense, but the same request and seed always give the same tokens, and
 * constrained decoding makes tool calls and JSON valid whatever the weights say.
 */
final class TinyModel {
    private static final TextConfig CONFIG = new TextConfig(64, 2, 32, 128, 4, 2, 1e-5, 1e9, 131072, 4096);
    private static final long SEED = 7;
    private static TinyModel instance;

    final Path gguf;
    final Path mmproj;

    private TinyModel() throws IOException {
        Path dir = Files.createTempDirectory("jmistral-lc4j");
        dir.toFile().deleteOnExit();
        gguf = dir.resolve("tiny.gguf");
        Synth.write(gguf, new Synth.Options(LoadedModel.Format.GGUF, CONFIG, SEED, true, GgmlType.F32, 0));
        gguf.toFile().deleteOnExit();
        mmproj = dir.resolve("mmproj-tiny.gguf");
        VisionConfig vision = new VisionConfig(32, 1, 2, 64, 14, 2, CONFIG.dim(), 1e-5f, 1e4);
        SynthVisionFiles.writeMmproj(mmproj, vision, SEED, SynthVisionFiles.formulaImgBreak(SEED, CONFIG.vocabSize(), CONFIG.dim()));
        mmproj.toFile().deleteOnExit();
    }

    static synchronized TinyModel get() {
        if (instance == null) {
            try {
                instance = new TinyModel();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return instance;
    }
}
