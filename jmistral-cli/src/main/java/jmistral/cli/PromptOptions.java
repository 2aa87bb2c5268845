package jmistral.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import jmistral.engine.Engine;
import picocli.CommandLine.Option;

/** Options of run and chat that shape the prompt: system prompt, vision weights, token echo (a picocli mixin). */
final class PromptOptions {

    @Option(names = "--system", paramLabel = "TEXT", description = "system prompt (default: the model's SYSTEM_PROMPT.txt, if any)")
    String system;

    @Option(names = "--no-default-system-prompt",
            description = "without --system, use no system prompt instead of the SYSTEM_PROMPT.txt beside the model")
    boolean noDefaultSystemPrompt;

    @Option(names = "--mmproj", paramLabel = "FILE",
            description = "vision weights for images (default: the mmproj GGUF beside the model, or the model folder's vision tower)")
    Path mmproj;

    @Option(names = "--show-tokens", description = "print the prompt's and the answer's token ids on stderr")
    boolean showTokens;

    /** --system, else the model's SYSTEM_PROMPT.txt (unless --no-default-system-prompt), else null. */
    String systemPrompt(Engine engine) {
        if (system != null) return system.isBlank() ? null : system;
        if (noDefaultSystemPrompt) return null;
        return engine.modelSystemPrompt(LocalDate.now()).orElse(null);
    }
}
