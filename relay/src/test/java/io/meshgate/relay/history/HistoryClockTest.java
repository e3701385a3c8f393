package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.testkit.ManualClock;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static io.meshgate.relay.history.ChannelStoreTest.channelOwnedBy;
import static io.meshgate.relay.history.ChannelStoreTest.join;
import static io.meshgate.relay.history.ChannelStoreTest.localReplica;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * History tells time by the injected clock of the member that owns the channel ({@link HistoryClock}): each member of
 * this two-member region runs its own {@link ManualClock}, so the test moves time past the TTL without waiting, and
 * shows that the owner's clock, not the caller's, stamps messages and expires them, on the backup replica too.
 */
class HistoryClockTest {
    private static final long TTL_MS = 60_000;
    private static final HistoryLimits LIMITS = new HistoryLimits(100, TTL_MS, 8L * 1024 * 1024, 300_000, 100_000);

    @Test
    void theOwnersClockStampsMessagesAndExpiresThemPastTheTtl() {
        ManualClock callerClock = new ManualClock(1_000_000);
        ManualClock ownerClock = new ManualClock(5_000_000);
        try (TestRegion region = TestRegion.start(LIMITS, callerClock, ownerClock)) {
            HazelcastInstance caller = region.hazelcast(0);
            HazelcastInstance owner = region.hazelcast(1);
            String ch = channelOwnedBy(caller, owner.getCluster().getLocalMember(), "clock");
            ChannelStore store = region.member(0).store();

            SequenceResult first = join(store.sequence(ch, List.of(new PublishRequest("m1", "{}"))));
            assertEquals(5_000_000, first.outcomes().get(0).message().ts(), "stamped by the owner's clock");
            ownerClock.advance(TTL_MS / 2);
            join(store.sequence(ch, List.of(new PublishRequest("m2", "{}"))));

            callerClock.advance(10 * TTL_MS);
            assertEquals(List.of(1L, 2L), seqs(join(store.read(ch, 0, 100))),
                    "the caller's clock expires nothing the owner stores");

            ownerClock.advance(TTL_MS / 2 + 1);
            Range expired = join(store.read(ch, 0, 100));
            assertEquals(List.of(2L), seqs(expired), "m1 is past the TTL by the owner's clock");
            assertEquals(1, expired.gapFrom());
            assertEquals(1, expired.gapTo());

            // The next publish trims m1 on the owner, and on the backup (the caller) with the owner's now.
            join(store.sequence(ch, List.of(new PublishRequest("m3", "{}"))));
            assertEquals(2, localReplica(owner, ch).historySize());
            assertEquals(2, localReplica(caller, ch).historySize(), "the backup trims as the owner did");

            ownerClock.advance(TTL_MS + 1);
            Range subscribed = join(store.subscribe(ch, UUID.randomUUID(), 0, 100));
            assertEquals(List.of(), subscribed.messages(), "everything is past the TTL by the owner's clock");
            assertEquals(3, subscribed.head());
        }
    }

    private static List<Long> seqs(Range range) {
        return range.messages().stream().map(Message::seq).toList();
    }
}
