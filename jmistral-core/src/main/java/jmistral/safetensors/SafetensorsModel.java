package jmistral.safetensors;

import jmistral.ModelFileException;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The tensors of a checkpoint in safetensors form, whichever way it is laid out:
 * <ol>
 *   <li>a folder with {@code model.safetensors.index.json}: the shards it names (sharded HF checkpoint);</li>
 *   <li>a folder without an index: {@code consolidated.safetensors} if present (Mistral native format),
 *       else its single {@code *.safetensors} file, else all of them merged (names must not repeat);</li>
 *   <li>one {@code .safetensors} file.</li>
 * </ol>
 */
public final class SafetensorsModel implements TensorSource {
    public static final String CONSOLIDATED = "consolidated.safetensors";

    private final Path path;
    private final List<SafetensorsFile> files;
    private final Map<String, TensorView> tensors;

    private SafetensorsModel(Path path, List<SafetensorsFile> files, Map<String, TensorView> tensors) {
        this.path = path;
        this.files = files;
        this.tensors = tensors;
    }

    /** Opens a folder or file laid out as in the class comment; the caller closes it. */
    public static SafetensorsModel open(Path dirOrFile) {
        Path index = dirOrFile.resolve(SafetensorsIndex.FILE_NAME);
        if (Files.isDirectory(dirOrFile) && Files.exists(index)) return sharded(dirOrFile, SafetensorsIndex.read(index));
        return merged(dirOrFile, filesOf(dirOrFile));
    }

    /**
     * The .safetensors files {@link #open} reads for this folder or file, in order (for an index: its
     * shards in first-mention order, checked to exist).
     */
    public static List<Path> filesOf(Path dirOrFile) {
        if (!Files.isDirectory(dirOrFile)) {
            if (!Files.exists(dirOrFile)) throw new ModelFileException(dirOrFile, -1, "no such file or folder");
            return List.of(dirOrFile);
        }
        Path index = dirOrFile.resolve(SafetensorsIndex.FILE_NAME);
        if (Files.exists(index)) return shardPaths(dirOrFile, SafetensorsIndex.read(index));
        if (Files.exists(dirOrFile.resolve(CONSOLIDATED))) return List.of(dirOrFile.resolve(CONSOLIDATED));
        List<Path> all;
        try (Stream<Path> s = Files.list(dirOrFile)) {
            all = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ModelFileException(dirOrFile, -1, "cannot list folder: " + e, e);
        }
        if (all.isEmpty()) throw new ModelFileException(dirOrFile, -1, "folder holds no .safetensors file and no " + SafetensorsIndex.FILE_NAME);
        return all;
    }

    /** The shards an index names, each checked to exist. */
    private static List<Path> shardPaths(Path dir, SafetensorsIndex index) {
        List<String> shardNames = List.copyOf(new LinkedHashSet<>(index.weightMap().values()));
        for (String shard : shardNames) {
            if (!Files.isRegularFile(dir.resolve(shard))) {
                String example = index.weightMap().entrySet().stream().filter(e -> e.getValue().equals(shard))
                        .findFirst().orElseThrow().getKey();
                throw new ModelFileException(index.file(), -1, "shard '" + shard + "' (holding e.g. '" + example
                        + "') is missing from " + dir + ": incomplete download?");
            }
        }
        return shardNames.stream().map(dir::resolve).toList();
    }

    /** Opens the shards the index names; every listed tensor must be in its shard. */
    private static SafetensorsModel sharded(Path dir, SafetensorsIndex index) {
        List<Path> shards = shardPaths(dir, index);
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            for (Path shard : shards) {
                SafetensorsFile f = SafetensorsFile.open(shard);
                files.add(f);
                byName.put(shard.getFileName().toString(), f);
            }
            Map<String, TensorView> tensors = new LinkedHashMap<>();
            for (var e : index.weightMap().entrySet()) {
                TensorView t = byName.get(e.getValue()).tensors().get(e.getKey());
                if (t == null) {
                    throw new ModelFileException(dir.resolve(e.getValue()), -1, "tensor '" + e.getKey()
                            + "' listed in " + SafetensorsIndex.FILE_NAME + " is not in this shard");
                }
                tensors.put(e.getKey(), t);
            }
            return new SafetensorsModel(dir, List.copyOf(files), Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** Opens the files and merges their tensors; a name in two files is an error. */
    private static SafetensorsModel merged(Path path, List<Path> paths) {
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, TensorView> tensors = new LinkedHashMap<>();
            Map<String, Path> origin = new LinkedHashMap<>();
            for (Path p : paths) {
                SafetensorsFile f = SafetensorsFile.open(p);
                files.add(f);
                for (TensorView t : f.tensors().values()) {
                    Path first = origin.putIfAbsent(t.name(), p);
                    if (first != null) {
                        throw new ModelFileException(p, -1, "tensor '" + t.name() + "' is also in " + first
                                + "; add a " + SafetensorsIndex.FILE_NAME + " to say which files form the model");
                    }
                    tensors.put(t.name(), t);
                }
            }
            return new SafetensorsModel(path, List.copyOf(files), Collections.unmodifiableMap(tensors));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** The open files (one per shard). */
    public List<SafetensorsFile> files() { return files; }

    /** {@code __metadata__} of all files together (first file wins on conflicting keys). */
    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        for (SafetensorsFile f : files) f.metadata().forEach(m::putIfAbsent);
        return Collections.unmodifiableMap(m);
    }

    @Override
    public Map<String, TensorView> tensors() { return tensors; }

    @Override
    public Path path() { return path; }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
