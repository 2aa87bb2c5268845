package jmistral.cli;

import jmistral.chat.ChatRequest;
import jmistral.chat.ChatRequestJson;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.ImageSizer;
import jmistral.chat.PromptEncoder;
import jmistral.chat.PromptFormat;
import jmistral.chat.SystemPromptTemplate;
import jmistral.chat.ValidationMode;
import jmistral.engine.Engine;
import jmistral.gguf.GgufFile;
import jmistral.hub.DefaultModels;
import jmistral.hub.ResolvedModel;
import jmistral.tokenizer.SpecialTokenPolicy;
import jmistral.tokenizer.Tekken;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code jmistral tokenize}: token ids of a text, or of a chat request in the v11 prompt format. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Print the token ids of TEXT (or standard input), or of an OpenAI-style chat request (--chat).",
                "Plain text gets no BOS/EOS; a chat request is encoded exactly as mistral-common v11 does."})
final class TokenizeCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--tekken", paramLabel = "FILE", description = "a tekken.json tokenizer file")
        Path tekken;

        @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
                description = "a GGUF file, a tekken.json, a model folder with tekken.json, or a Hugging Face repo id "
                        + "(REPO[:QUANT], cached or downloaded); default: " + DefaultModels.DEFAULT_SPEC)
        String model;
    }

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Source source;

    @Option(names = "--chat", paramLabel = "FILE", description = "a chat request as JSON ({\"messages\": [...], \"tools\": [...]})")
    Path chat;

    @Option(names = "--format", paramLabel = "VERSION", defaultValue = "current",
            description = "prompt format of mistral-common: current (1.11) or 1.6.3 (at the model's release); default ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--no-default-system-prompt", description = "with -m FOLDER: do not add its SYSTEM_PROMPT.txt to a chat without system message")
    boolean noDefaultSystemPrompt;

    @Option(names = "--pieces", description = "print one token per line: id and its text")
    boolean pieces;

    @Option(names = "--count", description = "print only the number of tokens")
    boolean count;

    @Parameters(paramLabel = "TEXT", arity = "0..*", description = "text to tokenize (words are joined by spaces)")
    List<String> text;

    @Override
    public Integer call() throws IOException {
        if (source == null) {                              // neither --tekken nor -m: the default model's tokenizer
            source = new Source();
            source.model = DefaultModels.DEFAULT_SPEC;
        }
        Tekken tekken = loadTokenizer();
        int[] ids;
        if (chat != null) {
            if (text != null && !text.isEmpty()) throw new ParameterException(spec.commandLine(), "give either TEXT or --chat, not both");
            ChatRequest req = ChatRequestJson.parse(Files.readString(chat), ImageSizer.headers());
            Path folder = modelFolder();
            if (folder != null && !noDefaultSystemPrompt) {
                String name = folder.toAbsolutePath().normalize().getFileName().toString();
                req = req.withDefaultSystemPrompt(SystemPromptTemplate.fromModelFolder(folder)
                        .map(t -> t.render(name, LocalDate.now())).orElse(null));
            }
            PromptFormat f = switch (format) {
                case "current" -> PromptFormat.CURRENT;
                case "1.6.3" -> PromptFormat.MISTRAL_COMMON_1_6_3;
                default -> throw new ParameterException(spec.commandLine(), "--format must be current or 1.6.3, got " + format);
            };
            EncodedPrompt p = new PromptEncoder(tekken).withFormat(f).withValidation(ValidationMode.TEST).encode(req);
            ids = p.tokens();
        } else {
            String s = text == null || text.isEmpty()
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : String.join(" ", text);
            ids = tekken.encode(s);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (count) {
            out.println(ids.length);
        } else if (pieces) {
            for (int id : ids) out.println(id + "\t" + escape(tekken.idToPiece(id)));
        } else {
            out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
        }
        out.flush();
        return 0;
    }

    private ResolvedModel resolved;    // -m as a Hub repo id, resolved once

    /** -m as a local path, or null when it names none (then it is a Hub repo id). */
    private Path localModel() {
        if (source.model == null) return null;
        Path p = Path.of(source.model);
        return Files.exists(p) ? p : null;
    }

    /** The folder whose SYSTEM_PROMPT.txt applies: a local model folder, or a Hub model's snapshot. */
    private Path modelFolder() {
        Path local = localModel();
        if (local != null) return Files.isDirectory(local) ? local : null;
        return source.model == null ? null : hubModel().directory();
    }

    private ResolvedModel hubModel() {
        if (resolved == null) {
            PrintWriter err = spec.commandLine().getErr();
            resolved = DefaultModelNotes.resolve(Engines.resolver(err), source.model, HubSettings.config.get(), err);
        }
        return resolved;
    }

    private Tekken loadTokenizer() {
        if (source.tekken != null) return Tekken.fromTekkenJson(source.tekken);
        Path local = localModel();
        Optional<Path> tekkenJson = Optional.empty();
        if (local == null) {                              // a Hub repo id: its files as the engine would open them
            ResolvedModel r = hubModel();
            tekkenJson = r.tekkenJson();
            local = r.model();
        }
        Path m = local;
        if (Files.isDirectory(m)) {
            tekkenJson = tekkenJson.or(() -> Optional.of(m.resolve("tekken.json")).filter(Files::isRegularFile));
            return Engine.tokenizerOf(Optional.empty(), tekkenJson).orElseThrow(() ->
                    new ParameterException(spec.commandLine(), "model folder " + m + " has no tekken.json"));
        }
        if (!Files.isRegularFile(m)) throw new ParameterException(spec.commandLine(), "no such file or folder: " + m);
        if (m.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json")) return Tekken.fromTekkenJson(m);
        try (GgufFile g = GgufFile.open(m)) {              // the same rule as Engine.open: the GGUF's vocabulary first
            Optional<Path> besideIt = tekkenJson;
            return Engine.tokenizerOf(Optional.of(g.metadata()), besideIt).orElseThrow(() ->
                    new ParameterException(spec.commandLine(), m + " has no tokenizer: no vocabulary in the GGUF file and no tekken.json"));
        }
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t");
    }
}
