package jmistral.engine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import jmistral.model.LoadedModel;
import jmistral.model.TextConfig;
import jmistral.model.synth.Synth;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.VisionConfig;
import jmistral.tensor.GgmlType;

/**
 * A small model of the real architecture for the engine's tests, written once per JVM as users have it:
 * a GGUF file with the real Tekken vocabulary (2 layers, width 64, random weights) and its mmproj beside
 * it (a 1-layer Pixtral tower projecting to width 64).
 */
final class TinyEngineModel {
    private static Path gguf;

    private TinyEngineModel() {}

    static synchronized Path gguf() {
        if (gguf == null) {
            try {
                Path dir = Files.createTempDirectory("jmistral-engine");
                dir.toFile().deleteOnExit();
                Path model = dir.resolve("tiny.gguf");
                TextConfig c = new TextConfig(64, 2, 32, 128, 4, 2, 1e-5, 1e9, 131072, 16384);
                Synth.write(model, new Synth.Options(LoadedModel.Format.GGUF, c, 7, false, GgmlType.F32, 0));
                VisionConfig vc = new VisionConfig(32, 1, 2, 64, 14, 2, 64, 1e-5f, 1e4);
                Path mmproj = dir.resolve("mmproj-tiny.gguf");
                SynthVisionFiles.writeMmproj(mmproj, vc, 5, SynthVisionFiles.formulaImgBreak(5, c.vocabSize(), c.dim()));
                model.toFile().deleteOnExit();
                mmproj.toFile().deleteOnExit();
                gguf = model;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return gguf;
    }
}
