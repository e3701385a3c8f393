package io.meshgate.edge.server;

import org.slf4j.LoggerFactory;

import java.util.concurrent.ForkJoinPool;

/**
 * JVM-wide settings a node needs before Hazelcast's classes load.
 *
 * <p>Hazelcast completes asynchronous callbacks on the JVM's common ForkJoinPool, unless that pool has a parallelism
 * of one (any machine with two cores or fewer), in which case it starts a new thread for every completion. Under load
 * that is thousands of thread starts a second, and it showed as publish latency climbing to a second in the
 * 1,000-channel benchmark. So the common pool gets at least {@value #MIN_COMMON_PARALLELISM} threads, unless the
 * operator set {@code java.util.concurrent.ForkJoinPool.common.parallelism} themselves.
 */
public final class JvmDefaults {
    static final int MIN_COMMON_PARALLELISM = 4;
    private static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private JvmDefaults() {
    }

    /** Idempotent; only effective before the common pool is first used, so call it first thing. */
    public static synchronized void apply() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, Integer.toString(
                    Math.max(MIN_COMMON_PARALLELISM, Runtime.getRuntime().availableProcessors())));
        }
        if (ForkJoinPool.getCommonPoolParallelism() < 2) {
            LoggerFactory.getLogger(JvmDefaults.class).warn("the common ForkJoinPool has one thread and was created"
                    + " before the node could size it: Hazelcast will start a thread per async completion. Start the"
                    + " JVM with -D{}=4", PARALLELISM);
        }
    }
}
