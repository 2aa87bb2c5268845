package jmistral.model;

import java.lang.management.ManagementFactory;

/** How many bytes a KV cache may take: physical memory minus the mapped weights and a margin. */
final class MemoryBudget {
    private MemoryBudget() {}

    /** Overrides the computed budget (bytes). */
    static final String PROPERTY = "jmistral.kvcache.maxBytes";
    private static final long MARGIN = 1L << 30;

    static long kvCacheBytes(long weightBytes) {
        String forced = System.getProperty(PROPERTY);
        if (forced != null) return Long.parseLong(forced.trim());
        long total = physicalMemory();
        long heap = Runtime.getRuntime().maxMemory();
        // The cache is off-heap: it competes with the page cache holding the weights and with the heap.
        return Math.max(0, total - weightBytes - Math.min(heap, total / 2) - MARGIN);
    }

    static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
