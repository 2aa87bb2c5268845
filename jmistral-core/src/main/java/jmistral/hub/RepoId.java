package jmistral.hub;

import java.util.regex.Pattern;

/**
 * A model repository on the Hub, {@code ORG/NAME}. Its cache folder is {@code models--ORG--NAME}
 * (huggingface_hub's {@code repo_folder_name}).
 */
public record RepoId(String owner, String name) {

    // Hub rules: letters, digits, '-', '_', '.'; no leading/trailing '-' or '.'; no '--' or '..'
    private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");

    public RepoId {
        if (!isValidPart(owner) || !isValidPart(name))
            throw new IllegalArgumentException("not a Hugging Face repo id: " + owner + "/" + name);
    }

    /** Parses {@code ORG/NAME}; throws IllegalArgumentException with a clear message otherwise. */
    public static RepoId parse(String s) {
        int slash = s.indexOf('/');
        if (slash <= 0 || slash != s.lastIndexOf('/') || slash == s.length() - 1)
            throw new IllegalArgumentException("not a Hugging Face repo id (expected ORG/NAME): " + s);
        return new RepoId(s.substring(0, slash), s.substring(slash + 1));
    }

    /** True when {@code s} has the shape of {@code ORG/NAME}. */
    public static boolean looksLikeRepoId(String s) {
        int slash = s.indexOf('/');
        return slash > 0 && slash == s.lastIndexOf('/')
                && isValidPart(s.substring(0, slash)) && isValidPart(s.substring(slash + 1));
    }

    /** The cache folder name, {@code models--ORG--NAME}. */
    public String cacheFolderName() {
        return "models--" + owner + "--" + name;
    }

    /** Inverse of {@link #cacheFolderName()}, or null for a folder that is not a model repo. */
    public static RepoId fromCacheFolderName(String folder) {
        if (!folder.startsWith("models--")) return null;
        String rest = folder.substring("models--".length());
        int sep = rest.indexOf("--");
        if (sep <= 0) return null;
        try {
            return new RepoId(rest.substring(0, sep), rest.substring(sep + 2));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean isValidPart(String p) {
        return p != null && PART.matcher(p).matches() && !p.contains("--") && !p.contains("..")
                && !p.endsWith("-") && !p.endsWith(".");
    }

    @Override
    public String toString() { return owner + "/" + name; }
}
