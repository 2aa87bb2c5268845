package jmistral.model;

/**
 * Text decoder hyper-parameters, mirroring Mistral's {@code params.json}. Each checkpoint format's
 * loader fills it (GGUF metadata, HF {@code config.json} text_config, native params.json).
 *
 * @param dim        hidden size (5120)
 * @param nLayers    decoder layers (40)
 * @param headDim    per-head size (128; not dim / nHeads)
 * @param hiddenDim  SwiGLU inner size (32768)
 * @param nHeads     query heads (32)
 * @param nKvHeads   key/value heads (8)
 * @param normEps    RMSNorm epsilon (1e-5)
 * @param ropeTheta  RoPE base (1e9)
 * @param vocabSize  vocabulary size (131072)
 * @param maxSeqLen  trained context length (131072)
 */
public record TextConfig(int dim, int nLayers, int headDim, int hiddenDim, int nHeads, int nKvHeads,
                         double normEps, double ropeTheta, int vocabSize, int maxSeqLen) {
}
