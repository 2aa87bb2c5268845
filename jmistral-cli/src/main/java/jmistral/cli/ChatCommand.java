package jmistral.cli;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import jmistral.chat.ChatMessage;
import jmistral.chat.MultimodalPrompt;
import jmistral.chat.OutputParser;
import jmistral.chat.PromptEncoder;
import jmistral.engine.ChatResponse;
import jmistral.engine.Engine;
import jmistral.engine.InvalidRequestException;
import jmistral.image.ImageDecoder;
import jmistral.image.ImageInputException;
import jmistral.image.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code jmistral chat -m MODEL}: a conversation on the terminal (or piped stdin), one line per user
 * message; /system TEXT, /clear, /image PATH, /exit. Each turn's prompt is the v11 encoding of the whole
 * conversation ({@link Conversation}); it extends the previous turn's tokens, so the prefix cache only
 * computes the new message.
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Chat with the model: type a message per line.",
                "/system TEXT sets the system prompt (and starts over), /clear starts over,",
                "/image PATH attaches an image to your next message, /exit quits."})
final class ChatCommand implements Callable<Integer> {

    /** Where input comes from (tests replace it). */
    static volatile Supplier<InputStream> input = () -> System.in;
    /** Whether a person types (prompt and banner shown); tests replace it. */
    static volatile java.util.function.BooleanSupplier interactive = () -> System.console() != null;

    private static final String COMMANDS = "/system TEXT, /clear, /image PATH, /exit";

    @Spec CommandSpec spec;
    @Mixin ModelOptions model;
    @Mixin SamplingOptions sampling;
    @Mixin PromptOptions prompting;

    private PrintWriter err;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        boolean interactive = ChatCommand.interactive.getAsBoolean();
        try (Engine engine = Engines.open(model, err, prompting.mmproj)) {
            AnswerPrinter printer = new AnswerPrinter(out, err, prompting.showTokens);
            Conversation chat = new Conversation(new PromptEncoder(engine.tokenizer()), prompting.systemPrompt(engine));
            MultimodalPrompt pending = null;                 // images for the next message
            int imageCount = 0;
            if (interactive) banner(engine);
            BufferedReader in = new BufferedReader(new InputStreamReader(input.get(), StandardCharsets.UTF_8));
            while (true) {
                if (interactive) { out.print("> "); out.flush(); }
                String line = in.readLine();
                if (line == null || line.strip().equals("/exit")) return 0;
                if (line.isBlank()) continue;
                String command = line.strip().split("\\s+", 2)[0];
                String argument = line.strip().substring(command.length()).strip();
                switch (command) {
                    case "/system" -> {
                        chat.setSystem(argument);
                        pending = null;
                        note(argument.isEmpty() ? "[system prompt removed; conversation cleared]" : "[system prompt set; conversation cleared]");
                        continue;
                    }
                    case "/clear" -> {
                        chat.clear();
                        pending = null;
                        note("[conversation cleared]");
                        continue;
                    }
                    case "/image" -> {
                        if (argument.isEmpty()) { note("[usage: /image PATH]"); continue; }
                        try {
                            engine.openVisionTower();                // no vision weights: say so now
                            RgbImage image = new ImageDecoder().decode(Path.of(argument));
                            if (pending == null) pending = new MultimodalPrompt();
                            pending.add("image " + (++imageCount) + ": " + argument, image);
                            note("[image " + argument + " (" + image.width() + "x" + image.height() + ", "
                                    + pending.imageTokens() + " image tokens so far) goes with your next message]");
                        } catch (ImageInputException | IllegalArgumentException | jmistral.ModelFileException e) {
                            note("error: " + e.getMessage());
                        }
                        continue;
                    }
                    default -> {
                        if (command.matches("/[a-z]+")) { note("[unknown command " + command + "; commands: " + COMMANDS + "]"); continue; }
                    }
                }
                MultimodalPrompt turn = pending != null ? pending : new MultimodalPrompt();
                ChatMessage.User user = turn.addText(line).userMessage();
                try {
                    ChatResponse answer = printer.answer(engine, chat.requestWith(user).withOptions(sampling.options()));
                    pending = null;
                    if (!chat.add(user, new OutputParser.Result(answer.text(), answer.toolCalls()))) {
                        note(answer.toolCalls().isEmpty() ? "[the answer is empty; this exchange is not kept]"
                                : "[tool calls are not kept in the conversation: chat runs no tools]");
                    }
                } catch (InvalidRequestException e) {         // a message the format refuses, or a context overflow
                    note("[" + e.getMessage() + "; use /clear]");
                    pending = null;
                }
            }
        }
    }

    /** What a person starting a chat wants to see: which model, how much context, how to drive it. */
    private void banner(Engine engine) {
        String name = engine.modelId();
        note("jmistral chat: " + name + ", context " + model.ctx + " tokens (--ctx), KV cache " + model.kvType
                + ", temperature " + sampling.temperature);
        note("commands: " + COMMANDS + " (or Ctrl-D); one message per line");
    }

    private void note(String s) {
        err.println(s);
        err.flush();
    }
}
