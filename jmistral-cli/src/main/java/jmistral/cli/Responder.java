package jmistral.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.function.Function;
import jmistral.chat.ContentPart;
import jmistral.chat.EncodedPrompt;
import jmistral.chat.OutputParser;
import jmistral.generate.Generator;
import jmistral.generate.SequenceRequest;
import jmistral.model.vision.ImagePipeline;
import jmistral.model.vision.ImageTokenIds;
import jmistral.tokenizer.ImageConfig;
import jmistral.tokenizer.Tekken;
import jmistral.image.RgbImage;

/**
 * What run and chat share: the system prompt to use, the image pipeline (opened on first use), and
 * answering an encoded prompt: image embeddings at the [IMG] positions, one {@link SequenceRequest} to
 * the generator (its scheduler keeps the prefix cache), the answer streamed through the output parser.
 */
final class Responder {

    private final ModelSession session;
    private final Generator generator;
    private final SamplingOptions sampling;
    private final PromptOptions options;
    private final PrintWriter out, err;
    private final Tekken tekken;
    private ImagePipeline pipeline;

    Responder(ModelSession session, Generator generator, SamplingOptions sampling, PromptOptions options,
              PrintWriter out, PrintWriter err) {
        this.session = session;
        this.generator = generator;
        this.sampling = sampling;
        this.options = options;
        this.out = out;
        this.err = err;
        this.tekken = session.tokenizer();
    }

    Tekken tekken() { return tekken; }

    /** --system, else the model's SYSTEM_PROMPT.txt (unless --no-default-system-prompt), else null. */
    String systemPrompt() {
        if (options.system != null) return options.system.isBlank() ? null : options.system;
        if (options.noDefaultSystemPrompt) return null;
        return DefaultSystemPrompt.of(session.resolved, LocalDate.now()).orElse(null);
    }

    /** The vision tower with its preprocessing; a clear error (pass --mmproj) when the model has none. */
    ImagePipeline pipeline() {
        if (pipeline == null) {
            ImageConfig config = tekken.imageConfig() != null ? tekken.imageConfig() : ImageConfig.MISTRAL_SMALL_3;
            pipeline = new ImagePipeline(session.vision(options.mmproj), config, ImageTokenIds.of(tekken));
        }
        return pipeline;
    }

    /** Generates and prints the answer to {@code prompt}; {@code pixels} gives each image slot's pixels. */
    AnswerStreamer.Answer answer(EncodedPrompt prompt, Function<ContentPart.Image, RgbImage> pixels) {
        float[][] embeddings = prompt.images().isEmpty() ? null : pipeline().promptEmbeddings(prompt, pixels);
        if (options.showTokens) note("[prompt tokens] " + join(prompt.tokens()));
        SequenceRequest request = new SequenceRequest(prompt.tokens(), embeddings,
                sampling.params().withStopTokenIds(tekken.eos()), null, new TekkenTextDecoder(tekken), null);
        AnswerStreamer.Answer a = AnswerStreamer.stream(generator, request, new OutputParser(tekken), out, err);
        if (options.showTokens) note("[answer tokens] " + join(a.result().tokens()));
        return a;
    }

    private void note(String s) {
        err.println(s);
        err.flush();
    }

    static String join(int[] ids) {
        StringBuilder s = new StringBuilder(ids.length * 6);
        for (int id : ids) s.append(s.isEmpty() ? "" : ",").append(id);
        return s.toString();
    }
}
