package jmistral.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;
import java.util.Optional;
import jmistral.chat.SystemPromptTemplate;
import jmistral.hub.RepoId;
import jmistral.hub.ResolvedModel;

/**
 * The model's default system prompt: {@code SYSTEM_PROMPT.txt} beside the model (as Mistral ships it in
 * the model repository), rendered with {name} = the model's name and {today}/{yesterday} = the dates,
 * as the model card does ({@code system_prompt.format(name=repo_id.split("/")[-1], ...)}).
 */
final class DefaultSystemPrompt {

    private DefaultSystemPrompt() {
    }

    static Optional<String> of(ResolvedModel model, LocalDate today) {
        return model.sibling(SystemPromptTemplate.FILE_NAME).map(f -> new SystemPromptTemplate(read(f)).render(name(model), today));
    }

    /** The Hub repo's name, else the model folder's name, else the GGUF file's name; without .gguf / -GGUF. */
    static String name(ResolvedModel model) {
        String n = model.repo().map(RepoId::name)
                .orElseGet(() -> (model.isGguf() ? model.model() : model.directory()).getFileName().toString());
        for (String suffix : new String[] {".gguf", "-gguf"}) {      // a GGUF build names the same model
            if (n.toLowerCase(Locale.ROOT).endsWith(suffix)) n = n.substring(0, n.length() - suffix.length());
        }
        return n;
    }

    private static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }
}
