package io.meshgate.relay.region;

import com.hazelcast.core.IndeterminateOperationStateException;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The start-up writes that failed CI once ("backup acks missed" on a loaded machine) are tried again. */
class IdempotentWriteTest {

    @Test
    void aWriteWhoseBackupAckWasLateIsTriedAgain() {
        AtomicInteger calls = new AtomicInteger();
        IdempotentWrite.run(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IndeterminateOperationStateException("backup acks missed");
            }
        });
        assertEquals(2, calls.get());
    }

    @Test
    void afterTheLastAttemptTheFailureReachesTheCaller() {
        AtomicInteger calls = new AtomicInteger();
        assertThrows(IndeterminateOperationStateException.class, () -> IdempotentWrite.call(() -> {
            calls.incrementAndGet();
            throw new IndeterminateOperationStateException("backup acks missed");
        }));
        assertEquals(IdempotentWrite.MAX_ATTEMPTS, calls.get());
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThrows(IllegalStateException.class, () -> IdempotentWrite.call(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("not a cluster failure");
        }));
        assertEquals(1, calls.get());
    }
}
