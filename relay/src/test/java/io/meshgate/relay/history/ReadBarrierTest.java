package io.meshgate.relay.history;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Reads are barriers: a read that sees a message completes only after the backup holds it, so no reader is ever
 * shown a message that a failover of the owner could take back.
 */
class ReadBarrierTest {
    @Test
    void aReadDoesNotCompleteBeforeTheBackupHoldsWhatItReturns() throws Exception {
        try (TestRegion region = TestRegion.start(2, HistoryLimits.DEFAULTS)) {
            region.awaitSafe();
            HazelcastInstance a = region.hazelcast(0);
            Member ownerB = region.hazelcast(1).getCluster().getLocalMember();
            String channel = ChannelStoreTest.channelOwnedBy(a, ownerB, "barrier");
            ChannelStore store = region.member(0).store();

            HeldBackups.arm();
            CompletableFuture<Object> slowWrite = a.<String, ChannelState>getMap(ChannelStore.MAP_NAME)
                    .submitToKey(channel, new HeldBackups.Append(channel)).toCompletableFuture();
            // The owner (B) has applied the write; its backup (on A) is now held.
            HeldBackups.awaitHeld();

            CompletableFuture<Range> read = store.read(channel, 0, 10).toCompletableFuture();
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> !read.isDone() && !slowWrite.isDone());
            assertFalse(read.isDone(), "the read completed while the backup did not yet hold what it saw");

            HeldBackups.release();
            Range range = read.get(30, TimeUnit.SECONDS);
            assertEquals(1, range.head());
            assertEquals(1, range.messages().size());
            slowWrite.get(30, TimeUnit.SECONDS);
        } finally {
            HeldBackups.release();
        }
    }
}
