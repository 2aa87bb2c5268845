package jmistral.model;

import jmistral.safetensors.SafetensorsModel;

import java.nio.file.Files;
import java.nio.file.Path;

/** Loads Hugging Face and Mistral native safetensors folders. */
final class SafetensorsCheckpoints {
    private SafetensorsCheckpoints() {}

    /** config.json + model.safetensors.index.json shards (or one model*.safetensors). q/k rows are HF-permuted. */
    static LoadedModel loadHf(Path dir, Path tekken) {
        TextConfig c = TextConfigReader.fromHfConfig(dir.resolve("config.json"));
        Path weights = Files.exists(dir.resolve("model.safetensors.index.json")) || !Files.exists(dir.resolve("model.safetensors"))
                ? dir : dir.resolve("model.safetensors");
        return open(SafetensorsModel.open(weights), c, LoadedModel.Format.HF, dir, tekken);
    }

    /** params.json + consolidated.safetensors (interleaved q/k, like GGUF). */
    static LoadedModel loadNative(Path dir, Path tekken) {
        TextConfig c = TextConfigReader.fromParamsJson(dir.resolve("params.json"));
        return open(SafetensorsModel.open(dir.resolve(SafetensorsModel.CONSOLIDATED)), c, LoadedModel.Format.NATIVE, dir, tekken);
    }

    private static LoadedModel open(SafetensorsModel st, TextConfig c, LoadedModel.Format format, Path dir, Path tekken) {
        try {
            Checkpoint ck = Checkpoint.load(st, c);
            boolean nativeNames = ck.rope() == RopeLayout.INTERLEAVED;
            if (nativeNames != (format == LoadedModel.Format.NATIVE)) {
                throw new jmistral.ModelFileException(st.path(), -1, format + " folder holds tensors named in the "
                        + (nativeNames ? "native" : "Hugging Face") + " layout");
            }
            return new LoadedModel(new TextModel(ck, st), format, dir, null, tekken);
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }
}
