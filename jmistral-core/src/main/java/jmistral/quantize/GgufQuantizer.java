package jmistral.quantize;

import jmistral.ModelFileException;
import jmistral.gguf.GgufWriter;
import jmistral.hub.ProgressListener;
import jmistral.model.LoadedModel;
import jmistral.model.ModelLoader;
import jmistral.model.TextConfig;
import jmistral.tokenizer.Tekken;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code jmistral quantize}: converts a text model (Hugging Face folder, Mistral native folder or GGUF
 * file) into a GGUF file of arch llama in one {@link QuantType}, tensor by tensor. The input stays
 * mapped; each tensor is read row by row, quantized in parallel and streamed into the file, so memory
 * use does not grow with the model. HF q/k rows are put back in GGUF's interleaved order. The tokenizer
 * comes from the input GGUF's metadata or the folder's tekken.json. Only the text decoder is written
 * (a vision tower belongs in a separate mmproj file).
 */
public final class GgufQuantizer {
    private GgufQuantizer() {}

    /**
     * @param tensors   what was written, in file order
     * @param bytes     bytes of tensor data
     * @param tokenizer where the tokenizer metadata came from, or null when none was written
     * @param notes     things the user should know (e.g. why no tokenizer was written)
     */
    public record Result(Path out, QuantType type, TextConfig config, List<TensorPlan> tensors, long bytes,
                         String tokenizer, List<String> notes) {

        /** How many tensors of each type were written, by type name, in the types' order ("5 F32, 16 Q8_0"). */
        public java.util.Map<String, Long> tensorsPerType() {
            java.util.Map<jmistral.tensor.GgmlType, Long> byType = new java.util.TreeMap<>();
            for (TensorPlan p : tensors) byType.merge(p.type(), 1L, Long::sum);
            java.util.Map<String, Long> out = new java.util.LinkedHashMap<>();
            byType.forEach((t, n) -> out.put(t.name(), n));
            return out;
        }
    }

    /**
     * As {@link #quantize(Path, Path, QuantType, ProgressListener)}, on a compute pool of {@code threads}
     * threads of its own (0 = the process-wide pool).
     */
    public static Result quantize(Path in, Path out, QuantType type, int threads, ProgressListener progress) throws IOException {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 1 (or 0 for the cores), got " + threads);
        if (threads == 0) return quantize(in, out, type, progress);
        try (jmistral.tensor.ComputePool pool = new jmistral.tensor.ComputePool(threads)) {
            return pool.within(() -> {
                try {
                    return quantize(in, out, type, progress);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Reads the model at {@code in} (anything {@link ModelLoader#load} opens) and writes it to {@code out} as GGUF in {@code type}. */
    public static Result quantize(Path in, Path out, QuantType type, ProgressListener progress) throws IOException {
        checkOutput(in, out);
        try (LoadedModel model = ModelLoader.load(in)) {
            TextConfig c = model.config();
            List<String> notes = new ArrayList<>();
            GgufWriter w = new GgufWriter();
            LlamaMetadata.write(w, c, displayName(model), type);
            String tokenizer = tokenizer(w, model, c, notes);
            List<TensorPlan> plans = QuantPlanner.plan(model.model().checkpoint(), type);
            long total = plans.stream().mapToLong(TensorPlan::bytes).sum();
            long[] done = {0};
            for (int i = 0; i < plans.size(); i++) {
                TensorPlan p = plans.get(i);
                String label = "[" + (i + 1) + "/" + plans.size() + "] " + p.name() + " " + p.type();
                RowBlockWriter rows = new RowBlockWriter(p, progress);
                w.addTensor(p.name(), p.type(), p.shape(), ch -> {
                    progress.start(label, total, done[0]);
                    rows.write(ch);
                    done[0] += p.bytes();
                });
            }
            try {
                w.write(out);
            } finally {
                progress.finish();
            }
            return new Result(out, type, c, plans, total, tokenizer, notes);
        }
    }

    /** Writes the tokenizer metadata when there is a usable one; says where it came from. */
    private static String tokenizer(GgufWriter w, LoadedModel model, TextConfig c, List<String> notes) {
        if (model.ggufMetadata().isPresent()) {
            if (LlamaMetadata.copyFromGguf(w, model.ggufMetadata().get())) return "input GGUF metadata";
            notes.add("the input GGUF holds no tokenizer metadata; the output has none either");
            return null;
        }
        if (model.tekkenJson().isEmpty()) {
            notes.add("no tekken.json in " + model.path() + "; the output has no tokenizer metadata");
            return null;
        }
        Tekken tekken = Tekken.fromTekkenJson(model.tekkenJson().get());
        if (tekken.vocabSize() != c.vocabSize()) {
            notes.add("tekken.json has " + tekken.vocabSize() + " tokens but the model " + c.vocabSize()
                    + "; no tokenizer metadata written");
            return null;
        }
        tekken.writeGgufMetadata(w);
        return model.tekkenJson().get().toString();
    }

    private static String displayName(LoadedModel model) {
        if (model.ggufMetadata().isPresent() && model.ggufMetadata().get().get("general.name") instanceof String s) return s;
        Path name = model.path().toAbsolutePath().normalize().getFileName();
        return name == null ? "model" : name.toString();
    }

    /** The output must not be (or be inside) the input: writing it would truncate mapped weights. */
    private static void checkOutput(Path in, Path out) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new ModelFileException(out, -1, "output folder " + parent + " does not exist");
        }
        if (Files.isDirectory(out)) throw new ModelFileException(out, -1, "output is a folder; give a .gguf file name");
        if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out)) {
            throw new ModelFileException(out, -1, "output is the input file; write to another file");
        }
        if (Files.isDirectory(in) && out.toAbsolutePath().normalize().startsWith(in.toAbsolutePath().normalize())
                && out.getFileName().toString().endsWith(".safetensors")) {
            throw new ModelFileException(out, -1, "output would overwrite a weight file of the input folder");
        }
    }
}
