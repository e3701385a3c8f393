package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.LinkFrame;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Keeps each channel's forwarded publishes on one path at a time (G6 across reroutes). Publishes of a channel
 * leave this region in the order they were handed over; on one link they also arrive in that order. When the route
 * to the home changes (a link declared down, traffic relayed through a third region) while publishes are still in
 * flight on the old path, later ones wait until every one on the old path is answered (or failed: the link ended,
 * or the request timed out), so a publish on the new path never overtakes one still on the old.
 *
 * <p>A publish for a channel homed here (the route is this region) waits the same way: when the channel has just
 * come home here, publishes still in flight to its previous home are answered before one is sequenced here.
 *
 * <p>Bounded: at most {@code maxWaiting} publishes wait per channel; beyond, a publish fails at once (nack
 * {@code unavailable}). Thread-safe: each lane is guarded by its own monitor; callers are gRPC and worker threads.
 */
final class PublishLanes {
    /** The path of a publish sequenced in this region. */
    private static final Object HERE = new Object();

    private final Links links;
    private final String self;
    private final java.util.function.Function<LinkFrame, CompletableFuture<LinkFrame>> publishHere;
    private final int maxWaiting;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    /**
     * @param self        this region
     * @param publishHere sequences a publish frame in this region and completes with its outcome frame
     */
    PublishLanes(Links links, String self, java.util.function.Function<LinkFrame, CompletableFuture<LinkFrame>>
            publishHere, int maxWaiting) {
        this.links = links;
        this.self = self;
        this.publishHere = publishHere;
        this.maxWaiting = maxWaiting;
    }

    /** Sends a publish for {@code channel} to {@code home}, after any still in flight on another path. */
    CompletableFuture<LinkFrame> send(String home, String channel, LongFunction<LinkFrame> build) {
        CompletableFuture<LinkFrame> reply = new CompletableFuture<>();
        Waiting request = new Waiting(home, build, reply);
        while (true) {
            Lane lane = lanes.computeIfAbsent(channel, Lane::new);
            synchronized (lane) {
                if (lane.retired) {
                    continue;
                }
                Object route = pathTo(home);
                if (!lane.releasing && (lane.inFlight == 0 || (lane.via == route && lane.waiting.isEmpty()))) {
                    lane.via = route;
                    lane.inFlight++;
                } else if (lane.waiting.size() >= maxWaiting) {
                    return CompletableFuture.failedFuture(new MeshUnavailableException(
                            "too many publishes of " + channel + " wait for the path to its home to settle"));
                } else {
                    lane.waiting.addLast(request);
                    return reply;
                }
            }
            dispatch(lane, request);
            return reply;
        }
    }

    private Object pathTo(String home) {
        return home.equals(self) ? HERE : links.route(home);
    }

    private void dispatch(Lane lane, Waiting request) {
        CompletableFuture<LinkFrame> sent;
        try {
            sent = request.home().equals(self) ? publishHere.apply(request.build().apply(0))
                    : links.request(request.home(), request.build());
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((frame, failure) -> {
            if (failure != null) {
                request.reply().completeExceptionally(failure);
            } else {
                request.reply().complete(frame);
            }
            done(lane);
        });
    }

    /** One publish of the lane was answered: when none is left in flight, the waiting ones go on the current path. */
    private void done(Lane lane) {
        synchronized (lane) {
            lane.inFlight--;
            if (lane.inFlight > 0 || lane.releasing) {
                return;
            }
            if (lane.waiting.isEmpty()) {
                lane.retired = true;
                lanes.remove(lane.channel, lane);
                return;
            }
            lane.via = null;
            lane.releasing = true;
        }
        release(lane);
    }

    /**
     * Sends the waiting publishes that share the current path, in order. While it runs, new publishes of the channel
     * queue behind them (so none overtakes one released before it); it repeats for those that queued meanwhile.
     */
    private void release(Lane lane) {
        while (true) {
            java.util.List<Waiting> released = new java.util.ArrayList<>();
            synchronized (lane) {
                while (!lane.waiting.isEmpty()) {
                    Waiting next = lane.waiting.peekFirst();
                    Object route = pathTo(next.home());
                    if (lane.inFlight > 0 && route != lane.via) {
                        break; // the path changed again: the rest waits for these to be answered
                    }
                    lane.via = route;
                    lane.waiting.removeFirst();
                    lane.inFlight++;
                    released.add(next);
                }
                if (released.isEmpty()) {
                    lane.releasing = false;
                    if (lane.inFlight == 0 && lane.waiting.isEmpty()) {
                        lane.retired = true;
                        lanes.remove(lane.channel, lane);
                    }
                    return;
                }
            }
            released.forEach(next -> dispatch(lane, next));
        }
    }

    private record Waiting(String home, LongFunction<LinkFrame> build, CompletableFuture<LinkFrame> reply) {
    }

    /** One channel's publishes in flight: the path they took, how many, and those waiting for them. */
    private static final class Lane {
        private final String channel;
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private Object via;
        private int inFlight;
        private boolean retired;
        /** Waiting publishes are being sent: new ones queue behind them. */
        private boolean releasing;

        Lane(String channel) {
            this.channel = channel;
        }
    }
}
