package jmistral.cli;

import jmistral.hub.DefaultModels;
import jmistral.hub.ResolvedModel;
import jmistral.server.JmistralServer;
import jmistral.server.ServerOptions;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;
import jmistral.server.engine.ModelCompletionEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code jmistral serve -m MODEL}: the OpenAI- and Mistral-compatible HTTP API. The port opens at once;
 * the model loads in the background ({@code GET /health} answers 503, then 200 when it is ready).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the model over an OpenAI- and Mistral-compatible HTTP API (/v1/chat/completions, /v1/models, /health, /metrics).",
                "Point any OpenAI or Mistral client at http://HOST:PORT/v1."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "GGUF file, model folder, or Hugging Face repo ORG/NAME[:QUANT] (pulled into the cache; "
                    + "default: ${DEFAULT-VALUE})")
    String model = DefaultModels.DEFAULT_SPEC;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST",
            description = "interface to listen on (default: ${DEFAULT-VALUE}; use 0.0.0.0 only on a trusted network)")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "TCP port (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "require 'Authorization: Bearer KEY' (default: $JMISTRAL_API_KEY, or no key)")
    String apiKey = System.getenv("JMISTRAL_API_KEY");

    @Option(names = "--parallel", defaultValue = "8", paramLabel = "N",
            description = "sequences decoded together in one batch (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--ctx", defaultValue = "32768", paramLabel = "N",
            description = "KV cache size in tokens, shared by all running requests; one request may use all of it "
                    + "(default: ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--queue", defaultValue = "64", paramLabel = "N",
            description = "requests waiting for a batch place at most; more get 429 with Retry-After (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--mmproj", paramLabel = "FILE",
            description = "vision weights for images (default: the mmproj GGUF beside the model, or the model folder's vision tower)")
    Path mmproj;

    @Option(names = "--allow-remote-images", description = "fetch http(s) image URLs (default: data URLs only)")
    boolean allowRemoteImages;

    @Option(names = "--draft-tokens", paramLabel = "K", defaultValue = "8",
            description = "speculative decoding by prompt lookup: tokens drafted from earlier text and verified "
                    + "in one pass per request; 0 = off (default: ${DEFAULT-VALUE})")
    int draftTokens;

    @Option(names = "--model-id", paramLabel = "ID", description = "model id shown by /v1/models (default: from MODEL)")
    String modelId;

    @Option(names = "--max-body", defaultValue = "67108864", paramLabel = "BYTES",
            description = "largest request body; larger ones get 413 (default: ${DEFAULT-VALUE})")
    long maxBody;

    @Option(names = "--read-timeout", defaultValue = "20", paramLabel = "SECONDS",
            description = "close a connection that waits longer than this for bytes from its client: a request line, "
                    + "headers or body left half-sent, a connection that never sends, an idle keep-alive connection "
                    + "(default: ${DEFAULT-VALUE})")
    int readTimeoutSeconds;

    @Option(names = "--max-connections", defaultValue = "4096", paramLabel = "N",
            description = "open connections served at once; beyond it a new connection is answered 503 (Retry-After: 1, "
                    + "Connection: close) and closed at once (default: ${DEFAULT-VALUE})")
    int maxConnections;

    @Option(names = "--port-file", paramLabel = "FILE",
            description = "once the port is open, write its number to FILE (with --port 0: any free port)")
    Path portFile;

    /** Runs once the port is open, before the model starts loading (tests see /health answer 503 here). */
    Runnable beforeLoading = () -> {};

    /**
     * Serves until the JVM shuts down (Ctrl-C) or the calling thread is interrupted (in-process use);
     * either way the port is closed and the model freed before this returns.
     */
    @Override
    public Integer call() throws IOException {
        ServeLogging.configure();
        PrintWriter err = spec.commandLine().getErr();
        ResolvedModel resolved = DefaultModelNotes.resolve(Engines.resolver(err), model, HubSettings.config.get(), err);
        String id = modelId != null ? modelId : Engine.modelId(resolved);
        EngineOptions options = EngineOptions.of(model).withModelId(id).withMaxParallel(parallel).withContextTokens(ctx)
                .withMaxQueue(queue).withMmproj(mmproj).withModelSystemPrompt(true).withDraftTokens(draftTokens);
        ModelCompletionEngine engine = ModelCompletionEngine.create(resolved, options, allowRemoteImages);
        JmistralServer server;
        try {
            server = new JmistralServer(new ServerOptions(host, port, apiKey, maxBody)
                    .withConnectionLimits(java.time.Duration.ofSeconds(readTimeoutSeconds), maxConnections), engine).start();
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable stop = () -> {
            if (closed.compareAndSet(false, true)) {
                server.close();
                engine.close();
            }
            stopped.countDown();
        };
        Thread shutdownHook = new Thread(stop, "jmistral-serve-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            if (portFile != null) Files.writeString(portFile, server.port() + System.lineSeparator());
            err.printf("jmistral: serving %s on http://%s:%d/v1 (loading the model; /health says 503 until ready)%n",
                    id, host, server.port());
            err.flush();
            beforeLoading.run();
            engine.startLoading();
            if (!awaitReady(engine)) return 0;              // the engine logs its ready line
            stopped.await();
            return 0;
        } catch (InterruptedException e) {
            return 0;                                        // asked to stop
        } finally {
            stop.run();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is what stopped us
            }
            err.flush();
        }
    }

    /** Waits for the model; false when interrupted first. A loading failure is thrown. */
    private static boolean awaitReady(ModelCompletionEngine engine) {
        try {
            engine.awaitReady(Duration.ofDays(365));
            return true;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) return false;
            throw e;
        }
    }
}
