/**
 * Tekken, the byte-level BPE tokenizer of Mistral Small 3.2 (mistral-common {@code Tekkenizer}, v11).
 * <pre>
 * Tekken t = Tekken.fromTekkenJson(dir.resolve("tekken.json"));   // or fromGgufMetadata(gguf.metadata())
 * int[] ids = t.encode("Hello, world!");                          // 22177 1044 4304 1033 (no BOS/EOS)
 * String s = t.decode(ids, SpecialTokenPolicy.IGNORE);
 * StreamingDecoder d = t.newStreamingDecoder();                   // d.push(id) -> complete text only
 * </pre>
 * Ids: 0..999 control tokens ({@code t.specialId("[INST]")}), BPE rank r at id r + 1000.
 */
package jmistral.tokenizer;
