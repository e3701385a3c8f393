package io.meshgate.relay.publish;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.LocalDelivery;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Range;
import io.meshgate.relay.history.Sequenced;
import io.meshgate.relay.testkit.TestRegion;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-node batching publisher and region fan-out, on a real two-member region. */
class ChannelSequencerTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private static TestRegion region;
    private static ExecutorService completions;
    private static Recorder deliveredA;
    private static Recorder deliveredB;
    private static RegionFanOut fanOutA;
    private static RegionFanOut fanOutB;
    private static ChannelSequencer sequencerA;
    private static ChannelSequencer sequencerB;

    @BeforeAll
    static void startRegion() {
        region = TestRegion.start(2, HistoryLimits.DEFAULTS);
        completions = Executors.newFixedThreadPool(2);
        deliveredA = new Recorder();
        deliveredB = new Recorder();
        fanOutA = new RegionFanOut(region.hazelcast(0), deliveredA, region.seal(), new SimpleMeterRegistry(),
                Clock.systemUTC());
        fanOutB = new RegionFanOut(region.hazelcast(1), deliveredB, region.seal(), new SimpleMeterRegistry(),
                Clock.systemUTC());
        sequencerA = new ChannelSequencer(region.member(0).store(), fanOutA, completions, 16, 10_000,
                new SimpleMeterRegistry());
        sequencerB = new ChannelSequencer(region.member(1).store(), fanOutB, completions, 16, 10_000,
                new SimpleMeterRegistry());
    }

    @AfterAll
    static void stopRegion() {
        if (fanOutA != null) {
            fanOutA.close();
        }
        if (fanOutB != null) {
            fanOutB.close();
        }
        if (completions != null) {
            completions.shutdownNow();
        }
        if (region != null) {
            region.close();
        }
    }

    private static String channel(String prefix) {
        return prefix + ":" + UUID.randomUUID();
    }

    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("call failed or timed out", e);
        }
    }

    private static PublishRequest request(String id) {
        return new PublishRequest(id, "{\"id\":\"" + id + "\"}");
    }

    private static List<Long> seqsBetween(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static List<Long> seqs(List<Message> messages) {
        return messages.stream().map(Message::seq).toList();
    }

    @Test
    void publishesFromOneThreadAreSequencedInTheOrderSentDespiteConcurrentBatches() throws Exception {
        String ch = channel("order");
        int mine = 300;
        int others = 150;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService publishers = Executors.newFixedThreadPool(3);
        try {
            Future<List<CompletableFuture<Sequenced>>> ordered = publishers.submit(() -> {
                go.await();
                List<CompletableFuture<Sequenced>> futures = new ArrayList<>();
                for (int i = 0; i < mine; i++) {
                    futures.add(sequencerA.publish(ch, request("conn-" + i)));
                }
                return futures;
            });
            Future<List<CompletableFuture<Sequenced>>> sameNode = publishers.submit(() -> {
                go.await();
                List<CompletableFuture<Sequenced>> futures = new ArrayList<>();
                for (int i = 0; i < others; i++) {
                    futures.add(sequencerA.publish(ch, request("other-a-" + i)));
                }
                return futures;
            });
            Future<List<CompletableFuture<Sequenced>>> otherNode = publishers.submit(() -> {
                go.await();
                List<CompletableFuture<Sequenced>> futures = new ArrayList<>();
                for (int i = 0; i < others; i++) {
                    futures.add(sequencerB.publish(ch, request("other-b-" + i)));
                }
                return futures;
            });
            go.countDown();

            List<Long> connectionSeqs = new ArrayList<>();
            for (CompletableFuture<Sequenced> f : ordered.get(1, TimeUnit.MINUTES)) {
                connectionSeqs.add(join(f).position().seq());
            }
            List<Long> all = new ArrayList<>(connectionSeqs);
            for (Future<List<CompletableFuture<Sequenced>>> other : List.of(sameNode, otherNode)) {
                for (CompletableFuture<Sequenced> f : other.get(1, TimeUnit.MINUTES)) {
                    Sequenced s = join(f);
                    assertFalse(s.duplicate());
                    all.add(s.position().seq());
                }
            }

            for (int i = 1; i < connectionSeqs.size(); i++) {
                assertTrue(connectionSeqs.get(i) > connectionSeqs.get(i - 1),
                        "publish " + i + " of one connection got seq " + connectionSeqs.get(i)
                                + " after " + connectionSeqs.get(i - 1) + " (G6)");
            }
            Collections.sort(all);
            assertEquals(seqsBetween(1, mine + 2L * others), all, "every seq exactly once");

            Range stored = join(region.member(1).store().read(ch, 0, 1_000));
            assertEquals(mine + 2L * others, stored.head());
            List<String> connectionIdsInHistory = stored.messages().stream().map(Message::id)
                    .filter(id -> id.startsWith("conn-")).toList();
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < mine; i++) {
                sent.add("conn-" + i);
            }
            assertEquals(sent, connectionIdsInHistory, "history has the connection's messages in send order");
        } finally {
            publishers.shutdownNow();
        }
    }

    @Test
    void aFullQueueRefusesPublishesAtOnceWithoutUsingASeq() throws Exception {
        String ch = channel("bounded");
        ChannelStore store = region.member(0).store();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (GatedExecutor gate = new GatedExecutor()) {
            // One batch in flight whose completion cannot run until the gate opens; at most 3 wait behind it.
            ChannelSequencer sequencer = new ChannelSequencer(store, fanOutA, gate, 10, 3, meters);
            CompletableFuture<Sequenced> p1 = sequencer.publish(ch, request("p1"));
            CompletableFuture<Sequenced> p2 = sequencer.publish(ch, request("p2"));
            CompletableFuture<Sequenced> p3 = sequencer.publish(ch, request("p3"));
            CompletableFuture<Sequenced> p4 = sequencer.publish(ch, request("p4"));
            CompletableFuture<Sequenced> p5 = sequencer.publish(ch, request("p5"));
            CompletableFuture<Sequenced> p6 = sequencer.publish(ch, request("p6"));

            for (CompletableFuture<Sequenced> refused : List.of(p5, p6)) {
                assertTrue(refused.isCompletedExceptionally(), "a publish beyond the bound fails at once");
                ExecutionException e = assertThrows(ExecutionException.class, refused::get);
                assertInstanceOf(SequencerUnavailableException.class, e.getCause());
            }
            assertEquals(2.0, meters.counter("meshgate.publish.queue.overflow").count());
            for (CompletableFuture<Sequenced> waiting : List.of(p1, p2, p3, p4)) {
                assertFalse(waiting.isDone(), "nothing completes before the in-flight batch does");
            }
            // The in-flight batch (p1) is sequenced; the queued ones are not sent yet.
            await().atMost(WAIT).until(() -> join(store.read(ch, 0, 10)).head() == 1);

            gate.open();
            assertEquals(List.of(1L, 2L, 3L, 4L),
                    List.of(p1, p2, p3, p4).stream().map(f -> join(f).position().seq()).toList());
            Range stored = join(store.read(ch, 0, 10));
            assertEquals(4, stored.head(), "the refused publishes used no seq");
            assertEquals(List.of("p1", "p2", "p3", "p4"), stored.messages().stream().map(Message::id).toList());

            // The publisher retries later with the same id: it gets the next seq, once.
            assertEquals(5, join(sequencer.publish(ch, request("p5"))).position().seq());
            assertEquals(5, join(sequencer.publish(ch, request("p5"))).position().seq());

            DistributionSummary batches = meters.get("meshgate.publish.batch.size").summary();
            assertEquals(4, batches.count(), "[p1], [p2 p3 p4] as one batch, [p5], [p5]");
            assertEquals(3.0, batches.max());
            assertEquals(6.0, batches.totalAmount());
        }
    }

    @Test
    void fanOutReachesTheRoutedMembersInSeqOrderAndNobodyElse() {
        String ch = channel("fanout");
        String quiet = channel("quiet");
        String barrier = channel("barrier");
        UUID memberA = region.member(0).memberId();
        UUID memberB = region.member(1).memberId();
        ChannelStore storeA = region.member(0).store();
        ChannelStore storeB = region.member(1).store();

        long head = join(storeB.subscribe(ch, memberB, 0, 0)).head();
        assertEquals(0, head);

        // Published at A, routed to B only.
        List<CompletableFuture<Sequenced>> published = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            published.add(sequencerA.publish(ch, request("m" + i)));
        }
        List<Message> acked = published.stream().map(f -> join(f).message()).toList();
        assertEquals(seqsBetween(1, 50), seqs(acked));

        await("B got every message").atMost(WAIT).until(() -> deliveredB.messages(ch).size() >= 50);
        assertEquals(acked, deliveredB.messages(ch), "B gets exactly the sequenced messages, in seq order");
        deliveredB.deliveries(ch).forEach(ChannelSequencerTest::assertIncreasing);
        // A's own subscribers are served synchronously before the publish completes; A has no route.
        assertEquals(List.of(), deliveredA.messages(ch), "A has no route for the channel and gets nothing");

        // Published at B, which routes to itself: delivered locally before the publish completes.
        Sequenced local = join(sequencerB.publish(ch, request("local")));
        assertEquals(51, local.position().seq());
        List<Message> atB = deliveredB.messages(ch);
        assertEquals(local.message(), atB.get(atB.size() - 1), "an ack follows the start of delivery");

        // Routes move from B to A: B stops receiving, A starts.
        join(storeA.unsubscribe(ch, memberB));
        join(storeA.subscribe(ch, memberA, 0, 0));
        int beforeAtB = deliveredB.messages(ch).size();
        List<Message> later = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            later.add(join(sequencerB.publish(ch, request("later" + i))).message());
        }
        await("A got the later messages").atMost(WAIT).until(() -> deliveredA.messages(ch).size() >= 5);
        assertEquals(later, deliveredA.messages(ch));
        assertEquals(seqsBetween(52, 56), seqs(later));

        // A channel nobody subscribed to, then a channel B subscribed to, from the same publisher: once the
        // second arrives at B, anything sent to B for the first would have arrived before it.
        join(storeB.subscribe(barrier, memberB, 0, 0));
        join(sequencerA.publish(quiet, request("q")));
        join(sequencerA.publish(ch, request("after-unsubscribe")));
        join(sequencerA.publish(barrier, request("b")));
        await("barrier reached B").atMost(WAIT).until(() -> deliveredB.messages(barrier).size() == 1);
        assertEquals(List.of(), deliveredB.messages(quiet));
        assertEquals(List.of(), deliveredA.messages(quiet));
        assertEquals(beforeAtB, deliveredB.messages(ch).size(), "B unsubscribed: nothing more for it");
        assertEquals(List.of("later0", "later1", "later2", "later3", "later4", "after-unsubscribe"),
                deliveredA.messages(ch).stream().map(Message::id).toList());
    }

    @Test
    void aFailingLocalDeliveryNeitherHangsThePublishNorStarvesOtherMembers() {
        String ch = channel("failing-local");
        UUID memberA = region.member(0).memberId();
        UUID memberB = region.member(1).memberId();
        ChannelStore storeA = region.member(0).store();
        join(storeA.subscribe(ch, memberA, 0, 0));
        join(storeA.subscribe(ch, memberB, 0, 0));

        LocalDelivery broken = (channel, messages) -> {
            throw new IllegalStateException("edge is shutting down");
        };
        try (RegionFanOut failing = new RegionFanOut(region.hazelcast(0), broken, region.seal(),
                new SimpleMeterRegistry(), Clock.systemUTC())) {
            ChannelSequencer sequencer = new ChannelSequencer(storeA, failing, completions, 16, 100,
                    new SimpleMeterRegistry());
            // The message is stored on owner and backup: the publisher is acked even though A's own edge failed.
            Sequenced first = join(sequencer.publish(ch, request("x1")));
            assertEquals(1, first.position().seq());
            Sequenced second = join(sequencer.publish(ch, request("x2")));
            assertEquals(2, second.position().seq(), "the channel's queue is not stuck after the failure");
        }
        await("B still got both").atMost(WAIT).until(() -> deliveredB.messages(ch).size() >= 2);
        assertEquals(List.of("x1", "x2"), deliveredB.messages(ch).stream().map(Message::id).toList());
    }

    @Test
    void underRegionDurabilityTheNextBatchIsSequencedWhileTheLastWaitsForStoredAndAllStaysInOrder() {
        String ch = channel("pipelined");
        ChannelStore store = region.member(0).store();
        join(store.subscribe(ch, region.member(0).memberId(), 0, 0));
        AwaitedReplication otherRegion = new AwaitedReplication();
        ChannelSequencer sequencer = new ChannelSequencer(store, fanOutA, otherRegion, completions, 16, 100,
                new SimpleMeterRegistry());

        CompletableFuture<Sequenced> p1 = sequencer.publish(ch, request("a1"));
        await().atMost(WAIT).until(() -> otherRegion.sent.size() == 1);
        CompletableFuture<Sequenced> p2 = sequencer.publish(ch, request("a2"));
        await("a2 is sequenced and sent while a1 still waits for Stored").atMost(WAIT)
                .until(() -> otherRegion.sent.size() == 2);
        assertEquals(List.of(1L), seqs(otherRegion.sent.get(0).messages()));
        assertEquals(List.of(2L), seqs(otherRegion.sent.get(1).messages()));

        // The second batch's Stored comes first: it covers both, but nothing is acked or delivered out of order.
        otherRegion.sent.get(1).stored().complete(2L);
        otherRegion.sent.get(0).stored().complete(1L);
        assertEquals(1, join(p1).position().seq());
        assertEquals(2, join(p2).position().seq());
        await().atMost(WAIT).until(() -> deliveredA.messages(ch).size() == 2);
        assertEquals(List.of("a1", "a2"), deliveredA.messages(ch).stream().map(Message::id).toList());

        // Bounded: at most MAX_AWAITING_STORE batches wait for Stored; the next waits in the queue until one is done.
        List<CompletableFuture<Sequenced>> waiting = new ArrayList<>();
        for (int i = 0; i < ChannelSequencer.MAX_AWAITING_STORE; i++) {
            waiting.add(sequencer.publish(ch, request("b" + i)));
            int expected = 3 + i;
            await().atMost(WAIT).until(() -> otherRegion.sent.size() == expected);
        }
        CompletableFuture<Sequenced> queued = sequencer.publish(ch, request("queued"));
        assertEquals(2 + ChannelSequencer.MAX_AWAITING_STORE, otherRegion.sent.size());
        assertFalse(queued.isDone());
        otherRegion.sent.get(2).stored().complete(3L);
        await("a batch slot freed: the queued publish is sequenced").atMost(WAIT)
                .until(() -> otherRegion.sent.size() == 3 + ChannelSequencer.MAX_AWAITING_STORE);
        long last = 3 + ChannelSequencer.MAX_AWAITING_STORE;
        otherRegion.sent.get(otherRegion.sent.size() - 1).stored().complete(last);
        for (int i = 3; i < otherRegion.sent.size() - 1; i++) {
            otherRegion.sent.get(i).stored().complete(last);
        }
        assertEquals(last, join(queued).position().seq());
        for (int i = 0; i < waiting.size(); i++) {
            assertEquals(3 + i, join(waiting.get(i)).position().seq());
        }
        await().atMost(WAIT).until(() -> deliveredA.messages(ch).size() == last);
        assertEquals(seqsBetween(1, last), seqs(deliveredA.messages(ch)));
    }

    /** Another region that stores a batch only when the test says so. */
    private static final class AwaitedReplication implements Replication {
        record Send(List<Message> messages, CompletableFuture<Long> stored) {
        }

        final List<Send> sent = Collections.synchronizedList(new ArrayList<>());

        @Override
        public boolean awaitsStore(String channel) {
            return true;
        }

        @Override
        public Sent send(String channel, long term, List<Message> messages) {
            Send send = new Send(List.copyOf(messages), new CompletableFuture<>());
            sent.add(send);
            return new Sent(send.stored(), java.util.Set.of("other"));
        }

        @Override
        public void sendToLateInterest(String channel, long term, List<Message> messages,
                                       java.util.Set<String> alreadySentTo) {
        }
    }

    private static void assertIncreasing(List<Message> delivery) {
        for (int i = 1; i < delivery.size(); i++) {
            assertTrue(delivery.get(i).seq() > delivery.get(i - 1).seq(), "one delivery is in seq order");
        }
    }

    /** Records every delivery, per channel, in arrival order. */
    static final class Recorder implements LocalDelivery {
        private final ConcurrentHashMap<String, List<List<Message>>> calls = new ConcurrentHashMap<>();

        @Override
        public void deliver(String channel, List<Message> messages) {
            calls.computeIfAbsent(channel, c -> Collections.synchronizedList(new ArrayList<>()))
                    .add(List.copyOf(messages));
        }

        List<List<Message>> deliveries(String channel) {
            List<List<Message>> list = calls.get(channel);
            if (list == null) {
                return List.of();
            }
            synchronized (list) {
                return List.copyOf(list);
            }
        }

        List<Message> messages(String channel) {
            List<Message> out = new ArrayList<>();
            deliveries(channel).forEach(out::addAll);
            return out;
        }
    }

    /** Runs tasks in order on one thread, but none before {@link #open()}. */
    static final class GatedExecutor implements Executor, AutoCloseable {
        private final CountDownLatch open = new CountDownLatch(1);
        private final ExecutorService runner = Executors.newSingleThreadExecutor();

        @Override
        public void execute(Runnable task) {
            runner.execute(() -> {
                try {
                    open.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                task.run();
            });
        }

        void open() {
            open.countDown();
        }

        @Override
        public void close() {
            open.countDown();
            runner.shutdownNow();
        }
    }
}
