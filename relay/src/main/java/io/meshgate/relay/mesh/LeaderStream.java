package io.meshgate.relay.mesh;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's pipelined path to its region's mesh leader on another node: one {@code ForwardStream} call that carries
 * this node's publishes in the order they were sent, so a channel's publishes reach the leader in that order (G6)
 * without one waiting for the answer to the one before (the unary {@code Forward} allowed one per channel at a time,
 * which capped a non-leader node at one home round trip per publish).
 *
 * <p>Ends for good (and fails every unanswered request with {@link MeshUnavailableException}, which the publisher
 * sees as {@code nack unavailable} and retries by id) when the call fails or completes, when a request stays
 * unanswered for {@code timeoutMs} (a stuck leader is treated like a lost one), or on {@link #close}. The mesh then
 * opens a new stream for the next publish, after everything sent on this one is answered or failed.
 *
 * <p>Bounded: at most {@code maxPending} requests wait for their answer; beyond, {@link #send} fails at once.
 *
 * <p>Threads: {@link #send} from any thread (Undertow I/O and worker threads, publish completions), serialized on
 * this object's monitor because a gRPC request observer is not thread-safe; answers arrive on a gRPC thread; the
 * timeouts run on the relay timer.
 */
final class LeaderStream {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderStream.class);

    private final UUID leader;
    private final String address;
    private final ScheduledExecutorService timer;
    private final long timeoutMs;
    private final int maxPending;
    /** Guarded by this. */
    private final Map<Long, CompletableFuture<LinkFrame>> pending = new java.util.HashMap<>();
    /** Guarded by this. */
    private long lastId;
    /** Guarded by this; null until the call is open, and again once ended. */
    private StreamObserver<LinkFrame> requests;
    /** Guarded by this: set once, by {@link #end}. */
    private boolean ended;

    /**
     * Opens the call at once (nothing is sent until the first request).
     *
     * @param leader  the Hazelcast member that held the leadership when the stream was opened
     * @param address its relay address, {@code host:port}
     */
    LeaderStream(UUID leader, String address, ManagedChannel channel, ScheduledExecutorService timer, long timeoutMs,
                 int maxPending) {
        this.leader = leader;
        this.address = address;
        this.timer = timer;
        this.timeoutMs = timeoutMs;
        this.maxPending = maxPending;
        StreamObserver<LinkFrame> out = RelayGrpc.newStub(channel).forwardStream(new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame answer) {
                answered(answer);
            }

            @Override
            public void onError(Throwable t) {
                end("the call failed: " + io.grpc.Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                end("the leader ended the call");
            }
        });
        synchronized (this) {
            // The call may already have failed (its observer ran end() before this): then it stays ended.
            if (!ended) {
                requests = out;
                return;
            }
        }
        out.onCompleted();
    }

    UUID leader() {
        return leader;
    }

    String address() {
        return address;
    }

    /** False once the stream ended; a new one must be opened then. */
    synchronized boolean open() {
        return requests != null;
    }

    /** Sends {@code frame} behind everything sent before on this stream; completes with the leader's answer. */
    CompletableFuture<LinkFrame> send(LinkFrame frame) {
        CompletableFuture<LinkFrame> answer = new CompletableFuture<>();
        long id;
        synchronized (this) {
            if (requests == null) {
                return CompletableFuture.failedFuture(new MeshUnavailableException(
                        "the stream to the region's mesh leader has ended"));
            }
            if (pending.size() >= maxPending) {
                return CompletableFuture.failedFuture(new MeshUnavailableException(
                        "too many publishes wait for the region's mesh leader"));
            }
            id = ++lastId;
            pending.put(id, answer);
            requests.onNext(frame.toBuilder().setForwardId(id).build());
        }
        timer.schedule(() -> {
            if (!answer.isDone()) {
                end("a request went unanswered for " + timeoutMs + " ms");
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        return answer;
    }

    private void answered(LinkFrame answer) {
        CompletableFuture<LinkFrame> waiting;
        synchronized (this) {
            waiting = pending.remove(answer.getForwardId());
        }
        if (waiting == null) {
            return;
        }
        if (!answer.getForwardError().isEmpty()) {
            waiting.completeExceptionally(new MeshUnavailableException(answer.getForwardError()));
        } else {
            waiting.complete(answer.toBuilder().clearForwardId().build());
        }
    }

    /** Ends the stream and fails whatever still waits; the next publish opens a new one. */
    void close() {
        end("closed");
    }

    private void end(String why) {
        List<CompletableFuture<LinkFrame>> failed;
        StreamObserver<LinkFrame> out;
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            out = requests;
            requests = null;
            failed = new ArrayList<>(pending.values());
            pending.clear();
        }
        if (out != null) {
            LOG.info("forward stream to the mesh leader at {} ended: {}; {} request(s) failed", address, why,
                    failed.size());
            try {
                out.onError(io.grpc.Status.CANCELLED.withDescription(why).asRuntimeException());
            } catch (RuntimeException alreadyEnded) {
                LOG.debug("forward stream was already closed: {}", alreadyEnded.toString());
            }
        }
        MeshUnavailableException e = new MeshUnavailableException("the stream to the region's mesh leader ended: "
                + why);
        failed.forEach(f -> f.completeExceptionally(e));
    }
}
