package jmistral.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * What one core of this machine does per nanosecond with 16-lane float vectors, the ceilings every
 * kernel lives under: FMAs from registers only, FMAs that each take one vector load (a kernel that
 * multiplies one decoded weight vector with one token's x: matvec, or a row times 8 tokens), from L1
 * (16 KB) and from L2 (160 KB: 8 tokens' x over 5120 columns), and FMAs that share their loads (2 loads
 * per 8 FMAs, as a register tile does), and FMAs from registers on two threads at once (whether two vCPUs are two cores
 * or SMT siblings of one). Not a test: a probe to run when a kernel's speed needs explaining.
 *
 * <pre>
 * ./mvnw -B -q -o -pl jmistral-core test-compile
 * java --add-modules jdk.incubator.vector -cp jmistral-core/target/test-classes jmistral.bench.LoadFmaProbe
 * </pre>
 * Measured 2026-12-07 on the 2-core build machine (AMD EPYC, AVX-512), three runs: registers only 6.7 FMA/ns;
 * one load per FMA 3.1 (L1) and 1.7 (L2); 2 loads per 8 FMAs 6.0. So one 512-bit load per cycle against two
 * FMAs: a kernel whose every FMA needs its own loaded vector runs at half the FMA rate at best, and from L2 at
 * a quarter. Two threads at once (2026-12-07 10:25, three rounds): 10.6-13.4 FMA/ns together against 6.8-6.9 for one
 * (1.5-1.9x): the two vCPUs are separate cores, and compute-bound kernels scale over both.
 */
public final class LoadFmaProbe {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;

    public static void main(String[] args) throws InterruptedException {
        float[] l1 = data(16 * 1024 / 4), l2 = data(160 * 1024 / 4);
        float sink = 0;
        for (int round = 0; round < 6; round++) { // the first three compile the loops (interpreted Vector API code boxes)
            long t0 = System.nanoTime();
            int reps = 20_000_000;
            sink += registersOnly(reps);
            double registers = 10.0 * reps / (System.nanoTime() - t0);
            double fromL1 = onePerFma(l1, 200_000_000), fromL2 = onePerFma(l2, 100_000_000);
            t0 = System.nanoTime();
            int shared = 40_000;
            sink += sharedLoads(l1, shared);
            double sharing = (double) shared * (l1.length / 32) * 8 / (System.nanoTime() - t0);
            double twoThreads = registersOnTwoThreads(reps);
            if (round >= 3) System.out.printf("FMA per ns: registers only %.2f (two threads together %.2f), one 512-bit load each from L1 %.2f, from L2 %.2f, 2 loads per 8 FMAs %.2f%n",
                    registers, twoThreads, fromL1, fromL2, sharing);
        }
        if (sink == 42) System.out.println(); // keeps the sums alive
    }

    private static float[] data(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i % 7) * 1e-3f;
        return x;
    }

    /** 10 independent FMA chains on registers. */
    private static float registersOnly(int reps) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        FloatVector w = FloatVector.broadcast(F, 1.0001f), x = FloatVector.broadcast(F, 0.5f);
        for (int r = 0; r < reps; r++) {
            a0 = w.fma(x, a0); a1 = w.fma(x, a1); a2 = w.fma(x, a2); a3 = w.fma(x, a3); a4 = w.fma(x, a4);
            a5 = w.fma(x, a5); a6 = w.fma(x, a6); a7 = w.fma(x, a7); a8 = w.fma(x, a8); a9 = w.fma(x, a9);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).reduceLanes(VectorOperators.ADD);
    }

    /** FMAs per ns of {@link #registersOnly} running on two threads at once, both counted. */
    private static double registersOnTwoThreads(int reps) throws InterruptedException {
        float[] sums = new float[2];
        Thread[] threads = new Thread[2];
        long t0 = System.nanoTime();
        for (int i = 0; i < 2; i++) {
            int t = i;
            threads[i] = Thread.ofPlatform().start(() -> sums[t] = registersOnly(reps));
        }
        for (Thread t : threads) t.join();
        double perNs = 2 * 10.0 * reps / (System.nanoTime() - t0);
        return sums[0] + sums[1] == 42 ? 0 : perNs;
    }

    /** FMAs per ns when each FMA takes its own vector from x (8 chains, about {@code fmas} FMAs in all). */
    private static double onePerFma(float[] x, long fmas) {
        int reps = (int) Math.max(1, fmas / (x.length / 16));
        onePerFma(x, reps / 10 + 1, 0); // warm-up
        long t0 = System.nanoTime();
        float s = onePerFma(x, reps, 0);
        double perNs = (double) reps * (x.length / 16) / (System.nanoTime() - t0);
        return s == 42 ? 0 : perNs;
    }

    private static float onePerFma(float[] x, int reps, int unused) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector w = FloatVector.broadcast(F, 1.0001f);
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i < x.length; i += 128) {
                a0 = w.fma(FloatVector.fromArray(F, x, i), a0);
                a1 = w.fma(FloatVector.fromArray(F, x, i + 16), a1);
                a2 = w.fma(FloatVector.fromArray(F, x, i + 32), a2);
                a3 = w.fma(FloatVector.fromArray(F, x, i + 48), a3);
                a4 = w.fma(FloatVector.fromArray(F, x, i + 64), a4);
                a5 = w.fma(FloatVector.fromArray(F, x, i + 80), a5);
                a6 = w.fma(FloatVector.fromArray(F, x, i + 96), a6);
                a7 = w.fma(FloatVector.fromArray(F, x, i + 112), a7);
            }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    /** 2 loads per 8 FMAs: each loaded vector feeds 4 chains (a register tile's pattern). */
    private static float sharedLoads(float[] x, int reps) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector w0 = FloatVector.broadcast(F, 1.0001f), w1 = w0.mul(0.5f), w2 = w0.mul(0.25f), w3 = w0.mul(0.125f);
        for (int r = 0; r < reps; r++) {
            for (int i = 0; i < x.length; i += 32) {
                FloatVector u = FloatVector.fromArray(F, x, i), v = FloatVector.fromArray(F, x, i + 16);
                a0 = w0.fma(u, a0); a1 = w1.fma(u, a1); a2 = w2.fma(u, a2); a3 = w3.fma(u, a3);
                a4 = w0.fma(v, a4); a5 = w1.fma(v, a5); a6 = w2.fma(v, a6); a7 = w3.fma(v, a7);
            }
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }
}
