package io.meshgate.relay.history;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.instance.impl.HazelcastInstanceProxy;
import com.hazelcast.internal.serialization.Data;
import com.hazelcast.map.impl.MapService;
import com.hazelcast.map.impl.record.Record;
import com.hazelcast.map.impl.recordstore.RecordStore;
import com.hazelcast.spi.impl.NodeEngine;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The channel store on a real two-member region (one synchronous backup): sequencing, dedup, routes, reads, and
 * what survives the loss of a member.
 */
class ChannelStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Small history, for gap tests: a second store over the same map with other limits. */
    private static final HistoryLimits SMALL = new HistoryLimits(5, 600_000, 8L * 1024 * 1024, 300_000, 100_000);

    private static TestRegion region;
    private static ChannelStore storeA;
    private static ChannelStore storeB;

    @BeforeAll
    static void startRegion() {
        region = TestRegion.start(2, HistoryLimits.DEFAULTS);
        storeA = region.member(0).store();
        storeB = region.member(1).store();
    }

    @AfterAll
    static void stopRegion() {
        if (region != null) {
            region.close();
        }
    }

    private static String channel(String prefix) {
        return prefix + ":" + UUID.randomUUID();
    }

    static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("store call failed or timed out", e);
        }
    }

    private static List<PublishRequest> requests(String... ids) {
        List<PublishRequest> out = new ArrayList<>();
        for (String id : ids) {
            out.add(new PublishRequest(id, "{\"id\":\"" + id + "\"}"));
        }
        return out;
    }

    private static List<Long> seqs(SequenceResult result) {
        return result.outcomes().stream().map(o -> o.position().seq()).toList();
    }

    private static List<Long> seqs(Range range) {
        return range.messages().stream().map(Message::seq).toList();
    }

    private static List<Long> seqsBetween(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** A channel name whose partition the given member owns. */
    static String channelOwnedBy(HazelcastInstance viewer, Member owner, String prefix) {
        for (int i = 0; i < 10_000; i++) {
            String candidate = prefix + ":" + UUID.randomUUID();
            if (owner.equals(viewer.getPartitionService().getPartition(candidate).getOwner())) {
                return candidate;
            }
        }
        throw new AssertionError("no channel owned by " + owner);
    }

    /**
     * The channel's state as stored in this member's own replica of the key's partition (owner or backup), read
     * from Hazelcast's record store directly. The map's in-memory format is OBJECT, so this is the stored object.
     */
    static ChannelState localReplica(HazelcastInstance hazelcast, String channel) {
        NodeEngine engine = ((HazelcastInstanceProxy) hazelcast).getOriginal().node.getNodeEngine();
        MapService mapService = engine.getService(MapService.SERVICE_NAME);
        int partition = hazelcast.getPartitionService().getPartition(channel).getPartitionId();
        RecordStore<?> records = mapService.getMapServiceContext().getPartitionContainer(partition)
                .getExistingRecordStore(ChannelStore.MAP_NAME);
        if (records == null) {
            return null;
        }
        Data key = engine.getSerializationService().toData(channel);
        Record<?> record = records.getRecord(key);
        if (record == null) {
            return null;
        }
        Object value = record.getValue();
        return value instanceof Data data ? engine.getSerializationService().toObject(data) : (ChannelState) value;
    }

    @Test
    void sequencesABatchContiguouslyInRequestOrder() {
        String ch = channel("batch");
        SequenceResult first = join(storeA.sequence(ch, requests("a", "b", "c", "d", "e")));

        assertEquals(seqsBetween(1, 5), seqs(first));
        List<String> ids = List.of("a", "b", "c", "d", "e");
        for (int i = 0; i < ids.size(); i++) {
            Sequenced outcome = first.outcomes().get(i);
            assertFalse(outcome.duplicate());
            assertEquals(new Position(storeA.regionEpoch(), i + 1), outcome.position());
            Message m = outcome.message();
            assertNotNull(m);
            assertEquals(ch, m.channel());
            assertEquals(ids.get(i), m.id());
            assertEquals("{\"id\":\"" + ids.get(i) + "\"}", m.dataJson());
            assertEquals(outcome.position(), m.position());
            assertTrue(m.ts() > 0);
        }
        assertEquals(1, first.outcomes().stream().map(o -> o.message().ts()).distinct().count(),
                "one batch is sequenced in one step, with one timestamp");
        assertEquals(Set.of(), first.routes());

        // The other member continues the same sequence, with the same (region-wide) epoch.
        assertEquals(storeA.regionEpoch(), storeB.regionEpoch());
        SequenceResult second = join(storeB.sequence(ch, requests("f", "g", "h")));
        assertEquals(seqsBetween(6, 8), seqs(second));
        assertTrue(second.outcomes().stream().allMatch(o -> o.position().epoch().equals(storeA.regionEpoch())));

        Range all = join(storeA.read(ch, 0, 100));
        assertEquals(8, all.head());
        assertEquals(seqsBetween(1, 8), seqs(all));
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g", "h"),
                all.messages().stream().map(Message::id).toList());
        assertEquals(first.outcomes().get(0).message(), all.messages().get(0), "history holds what was acked");
    }

    @Test
    void republishingAnIdReturnsItsOriginalPositionAndUsesNoSeq() {
        String ch = channel("dedup");
        SequenceResult first = join(storeA.sequence(ch, requests("a", "b", "c")));

        // Again in a later batch, from the other member, next to a new id.
        SequenceResult again = join(storeB.sequence(ch, requests("b", "d")));
        Sequenced b = again.outcomes().get(0);
        assertTrue(b.duplicate());
        assertEquals(first.outcomes().get(1).position(), b.position());
        assertEquals(first.outcomes().get(1).message(), b.message(), "the original message, ts included");
        Sequenced d = again.outcomes().get(1);
        assertFalse(d.duplicate());
        assertEquals(4, d.position().seq());

        // Twice within one batch: the second is a duplicate of the first.
        SequenceResult withinBatch = join(storeA.sequence(ch, requests("e", "e", "f", "a")));
        assertEquals(List.of(5L, 5L, 6L, 1L), seqs(withinBatch));
        assertEquals(List.of(false, true, false, true),
                withinBatch.outcomes().stream().map(Sequenced::duplicate).toList());
        assertEquals(withinBatch.outcomes().get(0).message(), withinBatch.outcomes().get(1).message());

        // Only duplicates: nothing changes.
        SequenceResult onlyDuplicates = join(storeB.sequence(ch, requests("c", "f")));
        assertEquals(List.of(3L, 6L), seqs(onlyDuplicates));
        assertTrue(onlyDuplicates.outcomes().stream().allMatch(Sequenced::duplicate));

        Range all = join(storeA.read(ch, 0, 100));
        assertEquals(6, all.head());
        assertEquals(List.of("a", "b", "c", "d", "e", "f"), all.messages().stream().map(Message::id).toList());
    }

    @Test
    void subscribeAddsARouteAtomicallyWithTheHeadAndUnsubscribeRemovesIt() {
        String ch = channel("routes");
        UUID memberA = region.member(0).memberId();
        UUID memberB = region.member(1).memberId();

        Range empty = join(storeA.subscribe(ch, memberB, 0, 0));
        assertEquals(0, empty.head());
        assertEquals(storeA.regionEpoch(), empty.epoch());
        assertFalse(empty.hasGap());

        SequenceResult first = join(storeA.sequence(ch, requests("a", "b", "c")));
        assertEquals(Set.of(memberB), first.routes(), "a route added before sequencing is in the snapshot");

        Range subscribed = join(storeB.subscribe(ch, memberA, 1, 10));
        assertEquals(3, subscribed.head());
        assertEquals(storeA.regionEpoch(), subscribed.epoch());
        assertEquals(List.of(2L, 3L), seqs(subscribed), "subscribe reads after the given seq in the same step");

        assertEquals(Set.of(memberA, memberB), join(storeB.sequence(ch, requests("d"))).routes());

        Range unsubscribed = join(storeA.unsubscribe(ch, memberB));
        assertEquals(4, unsubscribed.head());
        assertEquals(Set.of(memberA), join(storeA.sequence(ch, requests("e"))).routes());

        // Duplicates report the routes too, so a re-sent message reaches current subscribers.
        assertEquals(Set.of(memberA), join(storeA.sequence(ch, requests("a"))).routes());

        join(storeA.unsubscribe(ch, memberA));
        assertEquals(Set.of(), join(storeA.sequence(ch, requests("f"))).routes());

        // Unsubscribing from a channel that has no state creates none.
        String never = channel("never");
        Range none = join(storeA.unsubscribe(never, memberA));
        assertEquals(0, none.head());
        assertNull(localReplica(region.hazelcast(0), never));
        assertNull(localReplica(region.hazelcast(1), never));
    }

    @Test
    void readsRangesAndReportsGaps() {
        String ch = channel("ranges");
        ChannelStore small = new ChannelStore(region.hazelcast(0), SMALL, storeA.regionEpoch());
        join(small.sequence(ch, requests("m1", "m2", "m3", "m4", "m5", "m6")));
        join(small.sequence(ch, requests("m7", "m8", "m9", "m10", "m11", "m12"))); // holds 8..12

        Range fromStart = join(storeB.read(ch, 0, 100));
        assertEquals(12, fromStart.head());
        assertEquals(storeA.regionEpoch(), fromStart.epoch());
        assertEquals(1, fromStart.gapFrom());
        assertEquals(7, fromStart.gapTo());
        assertEquals(seqsBetween(8, 12), seqs(fromStart));

        Range middle = join(storeB.read(ch, 9, 2));
        assertFalse(middle.hasGap());
        assertEquals(List.of(10L, 11L), seqs(middle));

        Range atHead = join(storeA.read(ch, 12, 100));
        assertFalse(atHead.hasGap());
        assertEquals(List.of(), atHead.messages());
        assertEquals(12, atHead.head());

        Range negative = join(storeA.read(ch, -5, 100));
        assertEquals(1, negative.gapFrom(), "a negative start reads from the beginning");
        assertEquals(7, negative.gapTo());

        Range unknown = join(storeA.read(channel("unknown"), 0, 100));
        assertEquals(0, unknown.head());
        assertEquals(List.of(), unknown.messages());
        assertFalse(unknown.hasGap());
    }

    @Test
    void concurrentSequencingFromBothMembersYieldsEverySeqOnce() throws Exception {
        String ch = channel("concurrent");
        int threads = 4;
        int perThread = 250;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Sequenced>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                ChannelStore store = t % 2 == 0 ? storeA : storeB;
                String publisher = "p" + t;
                results.add(pool.submit(() -> {
                    List<Sequenced> mine = new ArrayList<>();
                    int sent = 0;
                    while (sent < perThread) {
                        int size = Math.min(perThread - sent, 1 + ThreadLocalRandom.current().nextInt(5));
                        List<PublishRequest> batch = new ArrayList<>();
                        for (int i = 0; i < size; i++) {
                            batch.add(new PublishRequest(publisher + "-" + (sent + i), "{}"));
                        }
                        mine.addAll(join(store.sequence(ch, batch)).outcomes());
                        sent += size;
                    }
                    return mine;
                }));
            }
            List<Long> all = new ArrayList<>();
            Map<String, Long> seqOfId = new HashMap<>();
            for (Future<List<Sequenced>> result : results) {
                List<Sequenced> mine = result.get(2, TimeUnit.MINUTES);
                assertEquals(perThread, mine.size());
                long previous = 0;
                for (Sequenced s : mine) {
                    assertFalse(s.duplicate());
                    assertTrue(s.position().seq() > previous, "one publisher's seqs grow in its send order");
                    previous = s.position().seq();
                    all.add(s.position().seq());
                    seqOfId.put(s.message().id(), s.position().seq());
                }
            }
            Collections.sort(all);
            assertEquals(seqsBetween(1, threads * perThread), all, "every seq exactly once, no holes");

            Range stored = join(storeA.read(ch, 0, 2_000));
            assertEquals(threads * perThread, stored.head());
            assertEquals(seqsBetween(1, threads * perThread), seqs(stored));
            for (Message m : stored.messages()) {
                assertEquals(seqOfId.get(m.id()), m.seq(), "history agrees with the acks for " + m.id());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theBackupReplicaHoldsExactlyWhatTheOwnerHolds() {
        HazelcastInstance a = region.hazelcast(0);
        HazelcastInstance b = region.hazelcast(1);
        Member ownerB = b.getCluster().getLocalMember();
        String ch = channelOwnedBy(a, ownerB, "backup");
        UUID subscriber = UUID.randomUUID();

        // Through A (the backup holder); the owner is B.
        join(storeA.sequence(ch, requests("a", "b", "c")));
        join(storeA.subscribe(ch, subscriber, 0, 0));
        join(storeA.sequence(ch, requests("b", "d", "d", "e")));
        join(storeB.sequence(ch, requests("f")));
        ChannelStore small = new ChannelStore(a, SMALL, storeA.regionEpoch());
        join(small.sequence(ch, requests("g", "h"))); // trims the history to 5 on owner and backup alike

        ChannelState owner = localReplica(b, ch);
        ChannelState backup = localReplica(a, ch);
        assertNotNull(owner, "owner B holds the channel");
        assertNotNull(backup, "A holds a backup replica of the channel, kept by the backup processors");
        assertEquals(ownerB, a.getPartitionService().getPartition(ch).getOwner(), "B still owns the channel");
        assertTrue(owner != backup, "two replicas, not one shared object");

        assertEquals(8, owner.head());
        assertEquals(owner.epoch(), backup.epoch());
        assertEquals(owner.head(), backup.head());
        assertEquals(5, owner.historySize());
        assertEquals(owner.historySize(), backup.historySize());
        long now = System.currentTimeMillis();
        Range ownerRange = owner.read(0, 100, SMALL.ttlMs(), now);
        Range backupRange = backup.read(0, 100, SMALL.ttlMs(), now);
        assertEquals(seqsBetween(4, 8), seqs(ownerRange));
        assertEquals(ownerRange, backupRange, "same messages (ts included), same gap");
        for (String id : List.of("a", "b", "c", "d", "e", "f", "g", "h")) {
            assertEquals(owner.positionOf(id), backup.positionOf(id), "dedup memory of " + id);
            assertNotNull(backup.positionOf(id));
        }
        assertEquals(Set.of(subscriber), owner.routes());
        assertEquals(owner.routes(), backup.routes(), "routes are backed up too");

        join(storeA.unsubscribe(ch, subscriber));
        assertEquals(Set.of(), localReplica(a, ch).routes(), "route removal reaches the backup");
    }

    @Test
    void theRetentionFloorKeepsALaggingRegionsMessagesOnOwnerAndBackupAlike() {
        HazelcastInstance a = region.hazelcast(0);
        HazelcastInstance b = region.hazelcast(1);
        String ch = channelOwnedBy(a, b.getCluster().getLocalMember(), "retain");
        ChannelStore small = new ChannelStore(a, SMALL.withMaxRetainedMessages(8), storeA.regionEpoch());
        long none = ChannelState.NO_RETENTION_FLOOR;
        join(small.sequence(ch, requests("a", "b"), true, null, none));
        // A peer region stored up to 2 and fell behind: the next publishes keep 3.. beyond maxMessages (5).
        SequenceResult kept = join(small.sequence(ch, requests("c", "d", "e", "f", "g", "h", "i"), true, null, 2));
        assertEquals(0, kept.retentionOverflow());
        for (ChannelState replica : List.of(localReplica(b, ch), localReplica(a, ch))) {
            assertEquals(2, replica.retentionFloor());
            assertEquals(seqsBetween(3, 9), seqs(replica.read(2, 100, SMALL.ttlMs(), System.currentTimeMillis())),
                    "owner and backup keep what the lagging region needs");
        }
        assertEquals(seqsBetween(3, 9), seqs(join(storeB.read(ch, 2, 100))), "and serve it");

        // Past history.maxRetainedMessages (8) it trims anyway and says how many needed messages went.
        SequenceResult over = join(small.sequence(ch, requests("j", "k"), true, null, 2));
        assertEquals(1, over.retentionOverflow());
        assertEquals(seqsBetween(4, 11), seqs(join(storeB.read(ch, 0, 100))));

        // Nobody lags any more: back to history.maxMessages on both replicas.
        join(small.sequence(ch, requests("l"), true, null, none));
        assertEquals(5, localReplica(b, ch).historySize());
        assertEquals(5, localReplica(a, ch).historySize());
    }

    @Test
    void acknowledgedMessagesSurviveTheLossOfTheirOwner() {
        try (TestRegion own = TestRegion.start(2, HistoryLimits.DEFAULTS)) {
            HazelcastInstance a = own.hazelcast(0);
            HazelcastInstance b = own.hazelcast(1);
            ChannelStore viaA = own.member(0).store();
            Member ownerB = b.getCluster().getLocalMember();
            UUID subscriber = UUID.randomUUID();

            Map<String, List<Sequenced>> acked = new HashMap<>();
            for (int c = 0; c < 4; c++) {
                String ch = channelOwnedBy(a, ownerB, "durable" + c);
                List<Sequenced> outcomes = new ArrayList<>();
                for (int batch = 0; batch < 5; batch++) {
                    List<PublishRequest> requests = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        requests.add(new PublishRequest(ch + "#" + (batch * 4 + i), "{\"b\":" + batch + "}"));
                    }
                    outcomes.addAll(join(viaA.sequence(ch, requests)).outcomes());
                }
                join(viaA.subscribe(ch, subscriber, 0, 0));
                acked.put(ch, outcomes);
            }
            for (List<Sequenced> outcomes : acked.values()) {
                assertEquals(seqsBetween(1, 20), outcomes.stream().map(s -> s.position().seq()).toList());
            }

            own.terminate(1);
            await("A alone").atMost(WAIT).until(() -> own.member(0).clusterSize() == 1);

            for (Map.Entry<String, List<Sequenced>> entry : acked.entrySet()) {
                String ch = entry.getKey();
                List<Sequenced> outcomes = entry.getValue();
                String epoch = outcomes.get(0).position().epoch();

                Range after = join(viaA.read(ch, 0, 100));
                assertEquals(20, after.head(), ch);
                assertEquals(epoch, after.epoch(), ch);
                assertFalse(after.hasGap(), ch);
                assertEquals(outcomes.stream().map(Sequenced::message).toList(), after.messages(),
                        "every acked message with its position, id, data and ts: " + ch);

                SequenceResult next = join(viaA.sequence(ch, List.of(new PublishRequest(ch + "#new",
                        "{}"), new PublishRequest(ch + "#3", "{}"))));
                assertEquals(new Position(epoch, 21), next.outcomes().get(0).position(),
                        "the sequence continues at head + 1 with the same epoch");
                assertEquals(outcomes.get(3).position(), next.outcomes().get(1).position(),
                        "dedup memory survived the failover (G4)");
                assertTrue(next.outcomes().get(1).duplicate());
                assertEquals(Set.of(subscriber), next.routes(), "routes survived the failover");
            }
        }
    }

    @Test
    void storesOfOneRegionAgreeOnTheEpoch() {
        assertEquals(storeA.regionEpoch(), storeB.regionEpoch());
        assertFalse(storeA.regionEpoch().isEmpty());
        Set<String> epochs = new HashSet<>();
        String ch = channel("epoch");
        epochs.add(join(storeA.subscribe(ch, UUID.randomUUID(), 0, 0)).epoch());
        epochs.add(join(storeB.sequence(ch, requests("x"))).outcomes().get(0).position().epoch());
        assertEquals(Set.of(storeA.regionEpoch()), epochs);
    }
}
