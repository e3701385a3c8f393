package io.meshgate.relay.history;

import com.hazelcast.core.IndeterminateOperationStateException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdempotentRetryTest {

    @Test
    void anIndeterminateFailureIsTriedAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String result = IdempotentRetry.call(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.<String>failedFuture(new IndeterminateOperationStateException("owner left"))
                : CompletableFuture.completedFuture("ok")).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals("ok", result);
        assertEquals(3, calls.get());
    }

    @Test
    void afterTheLastAttemptTheFailureReachesTheCaller() {
        AtomicInteger calls = new AtomicInteger();
        ExecutionException e = assertThrows(ExecutionException.class, () -> IdempotentRetry.call(() -> {
            calls.incrementAndGet();
            return CompletableFuture.<String>failedFuture(new IndeterminateOperationStateException("late backup"));
        }).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(IndeterminateOperationStateException.class, e.getCause());
        assertEquals(IdempotentRetry.MAX_ATTEMPTS, calls.get());
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        ExecutionException e = assertThrows(ExecutionException.class, () -> IdempotentRetry.call(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("bug");
        }).toCompletableFuture().get(10, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals(1, calls.get());
    }
}
