package jmistral.model.vision;

import jmistral.tokenizer.SpecialTokens;
import jmistral.tokenizer.Tekken;

/** The special tokens of an image block: {@code ([IMG] x cols + [IMG_BREAK]) x rows}, last one [IMG_END]. */
public record ImageTokenIds(int img, int imgBreak, int imgEnd) {

    /** Tekken v11 ids (model-arch.md 3). */
    public static final ImageTokenIds TEKKEN = new ImageTokenIds(10, 12, 13);

    public static ImageTokenIds of(Tekken tekken) {
        return new ImageTokenIds(tekken.specialId(SpecialTokens.IMG), tekken.specialId(SpecialTokens.IMG_BREAK),
                tekken.specialId(SpecialTokens.IMG_END));
    }
}
