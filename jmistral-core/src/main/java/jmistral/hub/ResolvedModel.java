package jmistral.hub;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the files of a model are on disk, whatever {@code -m} named (a GGUF file, a folder, a Hub repo).
 *
 * @param format     GGUF or SAFETENSORS
 * @param model      GGUF: the model file (the first part of a split file); SAFETENSORS: the folder holding
 *                   the weights (give it to SafetensorsModel.open / ModelLoader.load)
 * @param mmproj     the vision projector GGUF, if any
 * @param tekkenJson the tokenizer file, if any (GGUF files carry their own vocabulary)
 * @param directory  the folder the files are in (a cache snapshot for Hub models)
 * @param files      every file that belongs to the model (all split parts, configs...)
 * @param repo       the Hub repo when the model came from one
 * @param commit     the commit of the snapshot when the model came from the Hub
 */
public record ResolvedModel(RepoFileSelector.Format format, Path model, Optional<Path> mmproj,
                            Optional<Path> tekkenJson, Path directory, List<Path> files,
                            Optional<RepoId> repo, Optional<String> commit) {

    public boolean isGguf() { return format == RepoFileSelector.Format.GGUF; }

    /** The file in {@link #directory()} with this name, when it exists ({@code params.json}, {@code SYSTEM_PROMPT.txt}...). */
    public Optional<Path> sibling(String name) {
        Path p = directory.resolve(name);
        return java.nio.file.Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
