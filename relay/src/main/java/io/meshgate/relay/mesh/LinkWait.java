package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.LinkFrame;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.function.Predicate;

/**
 * Holds this region's publishes for a live region that no link reaches right now, instead of failing them: after a
 * mesh-leader handover (here or at the home) a region stays live while its new leader links (see {@link Liveness},
 * {@code LEAVING}, and a successor starts with its predecessor's view), and failing those publishes at once turned
 * every handover into a burst of {@code nack unavailable}, client backoff and a multi-second ack gap. They go, in
 * the order they came, when the link comes up, when the region leaves the liveness view (then they fail as before)
 * or after {@code waitMs}, whichever is first.
 *
 * <p>Order: while any publish waits for a region, later publishes to it wait behind it, so none overtakes one held
 * here (G6). Bounded: at most {@code maxWaiting} per region; beyond, a publish fails at once (nack unavailable).
 *
 * <p>Threads: confined to the mesh leader's conductor; {@code schedule} must run its task on the conductor.
 */
final class LinkWait {
    private final Predicate<String> routed;
    private final Predicate<String> live;
    private final Scheduler schedule;
    private final long waitMs;
    private final int maxWaiting;
    private final Map<String, ArrayDeque<Held>> held = new HashMap<>();

    /** Runs {@code task} on the conductor after {@code delayMs}. */
    interface Scheduler {
        void after(long delayMs, Runnable task);
    }

    private record Held(Supplier<CompletableFuture<LinkFrame>> send, CompletableFuture<LinkFrame> reply) {
    }

    /**
     * @param routed true while some link (direct or relayed) reaches the region
     * @param live   true while the region is in this region's liveness view
     */
    LinkWait(Predicate<String> routed, Predicate<String> live, Scheduler schedule, long waitMs, int maxWaiting) {
        this.routed = routed;
        this.live = live;
        this.schedule = schedule;
        this.waitMs = waitMs;
        this.maxWaiting = maxWaiting;
    }

    /**
     * Runs {@code send} (the publish to {@code target}, the normal way) now, or holds it while the live target has
     * no link.
     */
    CompletableFuture<LinkFrame> publish(String target, Supplier<CompletableFuture<LinkFrame>> send) {
        ArrayDeque<Held> queue = held.get(target);
        if (queue == null) {
            if (routed.test(target) || !live.test(target)) {
                return send.get();
            }
            queue = new ArrayDeque<>();
            held.put(target, queue);
            ArrayDeque<Held> mine = queue;
            schedule.after(waitMs, () -> {
                if (held.get(target) == mine) {
                    release(target);
                }
            });
        }
        if (queue.size() >= maxWaiting) {
            return CompletableFuture.failedFuture(new MeshUnavailableException(
                    "too many publishes wait for a link to region " + target));
        }
        CompletableFuture<LinkFrame> reply = new CompletableFuture<>();
        queue.addLast(new Held(send, reply));
        return reply;
    }

    /** A link to {@code region} came up, or the liveness view changed: release what no longer has to wait. */
    void changed() {
        for (String target : java.util.List.copyOf(held.keySet())) {
            if (routed.test(target) || !live.test(target)) {
                release(target);
            }
        }
    }

    /** How many publishes are held, for every region. */
    int waiting() {
        return held.values().stream().mapToInt(ArrayDeque::size).sum();
    }

    private void release(String target) {
        ArrayDeque<Held> queue = held.remove(target);
        if (queue == null) {
            return;
        }
        for (Held h : queue) {
            h.send().get().whenComplete((reply, failure) -> {
                if (failure != null) {
                    h.reply().completeExceptionally(failure);
                } else {
                    h.reply().complete(reply);
                }
            });
        }
    }
}
