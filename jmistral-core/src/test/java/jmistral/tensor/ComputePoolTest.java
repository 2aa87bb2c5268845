package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class ComputePoolTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        ComputePool pool = new ComputePool(3);
        try {
            for (int n : new int[] {1, 2, 7, 1000, 12345}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(n);
                pool.parallelFor(n, hits::incrementAndGet);
                for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n);
            }
        } finally {
            pool.close();
        }
    }

    @Test
    void nestedLoopsRunInlineAndFailuresPropagate() {
        ComputePool pool = new ComputePool(2);
        try {
            AtomicIntegerArray hits = new AtomicIntegerArray(16);
            pool.parallelFor(4, i -> pool.parallelFor(4, j -> hits.incrementAndGet(4 * i + j)));
            for (int i = 0; i < 16; i++) assertEquals(1, hits.get(i));
            var e = assertThrows(IllegalStateException.class, () -> pool.parallelFor(100, i -> {
                if (i == 77) throw new IllegalStateException("boom at 77");
            }));
            assertEquals("boom at 77", e.getMessage());
            AtomicIntegerArray after = new AtomicIntegerArray(10); // still usable after a failure
            pool.parallelFor(10, after::incrementAndGet);
            for (int i = 0; i < 10; i++) assertEquals(1, after.get(i));
        } finally {
            pool.close();
        }
    }

    @Test
    void rejectsZeroThreads() {
        assertThrows(IllegalArgumentException.class, () -> new ComputePool(0));
    }
}
