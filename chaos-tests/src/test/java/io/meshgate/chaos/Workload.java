package io.meshgate.chaos;

import io.meshgate.chaos.HistoryChecker.History;
import io.meshgate.chaos.HistoryChecker.Sent;
import io.meshgate.chaos.client.OrderedPublisher;
import io.meshgate.chaos.client.RecordingSubscriber;
import io.meshgate.chaos.client.WindowedPublisher;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;

/**
 * One channel's clients in a scenario, and the clock of what they saw: Java-client publishers (the client retries
 * unacked ids after every reconnect), {@link OrderedPublisher}s (the G6 record), subscribers that resume by position,
 * the arrival time of every ack, and the scenario's marks (fault started, healed, ...).
 *
 * <p>Clients are added and figures read from the test thread; acks are recorded from the clients' threads.
 */
final class Workload implements AutoCloseable {
    private final ChaosMesh mesh;
    private final String channel;
    private final long startNanos = System.nanoTime();
    /** The wall-clock time of {@link #startNanos}, to compare the home's {@code ts} with the ack clock. */
    private final long startEpochMs = System.currentTimeMillis();
    private final StallWatch stallWatch = new StallWatch(startNanos);
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, RecordingSubscriber> subscribers = new LinkedHashMap<>();
    private final Map<String, WindowedPublisher> publishers = new LinkedHashMap<>();
    private final Map<String, OrderedPublisher> ordered = new LinkedHashMap<>();
    /** Every ack as {arrival nanos, seq}, in arrival order. Guarded by itself. */
    private final List<long[]> acks = new ArrayList<>();
    private final Map<String, Long> marks = new LinkedHashMap<>();
    private int issuedTarget;
    private volatile boolean issuingStopped;

    Workload(ChaosMesh mesh, String channel) {
        this.mesh = mesh;
        this.channel = channel;
    }

    /**
     * The clients every scenario has: in each region a subscriber {@code sub-<region>} and a Java-client publisher
     * {@code P<first two letters>} ({@code Pus}, {@code Peu}, {@code Pap}: its ids are {@code Pus-000001}, ...),
     * both kept to their region when {@code pinned}.
     */
    static Workload everyRegion(ChaosMesh mesh, String channel, boolean pinned, int perPublisher, int window,
                                long intervalMs) {
        Workload w = new Workload(mesh, channel);
        ChaosMesh.REGIONS.forEach(r -> w.subscribe("sub-" + r, r, pinned));
        w.awaitSubscribed();
        ChaosMesh.REGIONS.forEach(r -> w.publish(publisherName(r), r, pinned, perPublisher, window, intervalMs));
        return w;
    }

    /** {@code P} and the region's first two letters: {@code Pus}, {@code Peu}, {@code Pap}. */
    static String publisherName(String region) {
        return "P" + region.substring(0, 2);
    }

    /**
     * The end of every scenario: waits up to {@code ackLimit} for every issued publish to be acked, then for every
     * subscriber to reach the highest acked seq (figure {@code finalCatchUpMs}), noting what did not happen.
     */
    void settle(ScenarioReport report, Duration ackLimit) {
        if (!awaitAllAcked(ackLimit)) {
            report.problem("only " + ackedCount() + " of " + expected() + " publishes acked within " + ackLimit);
        }
        long finalCatchUp = catchUpMs(Duration.ofSeconds(60));
        report.figure("finalCatchUpMs", finalCatchUp);
        if (finalCatchUp < 0) {
            StringBuilder where = new StringBuilder();
            subscribers.forEach((name, s) -> where.append(' ').append(name).append('@').append(s.lastSeq()));
            report.problem("a subscriber never reached seq " + highestAcked() + ":" + where);
        }
    }

    String channel() {
        return channel;
    }

    /** A subscriber named {@code name} in {@code region}; {@code pinned}: it resumes only there. */
    RecordingSubscriber subscribe(String name, String region, boolean pinned) {
        RecordingSubscriber s = new RecordingSubscriber(mesh.client(name, region, pinned), channel);
        subscribers.put(name, s);
        return s;
    }

    void awaitSubscribed() {
        await("every subscriber subscribed").atMost(Duration.ofSeconds(30))
                .until(() -> subscribers.values().stream().allMatch(RecordingSubscriber::subscribed));
    }

    /** A Java-client publisher: {@code count} messages, at most {@code window} unacked, one per {@code intervalMs}. */
    WindowedPublisher publish(String name, String region, boolean pinned, int count, int window, long intervalMs) {
        WindowedPublisher p = new WindowedPublisher(mesh.client(name, region, pinned), channel, count, window,
                intervalMs, ack -> ackArrived(ack.seq()));
        publishers.put(name, p);
        issuedTarget += count;
        return p;
    }

