package io.meshgate.relay.history;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Ack only what survives: a publish whose backup does not ack in time fails (so it is nacked and retried with the
 * same id) instead of completing as if it had been backed up.
 */
class BackupAckTimeoutTest {

    @Test
    void aPublishWhoseBackupIsLateFailsInsteadOfBeingAckedInOneCopy() throws Exception {
        try (TestRegion region = TestRegion.start(2, HistoryLimits.DEFAULTS, 1_000)) {
            HazelcastInstance a = region.hazelcast(0);
            Member ownerB = region.hazelcast(1).getCluster().getLocalMember();
            String channel = ChannelStoreTest.channelOwnedBy(a, ownerB, "late-backup");
            ChannelStore store = region.member(0).store();
            try {
                // Occupy the backup member's (A's) thread for this partition: every backup behind it waits.
                HeldBackups.arm();
                CompletableFuture<Object> holder = a.<String, ChannelState>getMap(ChannelStore.MAP_NAME)
                        .submitToKey(channel, new HeldBackups.Append(channel)).toCompletableFuture();
                HeldBackups.awaitHeld();

                CompletableFuture<SequenceResult> publish = store.sequence(channel,
                        List.of(new PublishRequest("p-1", "1"))).toCompletableFuture();
                ExecutionException failure = assertThrows(ExecutionException.class,
                        () -> publish.get(30, TimeUnit.SECONDS));
                assertInstanceOf(IndeterminateOperationStateException.class, failure.getCause(),
                        "a late backup must fail the publish, not ack it");

                HeldBackups.release();
                holder.handle((v, t) -> null).get(30, TimeUnit.SECONDS);
                // The retry with the same id gets the position the first attempt took: nothing doubled.
                SequenceResult retry = store.sequence(channel, List.of(new PublishRequest("p-1", "1")))
                        .toCompletableFuture().get(30, TimeUnit.SECONDS);
                assertEquals(2, retry.outcomes().get(0).position().seq());
                assertEquals(true, retry.outcomes().get(0).duplicate());
            } finally {
                HeldBackups.release();
            }
        }
    }
}
