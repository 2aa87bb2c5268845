package jmistral.server.engine;

import jmistral.bench.SynthGguf;
import jmistral.engine.EngineOptions;
import jmistral.model.synth.SynthVisionFiles;
import jmistral.model.vision.VisionConfig;
import jmistral.server.JmistralServer;
import jmistral.server.ServerOptions;
import jmistral.tensor.GgmlType;
import jmistral.tokenizer.Tekken;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One server for the tests of this package, on a real (small, random-weight) model: 2 layers, width 64,
 * the full Tekken vocabulary, written as a GGUF file and loaded like a user's model, with a 1-layer synthetic
 * mmproj for images. Built once per JVM.
 */
final class SynthServer {
    static final String API_KEY = "sk-synth";
    private static SynthServer instance;

    final Path gguf;
    final Tekken tekken;
    final ModelCompletionEngine engine;
    final JmistralServer server;

    private SynthServer() throws IOException {
        Path dir = Files.createTempDirectory("jmistral-synth");
        dir.toFile().deleteOnExit();
        tekken = SynthGguf.tekken();
        gguf = dir.resolve("tiny.gguf");
        SynthGguf.write(gguf, SynthGguf.tiny(tekken.vocabSize()), tekken, GgmlType.F32, 7);
        gguf.toFile().deleteOnExit();
        Path mmproj = dir.resolve("mmproj-tiny.gguf");
        // a 1-layer Pixtral tower projecting to the text width (64); the [IMG_BREAK] row is random
        VisionConfig vc = new VisionConfig(32, 1, 2, 64, 14, 2, 64, 1e-5f, 1e4);
        SynthVisionFiles.writeMmproj(mmproj, vc, 5, SynthVisionFiles.formulaImgBreak(5, tekken.vocabSize(), 64));
        mmproj.toFile().deleteOnExit();
        engine = ModelCompletionEngine.load(EngineOptions.of(gguf).withModelId("jmistral-synth").withMaxParallel(8).withContextTokens(16384)
                .withMmproj(mmproj));
        server = new JmistralServer(ServerOptions.loopback(0).withApiKey(API_KEY), engine).start();
    }

    static synchronized SynthServer get() {
        if (instance == null) {
            try {
                instance = new SynthServer();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                instance.server.close();
                instance.engine.close();
            }));
        }
        return instance;
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }
}