    /** A raw-protocol publisher whose per-connection send order is known (G6), over {@code urls} round-robin. */
    OrderedPublisher publishOrdered(String name, List<String> urls, int count, int window, long intervalMs) {
        OrderedPublisher p = new OrderedPublisher(http, urls, mesh.token(), channel, name, count, window, intervalMs,
                (id, seq) -> ackArrived(seq));
        ordered.put(name, p);
        issuedTarget += count;
        return p;
    }

    private void ackArrived(long seq) {
        long now = System.nanoTime();
        synchronized (acks) {
            acks.add(new long[] {now, seq});
        }
    }

    /** Notes that {@code what} happened now, for the report's timeline. */
    void mark(String what) {
        marks.put(what, System.nanoTime());
    }

    Map<String, Long> marksMs() {
        Map<String, Long> ms = new LinkedHashMap<>();
        marks.forEach((what, at) -> ms.put(what, (at - startNanos) / 1_000_000));
        return ms;
    }

    int ackedCount() {
        return acked().size();
    }

    /** Publishes issued so far, over every publisher. */
    int expected() {
        return publishers.values().stream().mapToInt(WindowedPublisher::issued).sum()
                + ordered.values().stream().mapToInt(OrderedPublisher::issued).sum();
    }

    /** Every publisher stops issuing new publishes; what was issued goes on until acked. */
    void stopIssuing() {
        issuingStopped = true;
        publishers.values().forEach(WindowedPublisher::stopIssuing);
        ordered.values().forEach(OrderedPublisher::stopIssuing);
    }

    /** Every publisher issued all it was asked to. */
    boolean allIssued() {
        return issuedTarget <= expected();
    }

    /** Every id acked so far, with its seq, over every publisher. */
    Map<String, Long> acked() {
        Map<String, Long> all = new HashMap<>();
        publishers.values().forEach(p -> all.putAll(p.acked()));
        ordered.values().forEach(p -> all.putAll(p.acked()));
        return all;
    }

    long highestAcked() {
        return acked().values().stream().mapToLong(Long::longValue).max().orElse(0);
    }

    /** Publishes handed to the Java clients and not acked yet (their retry backlog). */
    int backlog() {
        return publishers.values().stream().mapToInt(WindowedPublisher::unacked).sum();
    }

