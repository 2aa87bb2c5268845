package jmistral.model.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import jmistral.tokenizer.ImageConfig;
import jmistral.image.RgbImage;
import org.junit.jupiter.api.Test;

/** Images seen again are not encoded again; different pixels never share an entry; the budget holds. */
class ImageEmbeddingCacheTest {

    @Test
    void aResentImageIsEncodedOnceAndGivesTheSameRows() {
        try (VisionModel m = MultimodalPromptTest.tiny()) {
            ImagePipeline cached = new ImagePipeline(m, ImageConfig.MISTRAL_SMALL_3, ImageTokenIds.TEKKEN, new ImageEmbeddingCache(1 << 20));
            ImagePipeline uncached = new ImagePipeline(m, ImageConfig.MISTRAL_SMALL_3, ImageTokenIds.TEKKEN, new ImageEmbeddingCache(0));
            RgbImage img = FormulaImage.of(56, 56);                  // 2x2 grid: 10 10 12 10 10 13
            RgbImage copy = new RgbImage(56, 56, img.rgb().clone());  // same pixels, another array
            int[] prompt = {1, 3, 10, 10, 12, 10, 10, 13, 4};

            float[][] first = cached.promptEmbeddings(prompt, List.of(img));
            float[][] again = cached.promptEmbeddings(prompt, List.of(copy));   // a later turn resends the image
            float[][] fresh = uncached.promptEmbeddings(prompt, List.of(img));
            for (int t = 0; t < prompt.length; t++) {
                // the cache hands back the first encode's rows exactly
                assertArrayEquals(first[t], again[t], "position " + t);
                // an encode of its own agrees within float rounding: Vector API lane reductions sum in
                // another order once C2 has compiled a kernel, so two encodes in one JVM may differ in the last bit
                if (fresh[t] == null || first[t] == null) {   // text positions: no row in either
                    assertSame(fresh[t], first[t], "position " + t);
                    continue;
                }
                assertEquals(fresh[t].length, first[t].length);
                for (int i = 0; i < fresh[t].length; i++) {
                    assertEquals(fresh[t][i], first[t][i], 1e-5f * Math.max(1f, Math.abs(fresh[t][i])), "position " + t + ", value " + i);
                }
            }
            assertEquals(1, cached.cache().misses());
            assertEquals(1, cached.cache().hits());
            assertEquals(0, uncached.cache().size());
        }
    }

    @Test
    void differentPixelsOrSizesAreDifferentEntries() {
        ImageEmbeddingCache cache = new ImageEmbeddingCache(1 << 20);
        AtomicInteger encodes = new AtomicInteger();
        RgbImage a = FormulaImage.of(56, 28);
        byte[] changed = a.rgb().clone();
        changed[changed.length - 1] ^= 1;                              // one bit of one sample
        RgbImage b = new RgbImage(56, 28, changed);
        RgbImage c = new RgbImage(28, 56, a.rgb().clone());            // same bytes, other shape
        for (RgbImage img : List.of(a, b, c, a, b, c)) {
            cache.get(img, i -> new float[]{encodes.incrementAndGet()});
        }
        assertEquals(3, encodes.get());
        assertEquals(1f, cache.get(a, i -> null)[0]);
        assertEquals(2f, cache.get(b, i -> null)[0]);
        assertEquals(3f, cache.get(c, i -> null)[0]);
    }

    @Test
    void leastRecentlyUsedGoFirstWithinTheBudget() {
        ImageEmbeddingCache cache = new ImageEmbeddingCache(3 * 400);   // room for three 100-float entries
        RgbImage[] images = new RgbImage[4];
        for (int i = 0; i < 4; i++) images[i] = FormulaImage.of(28 * (i + 1), 28);
        float[] zero = cache.get(images[0], i -> new float[100]);
        cache.get(images[1], i -> new float[100]);
        cache.get(images[2], i -> new float[100]);
        assertSame(zero, cache.get(images[0], i -> new float[100]));  // 0 is now the most recent
        cache.get(images[3], i -> new float[100]);                       // evicts 1, the least recent
        assertEquals(3, cache.size());
        assertEquals(3 * 400, cache.bytes());
        long misses = cache.misses();
        cache.get(images[0], i -> new float[100]);
        cache.get(images[2], i -> new float[100]);
        assertEquals(misses, cache.misses());
        cache.get(images[1], i -> new float[100]);
        assertEquals(misses + 1, cache.misses());
        cache.get(FormulaImage.of(140, 28), i -> new float[1000]);        // larger than the budget: not kept
        assertEquals(3 * 400, cache.bytes());
        assertEquals(3, cache.size());
    }
}
