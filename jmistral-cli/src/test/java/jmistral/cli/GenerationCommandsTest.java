package jmistral.cli;

import static jmistral.cli.CliRun.run;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jmistral.gguf.GgufWriter;
import jmistral.model.BatchEntry;
import jmistral.model.KvCache;
import jmistral.model.KvCacheType;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.SequenceCache;
import jmistral.model.TensorNames;
import jmistral.model.TextConfig;
import jmistral.model.TextConfigWriter;
import jmistral.model.synth.SynthModel;
import jmistral.model.synth.SynthTensor;
import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** run / chat / generate / bench on a tiny GGUF model with a small Tekken vocabulary. */
@Timeout(120)
class GenerationCommandsTest {

    @TempDir static Path dir;
    static Path gguf;
    static Tekken tekken;

    @BeforeAll
    static void writeModel() throws Exception {
        List<byte[]> ranks = new ArrayList<>();
        for (int b = 0; b < 256; b++) ranks.add(new byte[]{(byte) b});
        for (String s : List.of("he", "ll", "lo", "hell", "hello", " w", "or", "ld")) ranks.add(s.getBytes(StandardCharsets.UTF_8));
        tekken = Tekken.fromRanks(ranks, SpecialTokens.v11(1000), null, "v11");
        TextConfig c = new TextConfig(64, 2, 32, 96, 4, 2, 1e-5, 1e9, tekken.vocabSize(), 2048);
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", TextConfigWriter.GGUF_ARCH);
        TextConfigWriter.toGguf(w, c);
        w.putAllPlain(tekken.toGgufMetadata());
        for (SynthTensor t : SynthModel.tensors(c, 5, null, TensorNames.GGUF)) w.addF32(t.name(), t.data().get(), t.ggmlShape());
        gguf = dir.resolve("tiny.gguf");
        w.write(gguf);
    }

    /** Greedy tokens and raw log-softmax per step, computed directly with the model (the yardstick). */
    static List<float[]> directLogprobs(int[] prompt, int steps, List<Integer> tokens) {
        List<float[]> out = new ArrayList<>();
        try (LoadedModel m = ModelLoader.load(gguf); KvCache kv = m.model().createCache(256, KvCacheType.F16);
             SequenceCache seq = kv.newSequence()) {
            float[] logits = m.model().forward(List.of(BatchEntry.of(seq, prompt))).getFirst();
            for (int i = 0; i < steps; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                int best = 0;
                for (int v = 0; v < logits.length; v++) if (logits[v] > max) { max = logits[v]; best = v; }
                for (float l : logits) sum += Math.exp(l - max);
                float[] lp = new float[logits.length];
                for (int v = 0; v < logits.length; v++) lp[v] = (float) (logits[v] - max - Math.log(sum));
                out.add(lp);
                tokens.add(best);
                logits = m.model().forward(List.of(BatchEntry.of(seq, best))).getFirst();
            }
        }
        return out;
    }

    @Test
    void generateJsonGivesIdsAndTopLogprobsPerStep() throws Exception {
        CliRun r = run("generate", "-m", gguf.toString(), "--prompt-ids", "1,1010,1020,1030", "--max-tokens", "5",
                "--temperature", "0", "--top-logprobs", "3", "--json", "--ctx", "256");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        List<Integer> expected = new ArrayList<>();
        List<float[]> lps = directLogprobs(new int[]{1, 1010, 1020, 1030}, 5, expected);
        assertEquals(5, json.get("ids").size());
        assertEquals(5, json.get("steps").size());
        for (int i = 0; i < 5; i++) {
            assertEquals(expected.get(i), json.get("ids").get(i).asInt());
            JsonNode step = json.get("steps").get(i);
            assertEquals(expected.get(i), step.get("token").asInt());
            assertEquals(3, step.get("top").size());
            assertEquals(expected.get(i), step.get("top").get(0).get(0).asInt(), "greedy token is the top-1");
            for (JsonNode pair : step.get("top")) {
                assertEquals(lps.get(i)[pair.get(0).asInt()], pair.get(1).asDouble(), 1e-4);
            }
        }
    }

