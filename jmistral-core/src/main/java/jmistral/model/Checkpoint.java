package jmistral.model;

import jmistral.ModelFileException;
import jmistral.model.TensorNames.LayerPart;
import jmistral.tensor.Matrix;
import jmistral.tensor.TensorSource;
import jmistral.tensor.TensorView;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The text decoder's weights, found by name in a {@link TensorSource} and used in place (norms are copied to f32;
 * the Q6_K and Q4_K matrices get a copy in row tiles, which their decode products read, {@link Matrix#withTiledCopy}:
 * beside the file's pages where both fit three quarters of physical memory, else in their place; the output projection
 * first, then layer by layer, while the weights' memory stays within that).
 * Every missing, mis-shaped or unusable tensor is reported in one error.
 *
 * @param config    geometry the tensors were checked against
 * @param rope      RoPE pairing of the q/k rows (HF rows are permuted for rotate-half; handled here, once)
 * @param embedding [vocab][dim]
 * @param layers    decoder layers
 * @param finalNorm [dim]
 * @param output    [vocab][dim]
 * @param bytes     bytes of all weights (what one forward step reads)
 * @param copiedBytes bytes of the weights' copies in row tiles, in the process's memory (beside the file's pages of
 *                    those matrices, or in their place: {@link Matrix#replacedBytes})
 */
public record Checkpoint(TextConfig config, RopeLayout rope, Matrix embedding, LayerWeights[] layers,
                         float[] finalNorm, Matrix output, long bytes, long copiedBytes) {

    /**
     * Bytes of weights a forward pass reads from memory: the file's weights, less those whose copies took their place
     * ({@link Matrix#replacedBytes}), plus the copies.
     */
    public long residentBytes() {
        return bytes - matrices().stream().mapToLong(Matrix::replacedBytes).sum() + copiedBytes;
    }

    /** Every matrix a forward pass multiplies with: per layer q, k, v, o, gate, up, down, then the output projection. */
    public java.util.List<Matrix> matrices() {
        java.util.List<Matrix> all = new java.util.ArrayList<>();
        for (LayerWeights l : layers) all.addAll(java.util.List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown()));
        all.add(output);
        return all;
    }

    /** Loads with the layout detected from the tensor names. */
    public static Checkpoint load(TensorSource source, TextConfig config) {
        TensorNames names = TensorNames.detect(source);
        if (names == null) {
            List<String> tried = TensorNames.ALL.stream().map(n -> n.embedding() + " (" + n.layout() + ")").toList();
            throw new ModelFileException(source.path(), -1, "no text decoder embedding tensor found; looked for "
                    + String.join(", ", tried));
        }
        return load(source, config, names);
    }

    /** Loads with a known tensor layout; every missing tensor or wrong shape is reported in one {@link ModelFileException}. */
    public static Checkpoint load(TensorSource source, TextConfig c, TensorNames names) {
        return load(source, c, names, null);
    }

    /**
     * {@link #load(TensorSource, TextConfig, TensorNames)}, the copies in row tiles in place of the file's pages or beside
     * them as {@code replacePages} says (null: as memory allows, {@link Reader#replacePages}).
     */
    static Checkpoint load(TensorSource source, TextConfig c, TensorNames names, Boolean replacePages) {
        checkLayerCount(source, c, names);
        Reader r = new Reader(source);
        int q = c.nHeads() * c.headDim(), kv = c.nKvHeads() * c.headDim();
        List<String> tiled = new ArrayList<>(List.of(names.output())); // the tensors tiledMatrix takes below
        for (int l = 0; l < c.nLayers(); l++) {
            for (LayerPart part : LAYER_MATRICES) tiled.add(names.layer(l, part));
        }
        r.planCopies(tiled, replacePages);
        Matrix embedding = r.matrix(names.embedding(), c.vocabSize(), c.dim()); // row lookups only: in place
        // the output projection first: the largest matrix, read by every decode step, gets its copy before the budget runs out
        Matrix output = r.tiledMatrix(names.output(), c.vocabSize(), c.dim());
        LayerWeights[] layers = new LayerWeights[c.nLayers()];
        for (int l = 0; l < c.nLayers(); l++) {
            layers[l] = new LayerWeights(
                    r.vector(names.layer(l, LayerPart.ATTN_NORM), c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.Q), q, c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.K), kv, c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.V), kv, c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.O), c.dim(), q),
                    r.vector(names.layer(l, LayerPart.FFN_NORM), c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.GATE), c.hiddenDim(), c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.UP), c.hiddenDim(), c.dim()),
                    r.tiledMatrix(names.layer(l, LayerPart.DOWN), c.dim(), c.hiddenDim()));
        }
        float[] finalNorm = r.vector(names.finalNorm(), c.dim());
        if (!r.errors.isEmpty()) {
            List<String> shown = r.errors.subList(0, Math.min(r.errors.size(), MAX_LISTED_PROBLEMS));
            String more = r.errors.size() > shown.size() ? "; and " + (r.errors.size() - shown.size()) + " more" : "";
            throw new ModelFileException(source.path(), -1, names.layout() + " checkpoint does not match its "
                    + "configuration (" + c.nLayers() + " layers, dim " + c.dim() + "): " + r.errors.size()
                    + " problem(s): " + String.join("; ", shown) + more);
        }
        return new Checkpoint(c, names.rope(), embedding, layers, finalNorm, output, r.bytes, r.copiedBytes);
    }

    /** A layer's matrices (the rest of its tensors are norms). */
    private static final List<LayerPart> LAYER_MATRICES =
            List.of(LayerPart.Q, LayerPart.K, LayerPart.V, LayerPart.O, LayerPart.GATE, LayerPart.UP, LayerPart.DOWN);

    /** Problems named in one error; the rest are counted (the message stays one short line). */
    private static final int MAX_LISTED_PROBLEMS = 4;

    /**
     * A layer count the file cannot hold is refused before any per-layer work: a corrupt {@code block_count}
     * of a million would otherwise look up (and report missing) nine million tensors.
     */
    private static void checkLayerCount(TensorSource source, TextConfig c, TensorNames names) {
        long needed = (long) c.nLayers() * LayerPart.values().length;
        if (needed > source.tensors().size()) {
            throw new ModelFileException(source.path(), -1, "the configuration says " + c.nLayers() + " layers ("
                    + needed + " layer tensors) but the " + names.layout() + " checkpoint has only "
                    + source.tensors().size() + " tensors: corrupt layer count?");
        }
    }

    /** Looks tensors up, checks shapes, and collects every problem. */
    private static final class Reader {
        final TensorSource source;
        final List<String> errors = new ArrayList<>();
        long bytes;
        /**
         * What copies in row tiles may still add to the weights' memory ({@link Matrix#withTiledCopy}): at first, three
         * quarters of physical memory less every tensor in the file (the last quarter for the KV cache, the heap and the
         * system).
         */
        long copyBudget;
        /**
         * Whether the copies take the place of the file's pages ({@link Matrix#replacedBytes}): where the file and
         * every copy together do not fit the budget ({@link #planCopies}). For the 24B model at Q4_K_M (14.3 GB, its
         * copies 15.6 GB) on 24 GB: in their place, every Q6_K and Q4_K matrix copied, about 1.6 GB more than the file;
         * on 64 GB: beside them. {@code -Djmistral.tiles.replacePages=true} or {@code false} decides instead.
         */
        boolean replacePages;
        long copiedBytes;

        Reader(TensorSource source) {
            this.source = source;
            long fileBytes = source.tensors().values().stream().mapToLong(t -> t.data().byteSize()).sum();
            this.copyBudget = MemoryBudget.physicalMemory() / 4 * 3 - fileBytes;
        }

        /**
         * Decides {@link #replacePages} from what the copies of these tensors (those that exist) would take, unless
         * {@code chosen} (not null) decides it.
         */
        void planCopies(List<String> names, Boolean chosen) {
            long copies = 0;
            for (String name : names) {
                TensorView t = source.tensors().get(name);
                if (t == null || t.shape().length != 2) continue; // reported when loaded
                try {
                    copies += Matrix.tiledCopyBytes(t);
                } catch (RuntimeException e) {
                    // an unusable tensor: reported when loaded
                }
            }
            String forced = System.getProperty("jmistral.tiles.replacePages");
            if (chosen != null) replacePages = chosen;
            else replacePages = forced != null ? Boolean.parseBoolean(forced) : copies > copyBudget;
        }

        TensorView find(String name, long[] expected) {
            TensorView t = source.tensors().get(name);
            if (t == null) {
                errors.add("missing tensor " + name + " (expected shape " + Arrays.toString(expected) + ")");
                return null;
            }
            if (!Arrays.equals(t.shape(), expected)) {
                errors.add("tensor " + name + " has shape " + Arrays.toString(t.shape()) + ", expected "
                        + Arrays.toString(expected) + " (ggml order: columns first)");
                return null;
            }
            bytes += t.data().byteSize();
            return t;
        }

        /** W [rows][cols]: ggml shape {cols, rows}. */
        Matrix matrix(String name, int rows, int cols) {
            return matrix(name, rows, cols, Matrix::of);
        }

        /**
         * W [rows][cols] for the decode products, with a copy in row tiles where its format has one (Q6_K, Q4_K; see
         * {@link Matrix#withTiledCopy}) while the copies fit in {@link #copyBudget}; in place otherwise.
         */
        Matrix tiledMatrix(String name, int rows, int cols) {
            Matrix m = matrix(name, rows, cols, t -> Matrix.withTiledCopy(t, copyBudget, replacePages));
            if (m != null) {
                copyBudget -= m.copiedBytes() - m.replacedBytes();
                copiedBytes += m.copiedBytes();
            }
            return m;
        }

        private Matrix matrix(String name, int rows, int cols, java.util.function.Function<TensorView, Matrix> open) {
            TensorView t = find(name, new long[] {cols, rows});
            if (t == null) return null;
            try {
                return open.apply(t);
            } catch (RuntimeException e) {
                errors.add("tensor " + name + " of type " + t.type() + " cannot be used: " + e.getMessage());
                return null;
            }
        }

        /** A norm weight [n], copied to f32. */
        float[] vector(String name, int n) {
            TensorView t = find(name, new long[] {n});
            if (t == null) return null;
            try {
                float[] out = new float[n];
                // a 1-row matrix over the same bytes: ggml shape {n, 1}
                Matrix.of(new TensorView(name, t.type(), new long[] {n, 1}, t.data())).dequantizeRow(0, out, 0);
                return out;
            } catch (RuntimeException e) {
                errors.add("tensor " + name + " of type " + t.type() + " cannot be used: " + e.getMessage());
                return null;
            }
        }
    }
}
