package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.ChannelHead;
import io.meshgate.proto.relay.HeadNotice;
import io.meshgate.proto.relay.LinkFrame;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.meshgate.relay.history.ChannelStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Head notices, one role of the {@link MeshLeader} at a channel's home: once a channel homed here goes quiet, the
 * regions with interest in it are told the head it reached. A region finds a lost delivery by the hole the next
 * one shows, so the loss of a channel's last delivery (a frame dropped by a fault or a full queue, a link that ended
 * with it queued, a conductor that was full) would otherwise stay unseen until the channel's next publish, which
 * may never come; that region's subscribers would wait forever for acknowledged messages. A region that receives a
 * notice compares the head with its own and fetches what it lacks ({@link ReplicaIntake#noticed}).
 *
 * <p>A channel's head is sent in the heartbeat rounds after it was quiet for {@link #QUIET_ROUNDS} whole rounds:
 * in the next two, then 8, 16, 32 and {@link #LAST_ROUND} rounds after its last publish (4, 8, 16 and 32 s with the
 * default 500 ms heartbeat), so a notice dropped by the same fault that dropped the delivery is sent again once the
 * fault is over; then the channel is forgotten until its next publish. Longer faults end with the link down,
 * and the link-up catch-up fetches what was missed. A busy channel costs one map write per sequenced batch and no
 * frames.
 *
 * <p>Bound: at most {@code maxTracked} channels are tracked at once; a channel sequenced while the table is full is
 * not tracked (counted in {@code meshgate.mesh.head_notices.untracked}), and a region that lost its last delivery
 * then catches up at the channel's next publish or link sync, as before notices existed.
 *
 * <p>A region whose interest this region's table had lost (a delta overtaken on a rerouted link, learnt again from
 * the next full interest update) got no deliveries meanwhile: it is sent the heads of those channels at once
 * ({@link #regained}; at most {@link #MAX_REGAINED} channels per update).
 *
 * <p>Threads: {@link #sequenced} on the sequencer's completion threads (a concurrent map); {@link #round} and
 * {@link #regained} on the {@link Conductor} ({@link #regained} sends from a Hazelcast thread once its reads are in;
 * {@link Links#send} is thread-safe).
 */
final class HeadNotices {
    private static final Logger LOG = LoggerFactory.getLogger(HeadNotices.class);
    /** Heartbeat rounds without a publish after which a channel counts as quiet. */
    static final int QUIET_ROUNDS = 2;
    /** Rounds after its last publish when a quiet channel is forgotten (its last notice is sent in this one). */
    static final int LAST_ROUND = 64;
    /** The most channels whose heads one full interest update makes this region read and send. */
    static final int MAX_REGAINED = 10_000;
    /** The most heads one frame carries. */
    static final int MAX_PER_FRAME = 1000;

    /** The last batch sequenced here and how many rounds have passed since it without another. */
    private record Entry(long term, long head, int quietRounds) {
    }

    private final String region;
    private final ChannelStore store;
    private final Homes homes;
    private final Links links;
    private final Function<String, Set<String>> interested;
    private final int maxTracked;
    private final ConcurrentHashMap<String, Entry> recent = new ConcurrentHashMap<>();
    private final Counter sent;
    private final Counter untracked;

    /** @param interested the peer regions with interest in a channel ({@link InterestTable#regionsFor}) */
    HeadNotices(String region, ChannelStore store, Homes homes, Links links,
                Function<String, Set<String>> interested, int maxTracked, MeterRegistry meters) {
        this.region = region;
        this.store = store;
        this.homes = homes;
        this.links = links;
        this.interested = interested;
        this.maxTracked = maxTracked;
        this.sent = meters.counter("meshgate.mesh.head_notices", "direction", "out");
        this.untracked = meters.counter("meshgate.mesh.head_notices.untracked");
    }

    /** The home sequenced {@code channel} up to {@code head} in {@code term}: its quiet time starts over. */
    void sequenced(String channel, long term, long head) {
        if (recent.size() >= maxTracked && !recent.containsKey(channel)) {
            untracked.increment();
            return;
        }
        recent.merge(channel, new Entry(term, head, 0),
                (old, fresh) -> new Entry(Math.max(old.term(), term), Math.max(old.head(), head), 0));
    }

    /** Conductor, every heartbeat round: sends the heads of channels that went quiet to the regions with interest. */
    void round() {
        Map<String, List<ChannelHead>> byRegion = new TreeMap<>();
        // A ConcurrentHashMap's iteration tolerates the removals below and concurrent publishes: no copy needed.
        for (String channel : recent.keySet()) {
            Entry[] due = new Entry[1];
            recent.computeIfPresent(channel, (c, e) -> {
                // Rounds since the last publish; the first one is partial, so more than QUIET_ROUNDS means quiet
                // for at least QUIET_ROUNDS whole rounds.
                int rounds = e.quietRounds() + 1;
                if (noticeDue(rounds)) {
                    due[0] = e;
                }
                return rounds >= LAST_ROUND ? null : new Entry(e.term(), e.head(), rounds);
            });
            if (due[0] != null) {
                addFor(channel, due[0], byRegion);
            }
        }
        byRegion.forEach(this::send);
    }

    /** Whether a notice goes out in the round that ends {@code rounds} rounds after the channel's last publish. */
    static boolean noticeDue(int rounds) {
        return rounds == QUIET_ROUNDS + 1 || rounds == QUIET_ROUNDS + 2
                || (rounds >= 8 && rounds <= LAST_ROUND && Integer.bitCount(rounds) == 1);
    }

    /**
     * Conductor: {@code peer} has interest in {@code channels} that this region's table had lost (it learnt them
     * again from a full interest update), so deliveries to it stopped meanwhile: the heads of those homed here are
     * read and sent to it. Bounded by the peer's interest set.
     */
    void regained(String peer, Collection<String> channels) {
        List<CompletableFuture<ChannelHead>> reads = new ArrayList<>();
        for (String channel : channels) {
            if (reads.size() == MAX_REGAINED) {
                LOG.info("region {} regained interest in more than {} channels at once; the rest catch up at their"
                        + " next publish", peer, MAX_REGAINED);
                break;
            }
            if (homes.home(channel).equals(region)) {
                reads.add(store.read(channel, 0, 0).toCompletableFuture()
                        .thenApply(range -> ChannelHead.newBuilder().setChannel(channel).setTerm(range.term())
                                .setSeq(range.head()).build())
                        .exceptionally(failure -> null));
            }
        }
        if (reads.isEmpty()) {
            return;
        }
        CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenRun(() -> {
            List<ChannelHead> heads = new ArrayList<>();
            for (CompletableFuture<ChannelHead> read : reads) {
                ChannelHead head = read.join();
                if (head != null && head.getSeq() > 0) {
                    heads.add(head);
                }
            }
            if (!heads.isEmpty()) {
                LOG.info("region {} has interest in {} channels homed here that this region had lost track of;"
                        + " their heads are sent to it", peer, heads.size());
                send(peer, heads);
            }
        });
    }

    private void addFor(String channel, Entry entry, Map<String, List<ChannelHead>> byRegion) {
        ChannelHead head = ChannelHead.newBuilder().setChannel(channel).setTerm(entry.term()).setSeq(entry.head())
                .build();
        for (String region : interested.apply(channel)) {
            if (links.reachable(region)) {
                byRegion.computeIfAbsent(region, r -> new ArrayList<>()).add(head);
            }
        }
    }

    /** Sends {@code heads} to {@code region}, in frames of at most {@link #MAX_PER_FRAME}. */
    void send(String region, Collection<ChannelHead> heads) {
        List<ChannelHead> all = List.copyOf(heads);
        for (int from = 0; from < all.size(); from += MAX_PER_FRAME) {
            List<ChannelHead> page = all.subList(from, Math.min(all.size(), from + MAX_PER_FRAME));
            links.send(region, LinkFrame.newBuilder().setHeadNotice(HeadNotice.newBuilder().addAllHeads(page))
                    .build());
            sent.increment(page.size());
        }
    }

    int tracked() {
        return recent.size();
    }
}
