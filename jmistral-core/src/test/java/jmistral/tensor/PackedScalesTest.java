package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link KScaleMinBlocks#packedScales} (three 32-bit reads and masks, used by the vector kernels) against
 * the byte-by-byte reference {@link BlockBytes#kScaleMin}: every value of every one of the 12 scale
 * bytes, the other 11 random, all 8 sub-blocks, scales and mins.
 */
class PackedScalesTest {

    @Test
    void packedScalesEqualsKScaleMinForEveryByteValue() {
        Random rnd = new Random(7);
        MemorySegment s = MemorySegment.ofArray(new byte[16]);
        long at = 3; // unaligned on purpose
        for (int pos = 0; pos < 12; pos++) {
            for (int v = 0; v < 256; v++) {
                for (int i = 0; i < 12; i++) s.set(ValueLayout.JAVA_BYTE, at + i, (byte) rnd.nextInt(256));
                s.set(ValueLayout.JAVA_BYTE, at + pos, (byte) v);
                long scales = KScaleMinBlocks.packedScales(s, at, false), mins = KScaleMinBlocks.packedScales(s, at, true);
                for (int j = 0; j < 8; j++) {
                    int ref = BlockBytes.kScaleMin(s, at, j);
                    assertEquals(ref & 0xFF, (int) ((scales >>> (8 * j)) & 0xFF), "scale " + j + ", byte " + pos + " = " + v);
                    assertEquals(ref >> 8, (int) ((mins >>> (8 * j)) & 0xFF), "min " + j + ", byte " + pos + " = " + v);
                }
            }
        }
    }
}
