package jmistral.engine;

// The README's "Use it from Java" example: ReadmeExampleTest checks that the README shows exactly the
// lines between the markers, and runs this program on a small model.
// README-BEGIN
import jmistral.chat.ChatMessage;
import jmistral.chat.ChatOptions;
import jmistral.chat.ChatRequest;
import jmistral.chat.ContentPart;
import jmistral.chat.ResponseFormat;
import jmistral.chat.Tool;
import jmistral.chat.ToolChoice;
import jmistral.engine.ChatEvent;
import jmistral.engine.ChatResponse;
import jmistral.engine.ChatStream;
import jmistral.engine.Engine;
import jmistral.engine.EngineOptions;

import java.nio.file.Path;
import java.util.List;

public class UseFromJava {
    public static void main(String[] args) {
        String model = args[0];               // a GGUF file, a model folder, or a Hugging Face repo id
        Path picture = Path.of(args[1]);      // any PNG, JPEG, WebP, GIF or BMP
        try (Engine engine = Engine.open(EngineOptions.of(model).withContextTokens(8192))) {
            ChatOptions shortAnswers = ChatOptions.DEFAULTS.withMaxTokens(32).withSeed(42L);

            // 1. A question, the whole answer at once.
            ChatResponse hello = engine.complete(ChatRequest.of(ChatMessage.User.text("Say hello in French."))
                    .withOptions(shortAnswers));
            System.out.println(hello.text());

            // 2. Streaming: the text as it is generated (closing the stream early cancels the request).
            try (ChatStream stream = engine.chat(ChatRequest.of(ChatMessage.User.text("Count to five."))
                    .withOptions(shortAnswers))) {
                for (ChatEvent event : stream) {
                    if (event instanceof ChatEvent.TextDelta text) System.out.print(text.text());
                }
            }
            System.out.println();

            // 3. Tools: the model answers with a call whose arguments follow the tool's JSON schema.
            Tool weather = Tool.of("get_weather", "The current weather of a city", """
                    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""");
            ChatResponse call = engine.complete(ChatRequest.of(ChatMessage.User.text("Weather in Paris?"))
                    .withTools(List.of(weather))
                    .withOptions(shortAnswers.withToolChoice(ToolChoice.REQUIRED).withMaxTokens(64)));
            call.toolCalls().forEach(c -> System.out.println(c.name() + " " + c.arguments()));

            // 4. Structured output: JSON valid for a schema.
            ResponseFormat person = ResponseFormat.jsonSchema("""
                    {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                     "required": ["name", "age"], "additionalProperties": false}""");
            ChatResponse json = engine.complete(ChatRequest.of(ChatMessage.User.text("Invent a person."))
                    .withOptions(shortAnswers.withResponseFormat(person).withMaxTokens(64)));
            System.out.println(json.text());

            // 5. An image with a question (the vision weights: the mmproj GGUF beside the model).
            ChatResponse seen = engine.complete(ChatRequest.of(new ChatMessage.User(List.of(
                            ContentPart.Image.read(picture), new ContentPart.Text("What is in this picture?"))))
                    .withOptions(shortAnswers));
            System.out.println(seen.text());
        }
    }
}
// README-END
