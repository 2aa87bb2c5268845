package jmistral.chat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;

/**
 * The model's default system prompt ({@code SYSTEM_PROMPT.txt} in the model repository), rendered like
 * Python's {@code str.format(name=..., today=YYYY-MM-DD, yesterday=YYYY-MM-DD)}: {@code {{}} / {@code }}}
 * are literal braces; other fields are left as written.
 */
public record SystemPromptTemplate(String template) {
    public static final String FILE_NAME = "SYSTEM_PROMPT.txt";

    /** The template of a model folder, if it has a SYSTEM_PROMPT.txt. */
    public static Optional<SystemPromptTemplate> fromModelFolder(Path dir) {
        Path f = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            return Optional.of(new SystemPromptTemplate(Files.readString(f)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    public String render(String modelName, LocalDate today) {
        StringBuilder sb = new StringBuilder(template.length() + 64);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if ((c == '{' || c == '}') && i + 1 < template.length() && template.charAt(i + 1) == c) {
                sb.append(c);
                i += 2;
                continue;
            }
            if (c == '{') {
                int end = template.indexOf('}', i);
                String field = end < 0 ? null : template.substring(i + 1, end);
                String value = field == null ? null : switch (field) {
                    case "name" -> modelName;
                    case "today" -> today.toString();
                    case "yesterday" -> today.minusDays(1).toString();
                    default -> null;
                };
                if (value != null) {
                    sb.append(value);
                    i = end + 1;
                    continue;
                }
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }
}
