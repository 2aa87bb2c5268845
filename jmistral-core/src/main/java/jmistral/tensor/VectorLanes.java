package jmistral.tensor;

import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API building blocks every kernel uses. Quantized bytes are always loaded 16 at a time
 * (a 128-bit ByteVector: one Q4_0 block's nibbles, half a Q8_0 block) and widened to float vectors
 * of {@link #LANES} lanes, {@link #PARTS} per 16 bytes. The float width is the CPU's preferred one,
 * overridable with {@code -Djmistral.vectorBits=256} (512-bit is not always faster, e.g. on Zen 4).
 *
 * <p>Only constants: kernels call the Vector API directly, with no vector-valued helper methods
 * (a helper that C2 does not inline boxes every vector it returns; see {@link KScaleMinBlocks#dot}).
 */
public final class VectorLanes {
    private VectorLanes() {}

    /** The float species of every kernel (public: the model's own vector code, such as attention, uses it too). */
    public static final VectorSpecies<Float> F = floatSpecies();
    /** Float lanes per vector: 4, 8 or 16. */
    public static final int LANES = F.length();
    /** Int lanes as many as {@link #F}'s (same shape): bytes widened to 32 bits, then converted to float. */
    static final VectorSpecies<Integer> I = F.withLanes(int.class);
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Float vectors per 16 bytes. */
    static final int PARTS = 16 / LANES;

    /**
     * {@code LANE[i]} copies lane i of an {@link #F} vector to every lane: with {@code rearrange}, a
     * register broadcast (one permute) of a per-group scale that a kernel converted together with
     * the block's other scales, instead of a scalar int-to-float conversion and broadcast per group.
     */
    static final VectorShuffle<Float>[] LANE = laneBroadcasts();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] laneBroadcasts() {
        VectorShuffle<Float>[] shuffles = new VectorShuffle[LANES];
        for (int i = 0; i < LANES; i++) {
            int lane = i;
            shuffles[i] = VectorShuffle.fromOp(F, j -> lane);
        }
        return shuffles;
    }

    private static VectorSpecies<Float> floatSpecies() {
        int bits = Integer.getInteger("jmistral.vectorBits", FloatVector.SPECIES_PREFERRED.vectorBitSize());
        bits = Math.max(128, Math.min(512, bits));
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }
}
