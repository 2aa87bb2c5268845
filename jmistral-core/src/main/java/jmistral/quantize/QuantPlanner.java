package jmistral.quantize;

import jmistral.model.Checkpoint;
import jmistral.model.LayerWeights;
import jmistral.model.TensorNames;
import jmistral.model.TensorNames.LayerPart;
import jmistral.model.TextConfig;
import jmistral.tensor.Matrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Lists the tensors of the output GGUF for a loaded checkpoint: GGUF names, the type
 * {@link TypeRules} gives each, and where its rows come from (q/k rows in interleaved order).
 * Order: token_embd, then each layer's tensors, then output_norm and output, as llama.cpp writes them.
 */
public final class QuantPlanner {
    private QuantPlanner() {}

    public static List<TensorPlan> plan(Checkpoint ck, QuantType q) {
        TextConfig c = ck.config();
        TensorNames g = TensorNames.GGUF;
        List<TensorPlan> out = new ArrayList<>();
        out.add(matrix(g.embedding(), TensorKind.EMBEDDING, -1, ck.embedding(), RowSource.of(ck.embedding()), q, c));
        for (int l = 0; l < c.nLayers(); l++) {
            LayerWeights w = ck.layers()[l];
            for (LayerPart p : LayerPart.values()) {
                String name = g.layer(l, p);
                out.add(switch (p) {
                    case ATTN_NORM -> norm(name, l, w.attnNorm());
                    case FFN_NORM -> norm(name, l, w.ffnNorm());
                    case Q -> matrix(name, TensorKind.Q, l, w.wq(), RowSource.interleaved(w.wq(), ck.rope(), c.headDim()), q, c);
                    case K -> matrix(name, TensorKind.K, l, w.wk(), RowSource.interleaved(w.wk(), ck.rope(), c.headDim()), q, c);
                    case V -> matrix(name, TensorKind.V, l, w.wv(), RowSource.of(w.wv()), q, c);
                    case O -> matrix(name, TensorKind.O, l, w.wo(), RowSource.of(w.wo()), q, c);
                    case GATE -> matrix(name, TensorKind.GATE, l, w.wGate(), RowSource.of(w.wGate()), q, c);
                    case UP -> matrix(name, TensorKind.UP, l, w.wUp(), RowSource.of(w.wUp()), q, c);
                    case DOWN -> matrix(name, TensorKind.DOWN, l, w.wDown(), RowSource.of(w.wDown()), q, c);
                });
            }
        }
        out.add(norm(g.finalNorm(), -1, ck.finalNorm()));
        out.add(matrix(g.output(), TensorKind.OUTPUT, -1, ck.output(), RowSource.of(ck.output()), q, c));
        return out;
    }

    private static TensorPlan norm(String name, int layer, float[] w) {
        return new TensorPlan(name, TensorKind.NORM, layer, 1, w.length, jmistral.tensor.GgmlType.F32, RowSource.of(w));
    }

    private static TensorPlan matrix(String name, TensorKind kind, int layer, Matrix m, RowSource rows, QuantType q, TextConfig c) {
        return new TensorPlan(name, kind, layer, m.rows(), m.cols(),
                TypeRules.typeFor(q, kind, layer, c.nLayers(), m.cols()), rows);
    }
}
