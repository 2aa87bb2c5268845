package jmistral.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatRequest;
import jmistral.chat.MultimodalPrompt;
import jmistral.engine.Engine;
import jmistral.image.PageRange;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral run -m MODEL [--image F]... [--file report.pdf [--pages 1-3]] "prompt"}: one answer,
 * streamed to stdout. The prompt is the v11 encoding of [system prompt,] one user message: the images
 * and PDF pages first, then the text.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Answer one prompt (with images or PDF pages), streaming the text.")
final class RunCommand implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Mixin PromptOptions prompting;

    @Parameters(index = "0", arity = "0..1", paramLabel = "PROMPT",
            description = "the user message; none or '-': read it from standard input")
    String prompt;

    /** Where a prompt of '-' (or none) is read from (tests replace it). */
    static volatile java.util.function.Supplier<java.io.InputStream> input = () -> System.in;

    @Option(names = "--image", paramLabel = "FILE", description = "an image for the question (PNG, JPEG, WebP, GIF, BMP); repeatable")
    List<Path> images = List.of();

    @Option(names = "--file", paramLabel = "FILE", description = "a PDF (each page becomes an image) or an image file")
    Path file;

    @Option(names = "--pages", paramLabel = "RANGE",
            description = "PDF pages to use, e.g. 1-3,5 (default: all); they must fit in --ctx, leaving room for the answer")
    String pages;

    @Override
    public Integer call() {
        PageRange range = pages == null ? PageRange.all() : parseRange();
        boolean pdf = file != null && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pdf");
        if (pages != null && !pdf) throw new ParameterException(spec.commandLine(), "--pages needs --file FILE.pdf");
        if (prompt == null || prompt.equals("-")) prompt = readPrompt();
        try (Engine engine = Engines.open(model, spec.commandLine().getErr(), prompting.mmproj)) {
            String system = prompting.systemPrompt(engine);
            MultimodalPrompt user = new MultimodalPrompt();
            if (!images.isEmpty() || file != null) engine.openVisionTower();     // no vision weights: say so first
            for (Path image : images) user.addImage(image);
            if (file != null && !pdf) user.addImage(file);
            if (pdf) {
                int textTokens = engine.promptTokens(request(system, ChatMessage.User.text(prompt))).length;
                user.addPdf(file, range, model.ctx - textTokens - answerReserve());
            }
            user.addText(prompt);
            new AnswerPrinter(spec.commandLine().getOut(), spec.commandLine().getErr(), prompting.showTokens)
                    .answer(engine, request(system, user.userMessage()).withOptions(sampling.options()));
            return 0;
        }
    }

    private String readPrompt() {
        try {
            String text = new String(input.get().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) throw new ParameterException(spec.commandLine(), "no PROMPT given and standard input is empty");
            return text;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("reading the prompt from standard input: " + e.getMessage(), e);
        }
    }

    /** Context kept free for the answer when sizing PDF pages: --max-tokens, else up to 512 tokens. */
    private int answerReserve() {
        return sampling.maxTokens > 0 ? sampling.maxTokens : Math.min(512, model.ctx / 8);
    }

    private PageRange parseRange() {
        try {
            return PageRange.parse(pages);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--pages: " + e.getMessage());
        }
    }

    private static ChatRequest request(String system, ChatMessage.User user) {
        return system == null ? ChatRequest.of(user) : ChatRequest.of(new ChatMessage.System(system), user);
    }
}
