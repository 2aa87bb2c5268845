package jmistral.model;

import jmistral.ModelFileException;
import jmistral.gguf.GgufFile;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a text model from what users have: a GGUF file, a Hugging Face folder (config.json +
 * model*.safetensors), or a Mistral native folder (params.json + consolidated.safetensors). Weights are
 * mapped, not copied.
 */
public final class ModelLoader {
    private ModelLoader() {}

    /**
     * Opens a GGUF file or a model folder (a config.json, params.json or .safetensors file inside one also
     * works); anything else is a {@link ModelFileException}. The caller closes the result.
     */
    public static LoadedModel load(Path path) {
        if (!Files.exists(path)) throw new ModelFileException(path, -1, "no such file or folder");
        if (Files.isRegularFile(path)) {
            if (isGguf(path)) return loadGguf(path);
            String name = path.getFileName().toString();
            if (name.equals("config.json") || name.equals("params.json") || name.endsWith(".safetensors")) {
                return load(path.toAbsolutePath().getParent());
            }
            throw new ModelFileException(path, -1, "not a GGUF file (no 'GGUF' magic) and not part of a model folder");
        }
        Path tekken = Files.isRegularFile(path.resolve("tekken.json")) ? path.resolve("tekken.json") : null;
        if (Files.isRegularFile(path.resolve("config.json")) && hasHfWeights(path)) {
            return SafetensorsCheckpoints.loadHf(path, tekken);
        }
        if (Files.isRegularFile(path.resolve("params.json")) && Files.isRegularFile(path.resolve("consolidated.safetensors"))) {
            return SafetensorsCheckpoints.loadNative(path, tekken);
        }
        throw new ModelFileException(path, -1, "a model folder needs config.json with model*.safetensors (Hugging Face) "
                + "or params.json with consolidated.safetensors (Mistral native); found neither");
    }

    static LoadedModel loadGguf(Path file) {
        GgufFile gguf = GgufFile.open(file);
        try {
            TextConfig c = TextConfigReader.fromGguf(gguf.metadata(), file);
            Checkpoint ck = Checkpoint.load(gguf, c, TensorNames.GGUF);
            return new LoadedModel(new TextModel(ck, gguf), LoadedModel.Format.GGUF, file, gguf.metadata(), null);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    private static boolean isGguf(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            throw new ModelFileException(file, 0, "cannot read: " + e.getMessage(), e);
        }
    }

    private static boolean hasHfWeights(Path dir) {
        if (Files.isRegularFile(dir.resolve("model.safetensors.index.json"))) return true;
        try (var s = Files.list(dir)) {
            return s.anyMatch(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("model") && n.endsWith(".safetensors");
            });
        } catch (IOException e) {
            throw new ModelFileException(dir, -1, "cannot list folder: " + e.getMessage(), e);
        }
    }
}
