package io.meshgate.relay.mesh;

import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.ChannelCredentials;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.link.MeshEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps one link to a peer region dialed: tries the region's nodes in turn (only its leader accepts), and
 * reconnects with Resilience4j Retry, exponential backoff with jitter, whenever the link ends. Never gives up while
 * the leader runs.
 */
final class LinkDialer {
    private static final Logger LOG = LoggerFactory.getLogger(LinkDialer.class);

    interface Callbacks {
        MeshLink established(String peerRegion, String peerNode, ClientCallStreamObserver<LinkFrame> out);

        void onFrame(MeshLink link, LinkFrame frame);

        void closed(MeshLink link, Throwable cause);
    }

    /**
     * The longest an attempt waits for its connect attempt to end before starting the call anyway (a state change
     * missed between two looks would otherwise hold a dead node's attempt for the handshake timeout).
     */
    private static final long CONNECT_WAIT_MS = 1000;

    private final String peer;
    private final List<PeerAddress> addresses;
    private final ChannelCredentials credentials;
    private final ScheduledExecutorService timer;
    private final LinkFrame hello;
    private final Callbacks callbacks;
    private final long handshakeTimeoutMs;
    private final Retry retry;
    private final ConcurrentHashMap<PeerAddress, ManagedChannel> channels = new ConcurrentHashMap<>();
    private int nextAddress;
    /** Failed attempts of the current dial round: the first few are logged at INFO (why a link is slow to return). */
    private final java.util.concurrent.atomic.AtomicInteger failedAttempts =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean stopped;