    /** Waits up to {@code limit} until {@code acks} more acks arrived than now; false when they did not. */
    boolean awaitMoreAcks(int acks, Duration limit) {
        int target = ackedCount() + acks;
        try {
            await("%d more acks".formatted(acks)).atMost(limit).pollInterval(Duration.ofMillis(50))
                    .until(() -> ackedCount() >= target);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Waits up to {@code limit} for every publish to be acked; false when some were not. */
    boolean awaitAllAcked(Duration limit) {
        try {
            await("every publish acked").atMost(limit).pollInterval(Duration.ofMillis(200))
                    .until(() -> (issuingStopped || allIssued()) && ackedCount() >= expected());
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Milliseconds until every subscriber holds a message at or past the highest seq acked now, waiting at most
     * {@code limit}; -1 when some subscriber did not get there.
     */
    long catchUpMs(Duration limit) {
        long target = highestAcked();
        long from = System.nanoTime();
        try {
            await("every subscriber at seq " + target).atMost(limit).pollInterval(Duration.ofMillis(20))
                    .until(() -> subscribers.values().stream().allMatch(s -> s.lastSeq() >= target));
            return (System.nanoTime() - from) / 1_000_000;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    /**
     * The longest time between two consecutive acks (of any publisher), and when it began, in ms from the start.
     * While some publish is still unacked, the time since the last ack counts too: a stall that never ended.
     */
    long[] longestAckGap() {
        List<Long> times = ackTimesSorted();
        long longest = 0;
        long at = 0;
        for (int i = 1; i < times.size(); i++) {
            long gap = times.get(i) - times.get(i - 1);
            if (gap > longest) {
                longest = gap;
                at = times.get(i - 1) - startNanos;
            }
        }
        return new long[] {longest / 1_000_000, at / 1_000_000};
    }

    /** Every ack's arrival, sorted; now appended while some publish is unacked (a stall that never ended counts). */
    private List<Long> ackTimesSorted() {
        List<Long> times;
        synchronized (acks) {
            times = new ArrayList<>(acks.stream().map(a -> a[0]).toList());
        }
        if (ackedCount() < expected()) {
            times.add(System.nanoTime());
        }
        times.sort(Long::compare);
        return times;
    }

    /**
     * The longest ack gap that began in each phase of the timeline, in ms: a phase runs from one mark to the next
     * ("start" before the first mark). Tells a reader which step of a scenario (a drain, a restart, a heal) stalled
     * the acks, where {@link #longestAckGap()} only says how long the worst stall was.
     */
    Map<String, Long> longestAckGapByPhase() {
        List<Long> times = ackTimesSorted();
        List<Map.Entry<String, Long>> phases = new ArrayList<>();
        phases.add(Map.entry("start", startNanos));
        phases.addAll(marks.entrySet());
        Map<String, Long> longest = new LinkedHashMap<>();
        phases.forEach(phase -> longest.put(phase.getKey(), 0L));
        int phase = 0;
        for (int i = 1; i < times.size(); i++) {
            long began = times.get(i - 1);
            while (phase + 1 < phases.size() && phases.get(phase + 1).getValue() <= began) {
                phase++;
            }
            long gapMs = (times.get(i) - began) / 1_000_000;
            longest.merge(phases.get(phase).getKey(), gapMs, Long::max);
        }
        return longest;
    }

    /** Per publisher: issued and acked so far. */
    Map<String, String> publisherCounts() {
        Map<String, String> counts = new LinkedHashMap<>();
        publishers.forEach((name, p) -> counts.put(name, p.acked().size() + " of " + p.issued() + " acked"));
        ordered.forEach((name, p) -> counts.put(name, p.ackedCount() + " of " + p.issued() + " acked, "
                + p.connections() + " connection(s)"));
        return counts;
    }

    Map<String, RecordingSubscriber> subscribers() {
        return subscribers;
    }

    /** The checker's verdict over every subscriber's history, every ack and every ordered publisher's record. */
    HistoryChecker.Verdict verdict() {
        List<History> histories = new ArrayList<>();
        subscribers.forEach((name, s) -> histories.add(new History(name, s.received(), s.gaps(), s.reconnects() > 0)));
        List<List<Sent>> g6 = new ArrayList<>();
        ordered.values().forEach(p -> g6.addAll(p.g6Record()));
        return HistoryChecker.analyze(histories, acked(), g6);
    }

    /** Publishes a Java client gave up on (it fails them only when closed or refused for good), by publisher. */
    TreeSet<String> failures() {
        TreeSet<String> all = new TreeSet<>();
        publishers.forEach((name, p) -> p.failures().forEach(f -> all.add(name + ": " + f)));
        return all;
    }

    @Override
    public void close() {
        ordered.values().forEach(OrderedPublisher::close);
        publishers.values().forEach(WindowedPublisher::close);
        subscribers.values().forEach(RecordingSubscriber::close);
        stallWatch.close();
    }

    /**
     * Where the longest ack gap was spent: how many distinct messages the home sequenced inside it (by their
     * {@code ts}, the home's wall clock, which is this machine's). None means nothing reached the sequencer or the
     * sequencer stood still; many means sequencing went on and the acks were held on their way back (durability
     * stores, the reply path).
     */
    long sequencedWithinMs(long fromMs, long toMs) {
        long from = startEpochMs + fromMs;
        long to = startEpochMs + toMs;
        return subscribers.values().stream().flatMap(s -> s.received().stream())
                .filter(m -> m.ts() > from && m.ts() < to).map(m -> m.seq()).distinct().count();
    }

    /**
     * The first {@code count} acks that arrived at or after {@code fromMs} (ms from the start), each as
     * {@code [ackedAtMs, seq, sequencedAtMs, id]}: when it came back, when the home sequenced it (its {@code ts}, read
     * from what the subscribers received; -1 when none did) and the publish's id (which names its publisher). Read
     * after the longest ack gap, it tells where the stall was: acks whose messages were sequenced early in the gap
     * were held on their way back (durability stores, the reply path); messages sequenced only at its end were held
     * before the sequencer.
     */
    List<List<Object>> acksFrom(long fromMs, int count) {
        List<long[]> arrivals;
        synchronized (acks) {
            arrivals = new ArrayList<>(acks);
        }
        arrivals.sort(java.util.Comparator.comparingLong(a -> a[0]));
        Map<Long, Long> tsBySeq = new java.util.HashMap<>();
        subscribers.values().forEach(s -> s.received().forEach(m -> tsBySeq.putIfAbsent(m.seq(), m.ts())));
        Map<Long, String> idBySeq = new java.util.HashMap<>();
        acked().forEach((id, seq) -> idBySeq.putIfAbsent(seq, id));
        List<List<Object>> out = new ArrayList<>();
        for (long[] a : arrivals) {
            long atMs = (a[0] - startNanos) / 1_000_000;
            if (atMs >= fromMs && out.size() < count) {
                Long ts = tsBySeq.get(a[1]);
                out.add(List.of(atMs, a[1], ts == null ? -1 : ts - startEpochMs, idBySeq.getOrDefault(a[1], "?")));
            }
        }
        return out;
    }

    /** Pauses of this (the measuring) JVM, to read an ack gap against. */
    StallWatch stallWatch() {
        return stallWatch;
    }
}
