package jmistral.bench;

import java.util.Locale;

/**
 * Constraint benchmark (plain main, short): vocabulary trie build, grammar compile time for a typical
 * schema, and token-mask time per generated token over the full 131k Tekken vocabulary while random walks
 * produce answers for a nested schema (first walk = cold caches, later walks = warm caches).
 *
 * <pre>
 * ./mvnw -B -q -o -pl jmistral-core test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp "jmistral-core/target/test-classes:jmistral-core/target/classes:$(cat /tmp/cp.txt)" \
 *     jmistral.bench.ConstraintMaskBench 8      # 8 = number of random walks
 * </pre>
 * The work itself lives in {@code jmistral.generate.constraint.ConstraintBenchMain} (it needs package access);
 * this class only forwards so the benchmark is found under jmistral.bench.
 */
public final class ConstraintMaskBench {

    private ConstraintMaskBench() {}

    public static void main(String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        Class.forName("jmistral.generate.constraint.ConstraintBenchMain").getMethod("main", String[].class)
                .invoke(null, (Object) args);
    }
}
