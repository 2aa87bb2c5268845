package jmistral.quantize;

import jmistral.model.TensorNames.LayerPart;

/** What a tensor of the text decoder is, which decides its type in a quantized file. */
public enum TensorKind {
    EMBEDDING, NORM, Q, K, V, O, GATE, UP, DOWN, OUTPUT;

    static TensorKind of(LayerPart part) {
        return switch (part) {
            case ATTN_NORM, FFN_NORM -> NORM;
            case Q -> Q;
            case K -> K;
            case V -> V;
            case O -> O;
            case GATE -> GATE;
            case UP -> UP;
            case DOWN -> DOWN;
        };
    }
}
