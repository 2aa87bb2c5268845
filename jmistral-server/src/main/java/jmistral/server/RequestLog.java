package jmistral.server;

import java.util.List;
import java.util.logging.Logger;

/** One info line per finished request: id, tokens in and out, time, how each choice ended. */
final class RequestLog {
    private static final Logger LOG = Logger.getLogger(RequestLog.class.getName());

    private RequestLog() {}

    static void finished(String id, jmistral.engine.Usage usage, long startNanos, List<String> finishReasons) {
        LOG.info(String.format("%s: %d tokens in (%d cached), %d out, %.2f s, %s", id, usage.promptTokens(),
                usage.cachedTokens(), usage.completionTokens(), (System.nanoTime() - startNanos) / 1e9,
                String.join(",", finishReasons)));
    }

    static void failed(String id, long startNanos, String why) {
        LOG.warning(String.format("%s: failed after %.2f s: %s", id, (System.nanoTime() - startNanos) / 1e9, why));
    }

    static void cancelled(String id, long startNanos) {
        LOG.info(String.format("%s: cancelled by the client after %.2f s", id, (System.nanoTime() - startNanos) / 1e9));
    }
}
