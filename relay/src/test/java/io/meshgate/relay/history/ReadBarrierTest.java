package io.meshgate.relay.history;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Reads are barriers: a read that sees a message completes only after the backup holds it, so no reader is ever
 * shown a message that a failover of the owner could take back.
 */
class ReadBarrierTest {
    /** Holds a backup on the backup member's partition thread until released (same JVM, so a static latch). */
    static final CountDownLatch RELEASE_BACKUP = new CountDownLatch(1);
    static final CountDownLatch BACKUP_STARTED = new CountDownLatch(1);

    @Test
    void aReadDoesNotCompleteBeforeTheBackupHoldsWhatItReturns() throws Exception {
        try (TestRegion region = TestRegion.start(2, HistoryLimits.DEFAULTS)) {
            region.awaitSafe();
            HazelcastInstance a = region.hazelcast(0);
            Member ownerB = region.hazelcast(1).getCluster().getLocalMember();
            String channel = ChannelStoreTest.channelOwnedBy(a, ownerB, "barrier");
            ChannelStore store = region.member(0).store();

            CompletableFuture<Object> slowWrite = a.<String, ChannelState>getMap(ChannelStore.MAP_NAME)
                    .submitToKey(channel, new AppendWithHeldBackup(channel)).toCompletableFuture();
            // The owner (B) has applied the write; its backup (on A) is now held.
            BACKUP_STARTED.await(30, TimeUnit.SECONDS);

            CompletableFuture<Range> read = store.read(channel, 0, 10).toCompletableFuture();
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> !read.isDone() && !slowWrite.isDone());
            assertFalse(read.isDone(), "the read completed while the backup did not yet hold what it saw");

            RELEASE_BACKUP.countDown();
            Range range = read.get(30, TimeUnit.SECONDS);
            assertEquals(1, range.head());
            assertEquals(1, range.messages().size());
            slowWrite.get(30, TimeUnit.SECONDS);
        } finally {
            RELEASE_BACKUP.countDown();
        }
    }

    /** Appends seq 1 on the owner; its backup waits for the test's release before appending on the backup. */
    static final class AppendWithHeldBackup implements EntryProcessor<String, ChannelState, Object> {
        private final String channel;

        AppendWithHeldBackup(String channel) {
            this.channel = channel;
        }

        @Override
        public Object process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue() == null ? new ChannelState("e") : entry.getValue();
            state.append(new Message(channel, "e", state.head() + 1, UUID.randomUUID().toString(), "1",
                    System.currentTimeMillis()), HistoryLimits.DEFAULTS, System.currentTimeMillis());
            entry.setValue(state);
            return null;
        }

        @Override
        public EntryProcessor<String, ChannelState, Object> getBackupProcessor() {
            return new HeldBackup(channel);
        }
    }

    static final class HeldBackup implements EntryProcessor<String, ChannelState, Object> {
        private final String channel;

        HeldBackup(String channel) {
            this.channel = channel;
        }

        @Override
        public Object process(Map.Entry<String, ChannelState> entry) {
            BACKUP_STARTED.countDown();
            try {
                RELEASE_BACKUP.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new AppendWithHeldBackup(channel).process(entry);
        }

        @Override
        public EntryProcessor<String, ChannelState, Object> getBackupProcessor() {
            return null;
        }
    }
}
