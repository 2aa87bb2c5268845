package jmistral.hub;

/**
 * What a user asks for on the command line: {@code ORG/NAME[:QUANT]}. For GGUF repositories QUANT picks
 * the quantization ({@code Q4_K_M} when absent); for safetensors repositories it may be {@code native}
 * (consolidated.safetensors + params.json) or {@code hf} (sharded transformers files).
 *
 * @param repo  the repository
 * @param quant the requested quant, or null for the default
 */
public record ModelSpec(RepoId repo, String quant) {

    /** Parses {@code ORG/NAME[:QUANT]}. */
    public static ModelSpec parse(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        String quant = null;
        if (colon >= 0) {
            quant = s.substring(colon + 1).trim();
            s = s.substring(0, colon);
            if (quant.isEmpty()) quant = null;
        }
        return new ModelSpec(RepoId.parse(s), quant);
    }

    /** True when {@code spec} has the shape {@code ORG/NAME[:QUANT]}. */
    public static boolean looksLikeSpec(String spec) {
        String s = spec.trim();
        int colon = s.indexOf(':');
        return RepoId.looksLikeRepoId(colon >= 0 ? s.substring(0, colon) : s);
    }

    @Override
    public String toString() { return quant == null ? repo.toString() : repo + ":" + quant; }
}
