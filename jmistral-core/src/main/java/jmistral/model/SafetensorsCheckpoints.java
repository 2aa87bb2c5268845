package jmistral.model;

import jmistral.ModelFileException;

import java.nio.file.Path;

/** Loading of HF and native safetensors folders. TODO: needs jmistral.safetensors.SafetensorsModel (files team). */
final class SafetensorsCheckpoints {
    private SafetensorsCheckpoints() {}

    static LoadedModel loadHf(Path dir, Path tekken) {
        throw new ModelFileException(dir, -1, "Hugging Face safetensors folders are not supported yet");
    }

    static LoadedModel loadNative(Path dir, Path tekken) {
        throw new ModelFileException(dir, -1, "Mistral native folders are not supported yet");
    }
}
