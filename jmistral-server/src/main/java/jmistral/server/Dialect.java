package jmistral.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.util.Locale;

/**
 * Which API a chat-completions client was written for. The bodies are the same JSON in both, but a
 * stream differs: Mistral's API sends each tool call whole in one delta (its SDKs require
 * {@code function.name} in every tool-call delta, so OpenAI's argument fragments fail their validation)
 * and puts {@code usage} in the last chunk (its SDKs have no {@code stream_options}).
 */
enum Dialect {
    OPENAI, MISTRAL;

    /**
     * Mistral's official SDKs name themselves in the User-Agent ({@code mistral-client-typescript/2.7.0},
     * {@code mistral-client-python/...}; older ones {@code ... @mistralai/mistralai}); everything else is
     * spoken to as OpenAI.
     */
    static Dialect of(ServerRequest req) {
        String agent = req.headers().first(HeaderNames.USER_AGENT).orElse("").toLowerCase(Locale.ROOT);
        return agent.contains("mistral-client") || agent.contains("mistralai") ? MISTRAL : OPENAI;
    }
}
