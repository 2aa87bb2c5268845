package jmistral.model;

import jmistral.tensor.Matrix;

/**
 * One decoder layer's weights. Matrices are views on the mapped file (W [rows=out][cols=in]);
 * norm weights are small and copied to f32.
 *
 * @param attnNorm [dim]
 * @param wq       [nHeads*headDim][dim]
 * @param wk       [nKvHeads*headDim][dim]
 * @param wv       [nKvHeads*headDim][dim]
 * @param wo       [dim][nHeads*headDim]
 * @param ffnNorm  [dim]
 * @param wGate    [hiddenDim][dim]
 * @param wUp      [hiddenDim][dim]
 * @param wDown    [dim][hiddenDim]
 */
public record LayerWeights(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                           float[] ffnNorm, Matrix wGate, Matrix wUp, Matrix wDown) {
}
