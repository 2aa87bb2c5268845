package jmistral.bench;

import jmistral.tokenizer.Tekken;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Single-thread encode throughput of Tekken on a large mixed text (code, prose, CJK, numbers, emoji).
 * Run (after test-compile):
 * <pre>
 * java -cp jmistral-core/target/classes:jmistral-core/target/test-classes:$(cat cp.txt) \
 *     jmistral.bench.TekkenEncodeBench [tekken.json] [MB]
 * </pre>
 * Default tokenizer: the synthesized v11 tekken.json from the test resources.
 */
public final class TekkenEncodeBench {
    private static final String PROSE = "The quick brown fox jumps over the lazy dog. In 2025, researchers "
            + "reported that large language models (LLMs) can read documents, charts and code; however, "
            + "their accuracy depends on tokenization! Le modèle répond en français, auf Deutsch, en español.\n\n";
    private static final String CODE = "public static int[] encode(String text) {\n    for (int i = 0; i < n; i++) {\n"
            + "        if (x[i] != 0x7F && y.equals(\"foo_bar\")) return map.get(key).stream().toArray();\n    }\n}\n"
            + "def f(x: list[int]) -> dict:\n\treturn {k: v ** 2 for k, v in enumerate(x)}  # comment\n";
    private static final String CJK = "日本語のテキストと中文文本以及한국어 문장이 섞여 있습니다。東京は日本の首都です。\n"
            + "大型语言模型可以理解图片和文档。😀🎉 Привет, мир! مرحبا بالعالم\n";

    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0])
                : Path.of(TekkenEncodeBench.class.getResource("/data/mistral-small-3.2/tekken_v11_synthesized.json").toURI());
        double mb = args.length > 1 ? Double.parseDouble(args[1]) : 8;
        Tekken tekken = Tekken.fromTekkenJson(file);
        StringBuilder sb = new StringBuilder();
        int k = 0;
        while (sb.length() < mb * 1_000_000 / 1.3) {
            sb.append(PROSE).append(k % 3 == 0 ? CODE : "").append(k % 2 == 0 ? CJK : "").append(k).append(' ');
            k++;
        }
        String text = sb.toString();
        double bytes = text.getBytes(StandardCharsets.UTF_8).length;
        for (int warm = 0; warm < 3; warm++) tekken.encode(text);
        double best = 0;
        long tokens = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            tokens = tekken.encode(text).length;
            double s = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, bytes / 1e6 / s);
        }
        System.out.printf("text %.1f MB UTF-8, %d tokens (%.2f bytes/token); encode best of 5: %.1f MB/s (1 thread)%n",
                bytes / 1e6, tokens, bytes / tokens, best);
    }
}
