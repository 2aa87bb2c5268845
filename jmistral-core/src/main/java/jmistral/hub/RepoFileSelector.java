package jmistral.hub;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks which files of a repository to download for {@code REPO[:QUANT]}.
 * <ul>
 *   <li>GGUF repositories: the model file(s) of the asked quant (default {@value #DEFAULT_QUANT},
 *       case-insensitive; all parts of a split file {@code NAME-00001-of-00003.gguf}) plus one mmproj file
 *       (F16 preferred, then BF16, then any other).</li>
 *   <li>Safetensors repositories (top-level files only): transformers layout ({@code config.json},
 *       shards + {@code model.safetensors.index.json}, generation/preprocessor configs) when present, else
 *       the Mistral native one ({@code consolidated.safetensors} + {@code params.json}); QUANT may be
 *       {@code hf} or {@code native} to choose. Both take {@code tekken.json} and {@code SYSTEM_PROMPT.txt}.</li>
 * </ul>
 */
public final class RepoFileSelector {

    public static final String DEFAULT_QUANT = "Q4_K_M";

    private static final Pattern SPLIT = Pattern.compile("(?i)^(.*)-(\\d{5})-of-(\\d{5})$");
    private static final Pattern QUANT_TOKEN = Pattern.compile(
            "(?i)[-_.]((?:UD-)?(?:I?Q\\d[A-Z0-9_]*|B?F16|F32|MXFP4[A-Z0-9_]*|TQ\\d[A-Z0-9_]*))$");
    private static final List<String> HF_FILES = List.of("config.json", "generation_config.json",
            "preprocessor_config.json", "processor_config.json", "model.safetensors.index.json");
    private static final List<String> COMMON_FILES = List.of("tekken.json", "SYSTEM_PROMPT.txt");

    private RepoFileSelector() { }

    public enum Format { GGUF, SAFETENSORS }

    /**
     * The chosen files.
     *
     * @param format  GGUF or SAFETENSORS
     * @param model   GGUF: the model file's parts in order (one entry when not split); safetensors: the weight files
     * @param mmproj  the vision projector GGUF, or null
     * @param extras  other files (configs, tekken.json, SYSTEM_PROMPT.txt)
     * @param quant   the quant that was matched (GGUF), or "hf"/"native"
     */
    public record Selection(Format format, List<RepoFile> model, RepoFile mmproj, List<RepoFile> extras, String quant) {
        /** Every file to fetch, model first. */
        public List<RepoFile> all() {
            List<RepoFile> all = new ArrayList<>(model);
            if (mmproj != null) all.add(mmproj);
            all.addAll(extras);
            return all;
        }

        public long totalBytes() {
            return all().stream().mapToLong(RepoFile::size).sum();
        }
    }

    /** Chooses the files of {@code repo} to use for {@code quant} (null: the default). */
    public static Selection select(String repo, List<RepoFile> files, String quant) {
        List<RepoFile> ggufs = files.stream().filter(f -> lower(f.path()).endsWith(".gguf")).toList();
        List<RepoFile> models = ggufs.stream().filter(f -> !isMmproj(f)).toList();
        if (!models.isEmpty()) return selectGguf(repo, models, ggufs.stream().filter(RepoFileSelector::isMmproj).toList(), quant);
        return selectSafetensors(repo, files, quant);
    }

    private static Selection selectGguf(String repo, List<RepoFile> models, List<RepoFile> mmprojs, String quant) {
        Map<String, List<RepoFile>> groups = groupSplits(models);
        String want = quant == null ? DEFAULT_QUANT : quant;
        List<String> matching = groups.keySet().stream().filter(stem -> endsWithQuant(stem, want)).toList();
        if (matching.isEmpty() && quant == null && groups.size() == 1) matching = List.copyOf(groups.keySet());
        if (matching.isEmpty())
            throw new HubException(HubException.Kind.NO_MATCHING_FILE, "no " + want + " GGUF in " + repo
                    + "; available: " + String.join(", ", availableQuants(groups.keySet()))
                    + " (ask for one with " + repo + ":QUANT)");
        // several files end with the quant (e.g. X-Q4_K_M and X-UD-Q4_K_M): the exact token wins, then the shortest name
        String best = matching.stream().min(Comparator
                .comparing((String stem) -> !want.equalsIgnoreCase(quantToken(stem)))
                .thenComparing(String::length).thenComparing(Comparator.naturalOrder())).orElseThrow();
        List<RepoFile> parts = groups.get(best);
        RepoFile mmproj = mmprojs.stream().min(Comparator.comparingInt(RepoFileSelector::mmprojRank)
                .thenComparing(RepoFile::path)).orElse(null);
        String matched = quantToken(best);
        return new Selection(Format.GGUF, parts, mmproj, List.of(), matched == null ? want : matched);
    }

    /**
     * Groups GGUF files by model: a split file's parts (same folder and stem, same part count) form one
     * group, keyed by "folder/stem"; the parts are checked to be all there and put in order.
     */
    private static Map<String, List<RepoFile>> groupSplits(List<RepoFile> models) {
        Map<String, List<RepoFile>> groups = new LinkedHashMap<>();
        Map<String, Integer> expectedParts = new LinkedHashMap<>();
        for (RepoFile f : models.stream().sorted(Comparator.comparing(RepoFile::path)).toList()) {
            String stem = f.path().substring(0, f.path().length() - ".gguf".length());
            Matcher m = SPLIT.matcher(stem);
            if (m.matches()) {
                stem = m.group(1);
                expectedParts.put(stem, Integer.parseInt(m.group(3)));
            }
            groups.computeIfAbsent(stem, k -> new ArrayList<>()).add(f);
        }
        expectedParts.forEach((stem, n) -> {
            if (groups.get(stem).size() != n)
                throw new HubException(HubException.Kind.NO_MATCHING_FILE, "split GGUF " + stem + " should have "
                        + n + " parts but the repository lists " + groups.get(stem).size());
        });
        return groups;
    }

    /** True when the file name stem (no folder, no .gguf, no split suffix) ends with QUANT after a separator. */
    static boolean endsWithQuant(String stem, String quant) {
        String name = lower(stem.substring(stem.lastIndexOf('/') + 1));
        String q = lower(quant);
        if (name.equals(q)) return true;
        if (!name.endsWith(q)) return false;
        char before = name.charAt(name.length() - q.length() - 1);
        return before == '-' || before == '_' || before == '.';
    }

    private static String quantToken(String stem) {
        Matcher m = QUANT_TOKEN.matcher(stem.substring(stem.lastIndexOf('/') + 1));
        return m.find() ? m.group(1) : null;
    }

    private static List<String> availableQuants(Set<String> stems) {
        Set<String> quants = new TreeSet<>();
        for (String s : stems) {
            String q = quantToken(s);
            quants.add(q != null ? q : s.substring(s.lastIndexOf('/') + 1));
        }
        return List.copyOf(quants);
    }

    static boolean isMmproj(RepoFile f) {
        return lower(f.fileName()).contains("mmproj");
    }

    /** 0 for F16, 1 for BF16, 2 for anything else. */
    static int mmprojRank(RepoFile f) {
        String stem = lower(f.fileName()).replaceAll("\\.gguf$", "");
        if (endsWithQuant(stem, "bf16") || stem.startsWith("mmproj-bf16") || stem.contains("-bf16-")) return 1;
        if (endsWithQuant(stem, "f16") || stem.startsWith("mmproj-f16") || stem.contains("-f16-")) return 0;
        return 2;
    }

    private static Selection selectSafetensors(String repo, List<RepoFile> files, String quant) {
        List<RepoFile> top = files.stream().filter(f -> !f.path().contains("/")).toList();
        List<RepoFile> consolidated = top.stream()
                .filter(f -> f.path().startsWith("consolidated") && f.path().endsWith(".safetensors")).toList();
        List<RepoFile> shards = top.stream()
                .filter(f -> f.path().endsWith(".safetensors") && !f.path().startsWith("consolidated")).toList();
        boolean hasConfig = top.stream().anyMatch(f -> f.path().equals("config.json"));
        boolean hasParams = top.stream().anyMatch(f -> f.path().equals("params.json"));
        if (consolidated.isEmpty() && shards.isEmpty())
            throw new HubException(HubException.Kind.NO_MATCHING_FILE, repo + " has neither .gguf nor .safetensors files");
        String q = quant == null ? null : lower(quant);
        boolean nativeLayout;
        if (q == null) nativeLayout = shards.isEmpty() || !hasConfig;
        else if (q.equals("native") || q.equals("consolidated") || q.equals("mistral")) nativeLayout = true;
        else if (q.equals("hf") || q.equals("transformers")) nativeLayout = false;
        else throw new HubException(HubException.Kind.NO_MATCHING_FILE, repo + " has no GGUF files, so there is no "
                    + quant + " to choose; for safetensors repositories use " + repo + ":hf or " + repo + ":native");

        List<RepoFile> weights = nativeLayout ? consolidated : shards;
        String config = nativeLayout ? "params.json" : "config.json";
        if (weights.isEmpty() || !(nativeLayout ? hasParams : hasConfig))
            throw new HubException(HubException.Kind.NO_MATCHING_FILE, repo + " has no "
                    + (nativeLayout ? "consolidated*.safetensors with params.json" : "transformers shards with config.json")
                    + " (Mistral native and transformers layouts are :native and :hf)");
        List<String> wanted = new ArrayList<>(COMMON_FILES);
        if (nativeLayout) wanted.add("params.json");
        else wanted.addAll(HF_FILES);
        List<RepoFile> extras = top.stream().filter(f -> wanted.contains(f.path()))
                .sorted(Comparator.comparing(f -> f.path().equals(config) ? "" : f.path())).toList();
        return new Selection(Format.SAFETENSORS, weights.stream().sorted(Comparator.comparing(RepoFile::path)).toList(),
                null, extras, nativeLayout ? "native" : "hf");
    }

    private static String lower(String s) { return s.toLowerCase(Locale.ROOT); }
}
