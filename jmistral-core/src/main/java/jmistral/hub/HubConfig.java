package jmistral.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the Hugging Face cache lives, which server to talk to, and with which token. Read from the
 * same environment variables as huggingface_hub (constants.py), so both tools share one cache:
 * <ul>
 *   <li>{@code HF_HUB_CACHE} (or legacy {@code HUGGINGFACE_HUB_CACHE}), else {@code $HF_HOME/hub};
 *       {@code HF_HOME} defaults to {@code $XDG_CACHE_HOME/huggingface}, else {@code ~/.cache/huggingface};</li>
 *   <li>{@code HF_ENDPOINT}, default {@code https://huggingface.co};</li>
 *   <li>{@code HF_TOKEN} (or legacy {@code HUGGING_FACE_HUB_TOKEN}), else the file {@code HF_TOKEN_PATH}
 *       or {@code $HF_HOME/token} written by {@code hf auth login};</li>
 *   <li>{@code HF_HUB_OFFLINE} = 1/ON/YES/TRUE: never touch the network, use the cache only.</li>
 * </ul>
 *
 * @param hubCache the hub cache folder (holds {@code models--ORG--NAME} folders)
 * @param endpoint base URL without trailing slash
 * @param token    bearer token, or null
 * @param offline  true: cache only
 */
public record HubConfig(Path hubCache, String endpoint, String token, boolean offline) {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    public HubConfig {
        if (hubCache == null) throw new IllegalArgumentException("hubCache is null");
        endpoint = endpoint == null || endpoint.isBlank() ? DEFAULT_ENDPOINT : stripSlash(endpoint.trim());
        token = token == null || token.isBlank() ? null : token.trim();
    }

    /** The configuration from this process's environment. */
    public static HubConfig fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** The configuration from the given variables (tests pass their own map). */
    public static HubConfig fromEnvironment(Map<String, String> env) {
        Path hfHome = hfHome(env);
        Path cache = firstSet(env, "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE")
                .map(HubConfig::expandHome).orElse(hfHome.resolve("hub"));
        String token = firstSet(env, "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")
                .orElseGet(() -> readTokenFile(firstSet(env, "HF_TOKEN_PATH").map(HubConfig::expandHome)
                        .orElse(hfHome.resolve("token"))));
        boolean offline = firstSet(env, "HF_HUB_OFFLINE").map(HubConfig::isTrue).orElse(false);
        return new HubConfig(cache, env.get("HF_ENDPOINT"), token, offline);
    }

    /** Same settings, offline or not. */
    public HubConfig withOffline(boolean offline) {
        return new HubConfig(hubCache, endpoint, token, offline);
    }

    static Path hfHome(Map<String, String> env) {
        return firstSet(env, "HF_HOME").map(HubConfig::expandHome).orElseGet(() ->
                firstSet(env, "XDG_CACHE_HOME").map(HubConfig::expandHome)
                        .orElse(Path.of(System.getProperty("user.home"), ".cache"))
                        .resolve("huggingface"));
    }

    static boolean isTrue(String v) {
        return switch (v.trim().toUpperCase(Locale.ROOT)) {
            case "1", "ON", "YES", "TRUE" -> true;
            default -> false;
        };
    }

    private static Optional<String> firstSet(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) return Optional.of(v);
        }
        return Optional.empty();
    }

    private static Path expandHome(String p) {
        if (p.equals("~") || p.startsWith("~/")) return Path.of(System.getProperty("user.home") + p.substring(1));
        return Path.of(p);
    }

    private static String readTokenFile(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).trim() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String stripSlash(String s) {
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s;
    }

    @Override
    public String toString() {   // never print the token
        return "HubConfig[hubCache=" + hubCache + ", endpoint=" + endpoint
                + ", token=" + (token == null ? "none" : "set") + ", offline=" + offline + "]";
    }
}
