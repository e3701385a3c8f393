package io.meshgate.relay.region;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.RetryableHazelcastException;
import com.hazelcast.spi.exception.TargetNotMemberException;

import java.util.function.Supplier;

/**
 * Runs a blocking, idempotent call on the region's cluster again when it failed without a verdict. A region member
 * reports a call whose backup did not answer in time as failed rather than guess ({@code fail.on.indeterminate.state});
 * on a loaded machine that happens while a second member is still joining. For a call that is safe to repeat (a set,
 * a delete, a {@code putIfAbsent} whose caller takes whatever value is present) a second attempt is the answer.
 *
 * <p>Called on whatever thread makes the call; it sleeps that thread between attempts, so it is meant for start-up
 * and operator paths, not for a transport's I/O thread.
 */
public final class IdempotentWrite {
    /** Attempts of a call in all, here and in the store's asynchronous retries ({@code IdempotentRetry}). */
    public static final int MAX_ATTEMPTS = 3;
    /** The wait before attempt {@code n + 1} is {@code n} times this: enough to ride out an owner's failover. */
    public static final long BASE_DELAY_MS = 100;

    private IdempotentWrite() {
    }

    /** True for a failure after which the call may or may not have landed, or its target moved. */
    public static boolean retriable(Throwable cause) {
        return cause instanceof IndeterminateOperationStateException || cause instanceof MemberLeftException
                || cause instanceof TargetNotMemberException || cause instanceof RetryableHazelcastException;
    }

    /** Runs {@code call} up to {@value #MAX_ATTEMPTS} times while it fails {@link #retriable retriably}. */
    public static <R> R call(Supplier<R> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (attempt >= MAX_ATTEMPTS || !retriable(e)) {
                    throw e;
                }
                try {
                    Thread.sleep(BASE_DELAY_MS * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** {@link #call} for a call without a result. */
    public static void run(Runnable call) {
        call(() -> {
            call.run();
            return null;
        });
    }
}
