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
 * <p>Bounded: at most {@code maxWaiting} publishes wait per channel; beyond, a publish fails at once (nack
 * {@code unavailable}). Thread-safe: each lane is guarded by its own monitor; callers are gRPC and worker threads.
 */
final class PublishLanes {
    private final Links links;
    private final int maxWaiting;
    private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();

    PublishLanes(Links links, int maxWaiting) {
        this.links = links;
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
                MeshLink route = links.route(home);
                if (lane.inFlight == 0 || (lane.via == route && lane.waiting.isEmpty())) {
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

    private void dispatch(Lane lane, Waiting request) {
        links.request(request.home(), request.build()).whenComplete((frame, failure) -> {
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
        java.util.List<Waiting> released = new java.util.ArrayList<>();
        synchronized (lane) {
            lane.inFlight--;
            if (lane.inFlight > 0) {
                return;
            }
            if (lane.waiting.isEmpty()) {
                lane.retired = true;
                lanes.remove(lane.channel, lane);
                return;
            }
            lane.via = null;
            while (!lane.waiting.isEmpty()) {
                Waiting next = lane.waiting.peekFirst();
                MeshLink route = links.route(next.home());
                if (lane.via != null && route != lane.via) {
                    break;
                }
                lane.via = route;
                lane.waiting.removeFirst();
                lane.inFlight++;
                released.add(next);
            }
        }
        released.forEach(next -> dispatch(lane, next));
    }

    private record Waiting(String home, LongFunction<LinkFrame> build, CompletableFuture<LinkFrame> reply) {
    }

    /** One channel's publishes in flight: the path they took, how many, and those waiting for them. */
    private static final class Lane {
        private final String channel;
        private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
        private MeshLink via;
        private int inFlight;
        private boolean retired;

        Lane(String channel) {
            this.channel = channel;
        }
    }
}
