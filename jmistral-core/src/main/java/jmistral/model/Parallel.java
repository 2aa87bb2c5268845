package jmistral.model;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Runs independent tasks on all cores. TODO switch to jmistral.tensor.ComputePool when it lands. */
final class Parallel {
    private Parallel() {}

    static void forEach(int n, IntConsumer body) {
        if (n == 1) body.accept(0);
        else IntStream.range(0, n).parallel().forEach(body);
    }
}