    @Test
    void runStreamsTheDecodedAnswer() {
        CliRun r = run("run", "-m", gguf.toString(), "--temperature", "0", "--max-tokens", "6", "--ctx", "256",
                "--system", "be brief", "hello world");
        assertEquals(0, r.code(), r.err());
        // the same prompt through generate: run prints the decoded text of those ids
        int[] prompt = new jmistral.chat.PromptEncoder(tekken).encode(jmistral.chat.ChatRequest.of(
                new jmistral.chat.ChatMessage.System("be brief"), jmistral.chat.ChatMessage.User.text("hello world"))).tokens();
        CliRun g = run("generate", "-m", gguf.toString(), "--prompt-ids", join(prompt), "--max-tokens", "6", "--stop-at-eos", "--ctx", "256");
        String[] lines = g.out().split("\n", 2);
        int[] ids = lines[0].isBlank() ? new int[0] : java.util.Arrays.stream(lines[0].split(",")).mapToInt(Integer::parseInt).toArray();
        assertEquals(jmistral.chat.OutputParser.parse(tekken, ids).content() + System.lineSeparator(), r.out());
    }

    @Test
    void runReadsItsPromptFromStandardInput() {
        CliRun arg = run("run", "-m", gguf.toString(), "--temperature", "0", "--max-tokens", "6", "--ctx", "256", "hello world");
        try {
            for (String[] dash : List.of(new String[0], new String[]{"-"})) {
                RunCommand.input = () -> new ByteArrayInputStream("hello world\n".getBytes(StandardCharsets.UTF_8));
                List<String> args = new ArrayList<>(List.of("run", "-m", gguf.toString(), "--temperature", "0", "--max-tokens", "6", "--ctx", "256"));
                args.addAll(List.of(dash));
                CliRun piped = run(args.toArray(String[]::new));
                assertEquals(0, piped.code(), piped.err());
                assertEquals(arg.out(), piped.out(), "the same answer as with the prompt as an argument");
            }
            RunCommand.input = () -> new ByteArrayInputStream(new byte[0]);
            CliRun empty = run("run", "-m", gguf.toString(), "--ctx", "256");
            assertEquals(2, empty.code());
            assertTrue(empty.err().contains("standard input is empty"), empty.err());
        } finally {
            RunCommand.input = () -> System.in;
        }
    }

    @Test
    void interactiveChatShowsABanner() {
        ChatCommand.input = () -> new ByteArrayInputStream("/exit\n".getBytes(StandardCharsets.UTF_8));
        ChatCommand.interactive = () -> true;
        try {
            CliRun r = run("chat", "-m", gguf.toString(), "--ctx", "512");
            assertEquals(0, r.code(), r.err());
            assertTrue(r.err().contains("jmistral chat: tiny.gguf, context 512 tokens"), r.err());
            assertTrue(r.err().contains("/system TEXT, /clear, /image PATH, /exit"), r.err());
        } finally {
            ChatCommand.interactive = () -> System.console() != null;
        }
    }

    @Test
    void chatKeepsTheConversationAndHandlesCommands() {
        ChatCommand.input = () -> new ByteArrayInputStream("hello\n/system be nice\nhello\n/clear\nworld\n/exit\nignored\n"
                .getBytes(StandardCharsets.UTF_8));
        CliRun r = run("chat", "-m", gguf.toString(), "--temperature", "0", "--max-tokens", "4", "--ctx", "512");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("system prompt set"), r.err());
        assertTrue(r.err().contains("conversation cleared"), r.err());
        assertEquals(3, r.out().split("\n", -1).length - 1, "one answer line per message: " + r.out());
    }

    @Test
    void benchReportsSpeedsAndBandwidthUse() {
        CliRun r = run("bench", "-m", gguf.toString(), "--prompt-tokens", "32", "--gen-tokens", "8", "--bandwidth-mb", "64", "--ctx", "256");
        assertEquals(0, r.code(), r.err());
        for (String k : List.of("prefill", "decode", "threads", "weights/token", "memory bandwidth", "decode bw use")) {
            assertTrue(r.out().contains(k), r.out());
        }
    }

    @Test
    void badInputGivesAClearMessage() {
        CliRun r = run("generate", "-m", dir.resolve("missing.gguf").toString(), "--prompt-ids", "1,2");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("missing.gguf"), r.err());
        CliRun overflow = run("generate", "-m", gguf.toString(), "--prompt-ids", "1,2,3", "--max-tokens", "300", "--ctx", "256");
        assertEquals(1, overflow.code());
        assertTrue(overflow.err().contains("context holds 256"), overflow.err());
    }

    static int[] concat(int[] a, int[] b) {
        int[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    static String join(int[] ids) {
        StringBuilder s = new StringBuilder();
        for (int t : ids) s.append(s.isEmpty() ? "" : ",").append(t);
        return s.toString();
    }
}
