/**
 * The engine: the one API that opens a model and turns chat requests into chat events. CLI, server,
 * Spark and LangChain4j are thin adapters over it.
 * <pre>
 * Engine engine = Engine.open(EngineOptions.of("model.gguf").withContextTokens(8192));   // or a folder, or ORG/NAME[:QUANT]
 * ChatRequest req = ChatRequest.of(ChatMessage.User.text("Hi"))                         // chat package types
 *         .withOptions(ChatOptions.DEFAULTS.withMaxTokens(100));
 * ChatResponse whole = engine.complete(req);                                             // the whole answer
 * try (ChatStream s = engine.chat(req)) { for (ChatEvent e : s) ... }                    // events as they come
 * ChatHandle h = engine.chat(req, event -> queue.add(event));  h.cancel();               // callbacks, cancel
 * List&lt;ChatResponse&gt; answers = engine.batch(requests);                                   // many at once
 * </pre>
 * A request flows: messages -> {@code chat.PromptEncoder} (v11 tokens, image slots) -> image embeddings
 * ({@code model.vision}) -> {@code generate.Scheduler} (continuous batching, prefix cache, loop guard,
 * constrained decoding by the engine's grammar cache) -> {@code chat.OutputParser} on the scheduler's
 * thread -> {@link jmistral.engine.ChatEvent}s to the caller through one queue (or its listener).
 */
package jmistral.engine;
