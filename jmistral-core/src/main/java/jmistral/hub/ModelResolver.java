package jmistral.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Turns what a user gave to {@code -m} into files on disk:
 * <ul>
 *   <li>null or blank: {@link DefaultModels#DEFAULT_SPEC};</li>
 *   <li>an existing {@code .gguf} file: that file, plus an mmproj GGUF beside it (F16 preferred) if there is one;</li>
 *   <li>an existing folder: its GGUF files chosen as for a repo (default quant, or {@code FOLDER:QUANT}
 *       is not supported - name the file), else a safetensors folder with its tekken.json;</li>
 *   <li>{@code ORG/NAME[:QUANT]}: pulled from the Hub into the cache (or found there when offline).</li>
 * </ul>
 * Usage: {@code ResolvedModel m = ModelResolver.fromEnvironment().resolve(spec);}
 */
public final class ModelResolver {

    private final ModelPuller puller;

    public ModelResolver(ModelPuller puller) {
        this.puller = puller;
    }

    /**
     * A resolver configured from the environment (HF_HOME, HF_TOKEN, HF_ENDPOINT, HF_HUB_OFFLINE) that shows a
     * progress bar on stderr when stderr is a terminal and prints notes to stderr.
     */
    public static ModelResolver fromEnvironment() {
        boolean bar = ProgressBar.stderrIsTerminal();
        return new ModelResolver(new ModelPuller(HubConfig.fromEnvironment(), FileDownloader.Options.defaults(),
                name -> bar ? new ProgressBar(System.err) : ProgressListener.NONE, s -> { }));
    }

    /** Resolves {@code spec} at the default revision ("main" for Hub repos). */
    public ResolvedModel resolve(String spec) {
        return resolve(spec, null);
    }

    /** Resolves {@code spec}; {@code revision} only matters for Hub repos (null: "main"). */
    public ResolvedModel resolve(String spec, String revision) {
        String s = spec == null || spec.isBlank() ? DefaultModels.DEFAULT_SPEC : spec.trim();
        Path local = asExistingPath(s);
        if (local != null) return Files.isDirectory(local) ? fromFolder(local) : fromFile(local);
        if (ModelSpec.looksLikeSpec(s)) return fromPull(puller.pull(ModelSpec.parse(s), revision));
        throw new HubException(HubException.Kind.NOT_FOUND, "-m " + s + ": no such file or folder, and not a "
                + "Hugging Face repo id (ORG/NAME[:QUANT])");
    }

    /** The files of a pull, as a ResolvedModel. */
    public static ResolvedModel fromPull(PulledModel p) {
        RepoFileSelector.Selection sel = p.selection();
        Path dir = p.snapshotDir();
        Path model = sel.format() == RepoFileSelector.Format.GGUF ? p.file(sel.model().getFirst()) : dir;
        Optional<Path> mmproj = Optional.ofNullable(sel.mmproj()).map(p::file);
        Optional<Path> tekken = sel.extras().stream().filter(f -> f.path().equals("tekken.json")).findFirst().map(p::file);
        return new ResolvedModel(sel.format(), model, mmproj, tekken, dir, p.files(), Optional.ofNullable(p.repo()),
                Optional.ofNullable(p.commit()));
    }

    private static Path asExistingPath(String s) {
        try {
            Path p = Path.of(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
            return Files.exists(p) ? p.toAbsolutePath().normalize() : null;
        } catch (RuntimeException e) {   // InvalidPathException: not a path at all
            return null;
        }
    }

    private static ResolvedModel fromFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        Path dir = file.getParent();
        if (name.endsWith(".gguf")) {
            Optional<Path> mmproj = RepoFileSelector.isMmproj(new RepoFile(name, 0, null, null)) ? Optional.empty()
                    : bestMmproj(dir);
            List<Path> files = Stream.concat(Stream.of(file), mmproj.stream()).toList();
            return new ResolvedModel(RepoFileSelector.Format.GGUF, file, mmproj, Optional.empty(), dir, files,
                    Optional.empty(), Optional.empty());
        }
        if (name.endsWith(".safetensors")) {
            Optional<Path> tekken = Optional.of(dir.resolve("tekken.json")).filter(Files::isRegularFile);
            return new ResolvedModel(RepoFileSelector.Format.SAFETENSORS, file, Optional.empty(), tekken, dir,
                    List.of(file), Optional.empty(), Optional.empty());
        }
        throw new HubException(HubException.Kind.NO_MATCHING_FILE, "-m " + file + ": expected a .gguf or .safetensors file or a model folder");
    }

    private static ResolvedModel fromFolder(Path dir) {
        List<RepoFile> files = listTop(dir);
        RepoFileSelector.Selection sel = RepoFileSelector.select(dir.toString(), files, null);
        return fromPull(new PulledModel(null, null, dir, sel, 0));   // a local folder: no repo, no commit
    }

    private static Optional<Path> bestMmproj(Path dir) {
        return listTop(dir).stream().filter(f -> f.path().toLowerCase(java.util.Locale.ROOT).endsWith(".gguf"))
                .filter(RepoFileSelector::isMmproj)
                .min(java.util.Comparator.comparingInt(RepoFileSelector::mmprojRank).thenComparing(RepoFile::path))
                .map(f -> dir.resolve(f.path()));
    }

    private static List<RepoFile> listTop(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile)
                    .map(p -> new RepoFile(p.getFileName().toString(), sizeOf(p), null, null))
                    .sorted(java.util.Comparator.comparing(RepoFile::path)).toList();
        } catch (IOException e) {
            throw new HubException(HubException.Kind.CACHE_IO, "cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }
}
