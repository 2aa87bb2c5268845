package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The copies' memory: zeroed, writable, the size asked for, page-aligned, of the model file mapping's segment class. */
class PrivateMappingTest {

    @Test
    void zeroedWritableMemoryOfTheMappedSegmentClass() {
        long bytes = (3L << 20) + 5;
        MemorySegment m = PrivateMapping.allocate(bytes);
        assertEquals(bytes, m.byteSize());
        assertEquals(0, m.address() % 4096, "page-aligned");
        for (long at = 0; at < bytes; at += 4093) assertEquals(0, m.get(ValueLayout.JAVA_BYTE, at), "zero at " + at);
        for (long at = 0; at < bytes; at += 4093) m.set(ValueLayout.JAVA_BYTE, at, (byte) (at % 127));
        for (long at = 0; at < bytes; at += 4093) assertEquals((byte) (at % 127), m.get(ValueLayout.JAVA_BYTE, at));
        // the same class as a mapped model file's segment: one class in the vector loads' type profile (see PrivateMapping)
        assertTrue(m.isMapped(), "a mapped segment");
    }
}
