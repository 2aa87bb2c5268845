package jmistral.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs src/test/node/conformance.mjs (the official openai and @mistralai/mistralai SDKs, installed
 * by the build's npm step) against a running server and returns its output.
 */
final class NodeSdkConformance {
    private NodeSdkConformance() {}

    record Result(int exitCode, String output) {}

    static Result run(int port, String apiKey, boolean withTools) throws IOException, InterruptedException {
        Path dir = Path.of("src/test/node").toAbsolutePath();
        if (!dir.resolve("node_modules/openai").toFile().isDirectory()) {
            throw new IllegalStateException("The SDKs are not installed in " + dir + ": run `npm install` there "
                    + "(the Maven build does it in process-test-resources).");
        }
        List<String> cmd = new ArrayList<>(List.of("node", "conformance.mjs", "http://127.0.0.1:" + port, apiKey));
        if (withTools) cmd.add("--tools");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("conformance.mjs did not finish in 5 minutes");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
