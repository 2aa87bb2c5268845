/**
 * Chat requests and the v11 prompt format, byte-exact with mistral-common.
 * <pre>
 * ChatRequest req = ChatRequestJson.parse(json, ImageSizer.headers());    // or ChatRequest.of(messages...)
 * EncodedPrompt p = new PromptEncoder(tekken).encode(req);                 // tokens (BOS first) + image slots
 * OutputParser out = new OutputParser(tekken);                             // per generated sequence
 * for (int id : generated) for (OutputParser.Event e : out.push(id)) ...   // Text / ToolCallStart / ToolCallArguments
 * out.finish(); out.result();                                              // content + tool calls
 * </pre>
 * Bad requests raise {@link jmistral.chat.ChatValidationException} with a JSON path.
 */
package jmistral.chat;