    LinkDialer(String peer, List<PeerAddress> addresses, MeshSettings settings, ChannelCredentials credentials,
               ScheduledExecutorService timer, Hello hello, Callbacks callbacks) {
        this.peer = peer;
        this.addresses = List.copyOf(addresses);
        this.credentials = credentials;
        this.timer = timer;
        this.hello = LinkFrame.newBuilder().setHello(hello).setOrigin(hello.getRegion()).build();
        this.callbacks = callbacks;
        this.handshakeTimeoutMs = settings.requestTimeoutMs();
        this.retry = Retry.of("mesh-dial-" + peer, RetryConfig.<MeshLink>custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5,
                        Duration.ofMillis(Math.max(200, settings.reconnectMaxMs()))))
                .retryOnException(e -> !stopped)
                .build());
    }

    void start() {
        dial();
    }

    /**
     * Keeps a connection open to every configured node of the peer region, not only its leader, so that a redial
     * after a leader handover starts its call at once instead of after a TCP and HTTP/2 handshake with the new
     * leader (on a busy machine a link attempt to a node not connected before took 0.6-2.7 s). Only asks gRPC to
     * connect; never blocks. Called every heartbeat round, on the conductor.
     */
    synchronized void keepConnected() {
        if (stopped) {
            return;
        }
        for (PeerAddress address : addresses) {
            ManagedChannel channel = channel(address);
            if (channel.getState(true) == ConnectivityState.TRANSIENT_FAILURE) {
                // A node that was down (restarting) for a while would otherwise be retried by gRPC's own backoff,
                // which grows past a minute: the standby connection to it would still be down when it becomes its
                // region's leader. Retried every round instead (a refused connect costs next to nothing).
                channel.resetConnectBackoff();
            }
        }
    }

    private ManagedChannel channel(PeerAddress address) {
        return channels.computeIfAbsent(address, a ->
                Grpc.newChannelBuilderForAddress(a.host(), a.port(), credentials).build());
    }

    /** The link ended: dial again (with backoff from the first attempt on). */
    void redial() {
        if (!stopped) {
            timer.schedule(this::dial, 100, TimeUnit.MILLISECONDS);
        }
    }

    private void dial() {
        if (stopped) {
            return;
        }
        failedAttempts.set(0);
        retry.executeCompletionStage(timer, this::attempt).whenComplete((link, failure) -> {
            if (failure != null && !stopped) {
                LOG.warn("dialing region {} stopped: {}; starting over", peer, failure.toString());
                timer.schedule(this::dial, 1, TimeUnit.SECONDS);
            } else if (link != null) {
                LOG.info("mesh link to region {} (node {}) is open", peer, link.peerNode());
            }
        });
    }

    /**
     * The next attempt goes to {@code address} ({@code host:port}) when it is one of the region's configured
     * addresses: a leaving leader named its successor, so the redial need not try the nodes in turn.
     */
    synchronized void tryFirst(String address) {
        for (int i = 0; i < addresses.size(); i++) {
            if (addresses.get(i).toString().equals(address)) {
                nextAddress = i;
                LOG.info("region {} named its new mesh leader at {}: dialing it first", peer, address);
                return;
            }
        }
        LOG.info("region {} named its new mesh leader at {}, which is not among its configured addresses {}: dialing"
                + " them in turn", peer, address, addresses);
    }

    private synchronized PeerAddress nextAddress() {
        PeerAddress address = addresses.get(nextAddress % addresses.size());
        nextAddress++;
        return address;
    }

    private CompletionStage<MeshLink> attempt() {
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped"));
        }
        PeerAddress address = nextAddress();
        ManagedChannel channel = channel(address);
        // This dialer paces its attempts itself; gRPC's own reconnect backoff for an address that failed before
        // (a node that was restarting) would hold this attempt back by up to seconds more.
        channel.resetConnectBackoff();
        // A call started while the channel is in TRANSIENT_FAILURE fails at once with the old connect error, even
        // though the reset above has it connecting again (links to a new leader failed that way 4 times in 2 s in
        // a rolling drain): the call starts once this connect attempt has ended, either way.
        return connectAttemptEnded(channel).thenCompose(ignored -> call(address, channel));
    }

    /**
     * Completes when {@code channel} is READY, or has failed a connect attempt begun after this call, or after at
     * most {@link #CONNECT_WAIT_MS}: never fails. Watches the channel's state through gRPC's state-change callbacks.
     * A call started after the bound while the channel is still CONNECTING waits for the connection in gRPC.
     */
    private CompletableFuture<Void> connectAttemptEnded(ManagedChannel channel) {
        CompletableFuture<Void> ended = new CompletableFuture<>();
        watch(channel, channel.getState(true), false, ended);
        timer.schedule(() -> ended.complete(null), Math.min(handshakeTimeoutMs, CONNECT_WAIT_MS),
                TimeUnit.MILLISECONDS);
        return ended;
    }

    private void watch(ManagedChannel channel, ConnectivityState state, boolean sawConnecting,
                       CompletableFuture<Void> ended) {
        boolean connecting = sawConnecting || state == ConnectivityState.CONNECTING;
        if (ended.isDone() || stopped || state == ConnectivityState.READY || state == ConnectivityState.SHUTDOWN
                || (state == ConnectivityState.TRANSIENT_FAILURE && sawConnecting)) {
            ended.complete(null);
            return;
        }
        channel.notifyWhenStateChanged(state, () -> watch(channel, channel.getState(false), connecting, ended));
    }

    private CompletionStage<MeshLink> call(PeerAddress address, ManagedChannel channel) {
        if (stopped) {
            return CompletableFuture.failedFuture(new IllegalStateException("stopped"));
        }
        CompletableFuture<MeshLink> established = new CompletableFuture<>();
        ClientResponseObserver<LinkFrame, LinkFrame> responses = new ClientResponseObserver<>() {
            private ClientCallStreamObserver<LinkFrame> out;
            private volatile MeshLink link;

            @Override
            public void beforeStart(ClientCallStreamObserver<LinkFrame> requestStream) {
                this.out = requestStream;
                requestStream.setOnReadyHandler(() -> {
                    MeshLink l = link;
                    if (l != null) {
                        l.drain();
                    }
                });
            }

            @Override
            public void onNext(LinkFrame frame) {
                MeshLink l = link;
                if (l != null) {
                    callbacks.onFrame(l, frame);
                } else if (frame.hasHello() && frame.getHello().getRegion().equals(peer)) {
                    if (established.isDone()) {
                        out.cancel("hello came after the attempt timed out", null);
                        return;
                    }
                    if (frame.getHello().getProtocol() != MeshEndpoint.LINK_PROTOCOL) {
                        // The same field numbers would mean other things: no link rather than misread frames.
                        established.completeExceptionally(new MeshUnavailableException("region " + peer
                                + " speaks link protocol " + Integer.toUnsignedString(frame.getHello().getProtocol())
                                + "; this node speaks " + MeshEndpoint.LINK_PROTOCOL));
                        out.cancel("link protocol mismatch", null);
                        return;
                    }
                    link = callbacks.established(peer, frame.getHello().getNode(), out);
                    established.complete(link);
                }
            }

            @Override
            public void onError(Throwable t) {
                ended(t);
            }

            @Override
            public void onCompleted() {
                ended(null);
            }

            private void ended(Throwable cause) {
                MeshLink l = link;
                if (l != null) {
                    l.markClosed();
                    callbacks.closed(l, cause);
                } else {
                    established.completeExceptionally(cause != null ? cause
                            : new MeshUnavailableException("link closed before hello"));
                }
            }
        };
        io.grpc.stub.StreamObserver<LinkFrame> requests = RelayGrpc.newStub(channel).link(responses);
        requests.onNext(hello);
        timer.schedule(() -> {
            if (established.completeExceptionally(new MeshUnavailableException(
                    "no hello from " + address + " within " + handshakeTimeoutMs + " ms"))) {
                requests.onError(io.grpc.Status.DEADLINE_EXCEEDED.withDescription("no hello").asRuntimeException());
            }
        }, handshakeTimeoutMs, TimeUnit.MILLISECONDS);
        long startedNanos = System.nanoTime();
        return established.whenComplete((link, failure) -> {
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
            if (failure != null) {
                if (failedAttempts.incrementAndGet() <= 3) {
                    LOG.info("link attempt to region {} at {} failed after {} ms: {}", peer, address, tookMs,
                            failure.toString());
                } else {
                    LOG.debug("link attempt to region {} at {} failed after {} ms: {}", peer, address, tookMs,
                            failure.toString());
                }
            } else if (failedAttempts.get() > 0 || tookMs >= 300) {
                LOG.info("link attempt to region {} at {} succeeded after {} ms ({} failed before it)", peer, address,
                        tookMs, failedAttempts.get());
            }
        });
    }

    /** Attempts of the current dial round that failed so far (tests). */
    int failedAttempts() {
        return failedAttempts.get();
    }

    /** The state of this dialer's channel to {@code address}, without asking it to connect (tests). */
    ConnectivityState state(PeerAddress address) {
        ManagedChannel channel = channels.get(address);
        return channel == null ? ConnectivityState.IDLE : channel.getState(false);
    }

    synchronized void stop() {
        // Synchronized with keepConnected, so no channel is opened after the ones here are shut down.
        stopped = true;
        channels.values().forEach(ManagedChannel::shutdownNow);
        channels.clear();
    }
}
