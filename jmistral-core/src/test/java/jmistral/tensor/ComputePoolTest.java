package jmistral.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
                AtomicIntegerArray each = new AtomicIntegerArray(n);
                pool.parallelForEach(n, each::incrementAndGet);
                for (int i = 0; i < n; i++) assertEquals(1, each.get(i), "parallelForEach: index " + i + " of " + n);
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

    @Test
    void withinBindsThePoolForTheWorkAndItsWorkers() {
        try (ComputePool own = new ComputePool(2)) {
            assertSame(ComputePool.shared(), ComputePool.current());
            AtomicIntegerArray onOwn = new AtomicIntegerArray(64);
            own.within(() -> ComputePool.current().parallelFor(64, i -> {
                if (ComputePool.current() == own) onOwn.incrementAndGet(i);
            }));
            for (int i = 0; i < 64; i++) assertEquals(1, onOwn.get(i), "index " + i);
            assertEquals(7, own.within(() -> ComputePool.current() == own ? 7 : 0));
            assertSame(ComputePool.shared(), ComputePool.current());
        }
    }

    @Test
    void profileCountsLoopsAndIdleTime() {
        try (ComputePool pool = new ComputePool(2)) {
            PoolProfile p = new PoolProfile(2);
            pool.profile(p);
            for (int k = 0; k < 5; k++) pool.parallelFor(100, i -> Math.sin(i));
            pool.profile(null);
            pool.parallelFor(100, i -> Math.sin(i));
            assertEquals(5, p.loops());
            assertTrue(p.wallNanos() > 0 && p.idleThreadNanos() >= 0 && p.idleThreadNanos() <= 2 * p.wallNanos(), p.idleThreadNanos() + " of " + p.wallNanos());
        }
    }
}
