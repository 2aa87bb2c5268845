package jmistral.server.connection;

import com.sun.management.UnixOperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's file descriptors (Unix; elsewhere unknown and never the limiting factor here): how many are open,
 * the limit ({@code ulimit -n}), and whether so few are left that the listener could not accept a connection.
 */
public final class Descriptors {
    /** Kept free for what the server needs besides connections (model files, logs, the JVM, the probe). */
    static final int RESERVE = 64;

    private Descriptors() {}

    private static UnixOperatingSystemMXBean unix() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof UnixOperatingSystemMXBean u ? u : null;
    }

    /** The limit on open descriptors, or -1 when unknown. */
    public static long limit() {
        UnixOperatingSystemMXBean u = unix();
        return u == null ? -1 : u.getMaxFileDescriptorCount();
    }

    /** Descriptors open now, or -1 when unknown. */
    public static long open() {
        UnixOperatingSystemMXBean u = unix();
        return u == null ? -1 : u.getOpenFileDescriptorCount();
    }

    /** Why a new connection could not be accepted now for want of descriptors, or null. */
    public static String exhaustion() {
        long limit = limit(), open = open();
        if (limit < 0 || open < 0 || open < limit - RESERVE / 4) return null;
        return "file descriptors exhausted: " + open + " of " + limit + " open";
    }

    /**
     * The connection cap that fits the descriptors left: sockets Helidon may hold ({@code ceiling(cap)}) must stay
     * under the limit minus what is open now and the reserve.
     */
    static int capThatFits(int requested, java.util.function.IntUnaryOperator ceiling) {
        long limit = limit(), open = open();
        if (limit < 0 || open < 0) return requested;
        long room = limit - open - RESERVE;
        int cap = requested;
        while (cap > 1 && ceiling.applyAsInt(cap) > room) cap = Math.max(1, cap * 7 / 8);
        return cap;
    }
}
