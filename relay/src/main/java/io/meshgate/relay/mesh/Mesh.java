package io.meshgate.relay.mesh;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.HomeChange;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.PublishForward;
import io.meshgate.proto.relay.PublishOutcome;
import io.meshgate.proto.relay.RelayGrpc;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelSource;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Sequenced;
import io.meshgate.relay.link.LinkTls;
import io.meshgate.relay.link.MeshEndpoint;
import io.meshgate.relay.publish.Publisher;
import io.meshgate.relay.publish.SequencerUnavailableException;
import io.meshgate.relay.region.IdempotentWrite;
import io.meshgate.relay.region.RegionMember;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A node's part in the mesh. Every node publishes through it and reads channels homed elsewhere through it; the
 * member holding the region's {@link io.meshgate.relay.region.RegionLeadership} also runs the {@link MeshLeader}, and
 * the other nodes hand their mesh requests to it over the relay's {@code Forward} call. A leader that stops hands the
 * leadership to the next oldest member first; one that vanishes leaves it to the oldest member to claim, so a node
 * checks on every membership and leadership change; a new leader inherits the liveness view its predecessor
 * published.
 *
 * <p>Threads: {@link #publish} and {@link #channels} are called on Undertow I/O and worker threads and never block
 * (the leader's address is read once per leader, asynchronously); {@link #canServe} and {@link #regionHealthy}
 * read the published view and are safe anywhere; {@code elect} runs on the housekeeping thread after a member
 * left, and on its own thread when the leadership is handed to this node; {@link #close} may wait up to
 * {@code mesh.requestTimeoutMs} for the successor to lead.
 */
public final class Mesh implements Publisher, MeshEndpoint, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Mesh.class);
    private static final String META_MAP = "meshgate.meta";

    private final MeshSettings settings;
    private final String node;
    private final RegionMember region;
    private final ScheduledExecutorService timer;
    /** Publish completions: never blocked. */
    private final Executor completions;
    /** Blocking Hazelcast work of the mesh (election, interest reads, view publication), one task at a time. */
    private final Executor housekeeping;
    private final io.meshgate.relay.history.SlowCallLog slowPublishes =
            new io.meshgate.relay.history.SlowCallLog(LOG, "publish through the mesh (handed over until answered)");
    private final MeterRegistry meters;
    private final int batchMax;
    private final int queueMax;
    private final ChannelCredentials credentials;
    private final MeshView view;
    private final MeshChannelSource channels;
    private final Homes homes;
    private final Faults faults;
    private final RehomeWatch rehomes;
    private final Handovers handovers;
    /** This node's copy of the overrides on disk, or null ({@code mesh.stateDir}); the table read from it at start. */
    private final OverridesFile overridesFile;
    private final HomeOverrides restored;
    private final ConcurrentHashMap<String, ManagedChannel> leaderChannels = new ConcurrentHashMap<>();
    /** Per channel, this node's latest forward not yet answered: what the next one of the channel may not overtake. */
    private final ConcurrentHashMap<String, Tail> forwardTails = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger waitingForwards = new java.util.concurrent.atomic.AtomicInteger();
    private final Clock clock;
    /** The relay address of the region's mesh leader, once read: a forwarded publish never waits on Hazelcast. */
    private volatile LeaderAddress leaderAddress;
    /** This node's pipelined path to the leader on another node, once opened; replaced when it ends. */
    private volatile LeaderStream leaderStream;
    private RegionFanOut fanOut;
    private volatile MeshLeader leader;
    private volatile boolean closed;
    /**
     * True once this region could serve, as seen here: set when this node's leader counts its region live (at the
     * moment of the transition) and whenever {@link #canServe} answers true. Never cleared: see {@link #everServed}.
     */
    private volatile boolean servedOnce;

    private record LeaderAddress(java.util.UUID member, String address) {
    }

    /**
     * A channel's latest forward from this node. {@code handedOver} completes with the path that took it (this
     * node's own {@link MeshLeader}, or the {@link LeaderStream} to the leader on another node) once it was handed
     * over, or with null when it failed before: a later forward may follow it on the same path at once, since a path
     * keeps the order it was given; on another path it waits for {@code done}, the answer.
     */
    private record Tail(CompletableFuture<LinkFrame> done, CompletableFuture<Object> handedOver) {
    }

    /**
     * @param completions  runs publish completions (sequencing steps and acks); must never be given blocking work
     * @param housekeeping runs the mesh's blocking Hazelcast calls; separate from {@code completions} because such a
     *                     call can wait seconds while partitions migrate, and publishes must not wait behind it
     * @param clock drives the liveness hold and every timeout of the mesh's state machines, and the expiry of the
     *              leader's retention floors
     */
    public Mesh(MeshSettings settings, String node, RegionMember region, ScheduledExecutorService timer,
                Executor completions, Executor housekeeping, int batchMax, int queueMax, MeterRegistry meters,
                Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.node = node;
        this.region = region;
        this.timer = timer;
        this.completions = completions;
        this.housekeeping = housekeeping;
        this.meters = meters;
        this.batchMax = batchMax;
        this.queueMax = queueMax;
        this.credentials = settings.tls() == null ? LinkTls.insecureChannel()
                : LinkTls.load(settings.tls()).channelCredentials();
        this.view = new MeshView(region.hazelcast(), settings);
        this.channels = new MeshChannelSource(this, region.store());
        this.homes = new Homes(settings, this::live, this::overrides);
        this.rehomes = new RehomeWatch(settings.regions(), this::live, clock, meters);
        this.faults = new Faults(settings.peers().keySet(), new java.util.Random());
        this.handovers = new Handovers(meters);
        this.overridesFile = settings.overridesFile() == null ? null : new OverridesFile(settings.overridesFile());
        this.restored = overridesFile == null ? HomeOverrides.EMPTY : overridesFile.load();
        Gauge.builder("meshgate.mesh.faults.active", faults, f -> f.active().size())
                .register(meters);
        for (String peer : settings.peers().keySet()) {
            Gauge.builder("meshgate.mesh.link.up", () -> regionHealthy(peer) ? 1 : 0).tag("peer", peer)
                    .description("1 while this region's link to the peer region is up").register(meters);
            Gauge.builder("meshgate.mesh.rtt", () -> rttSeconds(settings.region(), peer)).tag("peer", peer)
                    .baseUnit("seconds").description("heartbeat round trip to the peer region").register(meters);
        }
        // Every node exports the whole matrix, not only its region's row, so one scrape shows every link.
        for (String from : settings.regions()) {
            for (String to : settings.regions()) {
                if (!from.equals(to)) {
                    Gauge.builder("meshgate.mesh.rtt.matrix", () -> rttSeconds(from, to)).tags("from", from, "to", to)
                            .baseUnit("seconds").description("heartbeat round trip measured by region 'from' to 'to'")
                            .register(meters);
                }
            }
        }
    }

    /** Starts taking part: announces this node's relay address and becomes leader if it holds the leadership. */
    public void start(RegionFanOut regionFanOut, String relayAddress) {
        this.fanOut = regionFanOut;
        IdempotentWrite.run(() -> region.hazelcast().<String, String>getMap(META_MAP)
                .set("relay." + region.memberId(), relayAddress));
        region.onMemberLeft(gone -> housekeeping.execute(this::elect));
        // Before this node may have to take links as a new leader: see FrameWarmUp.
        housekeeping.execute(FrameWarmUp::run);
        housekeeping.execute(() -> LeaderWarmUp.run(settings, region.hazelcast(), timer));
        // Its own short-lived thread, not the housekeeping one (which may be in a slow call): a predecessor waits for
        // this leader to start.
        region.leadership().onChange(holder -> {
            if (holder != null && holder.member().equals(region.memberId())) {
                Thread electing = new Thread(this::elect, "mesh-elect");
                electing.setDaemon(true);
                electing.start();
            }
        });
        elect();
        timer.scheduleWithFixedDelay(() -> {
            try {
                rehomes.check();
                if (overridesFile != null) {
                    overridesFile.save(overrides());
                }
            } catch (RuntimeException e) {
                // The region's map is unreadable for a moment (or the node is stopping): look again next time.
                LOG.debug("re-home check skipped: {}", e.toString());
            }
        }, settings.heartbeatMs(), settings.heartbeatMs(), TimeUnit.MILLISECONDS);
    }

    private synchronized void elect() {
        long begun = System.nanoTime();
        if (closed || leader != null || !region.isRunning() || !region.leadership().claimIfVacant()) {
            return;
        }
        long claimed = System.nanoTime();
        // A leader that takes over from one that left keeps the regions it counted live while its own links come
        // up, so a leader change is no reason to re-home anything.
        Links links = new Links(settings, timer, meters);
        DetectorTransitions transitions = new DetectorTransitions(meters, settings);
        Liveness liveness = new Liveness(settings, Homes.quorum(settings), clock, links::reachable, view.live(),
                (name, to) -> {
                    transitions.region(name, to);
                    if (to == Liveness.RegionState.LIVE && name.equals(settings.region())) {
                        servedOnce = true;
                    }
                });
        InterestTable interest = new InterestTable(region.hazelcast(), timer);
        long interestRead = System.nanoTime();
        MeshLeader started = new MeshLeader(settings, node, region.store(), fanOut, interest, view, credentials,
                timer, completions, housekeeping, batchMax, queueMax, meters, clock, links, liveness, homes,
                () -> region.clusterSize() > 1, faults, transitions, handovers, restored);
        long built = System.nanoTime();
        started.start();
        long dialing = System.nanoTime();
        leader = started;
        region.leadership().leading();
        // Every millisecond here is a millisecond of a leader handover's ack gap: the parts say where it went.
        LOG.info("mesh leader started {} ms after its election began (claim {} ms, interest table {} ms, roles {} ms,"
                        + " dialers {} ms, leading mark {} ms)", ms(System.nanoTime() - begun), ms(claimed - begun),
                ms(interestRead - claimed), ms(built - interestRead), ms(dialing - built),
                ms(System.nanoTime() - dialing));
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** The channel's home as this region sees the mesh now: see {@link Homes}. */
    public String home(String channel) {
        return homes.home(channel);
    }

    public String regionName() {
        return settings.region();
    }

    public boolean isHomeHere(String channel) {
        return home(channel).equals(settings.region());
    }

    /** How the edge reads channels: homed here from the store, homed elsewhere with the home's head. */
    public ChannelSource channels() {
        return channels;
    }

    /** The conductor of this node's mesh leader, or null while another node leads (tests hold it up). */
    Conductor leaderConductor() {
        MeshLeader local = leader;
        return local == null ? null : local.conductor();
    }

    /** The regions that may be a channel's home now: the leader's {@link Liveness} view, here or as published. */
    private java.util.Set<String> live() {
        MeshLeader local = leader;
        return local != null ? local.liveness().live() : view.live();
    }

    /** True while operators have failed {@code region} over (until restored), by the overrides in force here. */
    public boolean failedOver(String region) {
        return overrides().evacuated().contains(region);
    }

    /** The mesh-wide overrides of channel homes (failover, pins): the leader's {@link HomeControl}, or as published. */
    public HomeOverrides overrides() {
        MeshLeader local = leader;
        return local != null ? local.control().current() : view.overrides();
    }

    /**
     * An operator's change of the overrides ({@code failover}, {@code restore}, {@code pin}, {@code unpin}), decided
     * by the region's mesh leader ({@link HomeControl}: refused when it would leave a channel without a live home) and
     * spread to every region on its heartbeats. Completes with the leader's answer ({@code changed}, {@code refusal},
     * the table); fails when the leader cannot be reached. {@code region} or {@code channel} may be empty when the
     * change has none; {@code who} and {@code why} go with the change to every region's log. Never blocks.
     */
    public CompletableFuture<HomeChange> changeHomes(HomeChange.Op op, String region, String channel, String who,
                                                     String why) {
        return toLeader(LinkFrame.newBuilder().setHomeChange(HomeChange.newBuilder().setOp(op).setRegion(region)
                .setChannel(channel).setRequestedBy(who).setReason(why)).build()).thenApply(LinkFrame::getHomeChange);
    }

    /**
     * True when this region may sequence and serve: with re-homing, while it reaches a quorum of regions and has
     * for {@code mesh.failbackHoldMs} (see {@link Liveness}); readiness and every publish ask this first.
     */
    public boolean canServe() {
        boolean can = region.isRunning() && (!homes.rehomes() || live().contains(settings.region()));
        if (can && !servedOnce) {
            servedOnce = true; // every publish asks: a volatile read each time, one write ever
        }
        return can;
    }

    /**
     * True once this region could serve since this node started, even if it cannot now: a node that never could is
     * starting, one that could and cannot now is cut off. Recorded when it happens, not sampled by the caller: a
     * region may serve for less than one of the caller's rounds (a cut-off within a heartbeat of the start), and its
     * clients must still be moved. On a node that is not its region's mesh leader, only calls of {@link #canServe}
     * record it (the leader's view is read, not told).
     */
    public boolean everServed() {
        return servedOnce || canServe();
    }

    @Override
    public CompletableFuture<Sequenced> publish(String channel, PublishRequest request) {
        if (!canServe()) {
            // Cut off from the majority (or not yet linked): refuse at once rather than wait for a timeout.
            return CompletableFuture.failedFuture(new SequencerUnavailableException("region " + settings.region()
                    + " reaches too few regions to sequence now", null));
        }
        LinkFrame frame = LinkFrame.newBuilder().setOrigin(settings.region()).setTarget(home(channel))
                .setPublish(PublishForward.newBuilder().setChannel(channel).setId(request.id())
                        .setDataJson(request.dataJson())).build();
        long startNanos = System.nanoTime();
        return inOrder(channel, frame).handle((reply, failure) -> {
            slowPublishes.done(startNanos, channel, () -> request.id() + " to home " + frame.getTarget() + " through "
                    + (leader != null ? "this node's mesh leader" : "the region's mesh leader on another node") + ", "
                    + (failure != null ? "failed: " + rootMessage(failure)
                    : reply.getPublishOutcome().getError().isEmpty() ? "sequenced"
                    : "refused: " + reply.getPublishOutcome().getError()));
            if (failure != null) {
                LOG.debug("publish to {} failed: {}", channel, rootMessage(failure));
                throw new SequencerUnavailableException("the channel's home region could not be reached: "
                        + rootMessage(failure), failure);
            }
            PublishOutcome outcome = reply.getPublishOutcome();
            if (!outcome.getError().isEmpty() || outcome.getPosition().getSeq() == 0) {
                LOG.debug("publish to {} refused by its home: {}", channel, outcome.getError());
                throw new SequencerUnavailableException("the home region refused: " + outcome.getError(), null);
            }
            return new Sequenced(DeliveryCodec.fromProto(outcome.getPosition()), null, false);
        });
    }

    /**
     * Keeps a channel's publishes from this node in the order they were handed over (G6), also while the region's
     * mesh leader changes. Publishes go pipelined on one path: this node's own leader (its conductor keeps call
     * order) or, on the other nodes, the {@link LeaderStream} to the leader (the stream keeps send order). A forward
     * never overtakes one still in flight on a different path: after a handover (this node gave the leadership away,
     * took it, the leader moved between other nodes, or the stream ended) the first forward of a channel waits until
     * the earlier ones are answered, because two paths are ordered independently (each leader has its own
     * {@code origin_session}) and the home would take whichever arrives first. At most {@code queueMax} forwards
     * wait at this node; beyond, a publish fails at once (nack unavailable).
     */
    private CompletableFuture<LinkFrame> inOrder(String channel, LinkFrame frame) {
        Object path = currentPath();
        CompletableFuture<LinkFrame> result = new CompletableFuture<>();
        // Decided and recorded in one step, so no later publish of the channel can slip past a waiting one.
        Tail[] previous = new Tail[1];
        Tail mine = forwardTails.compute(channel, (c, prev) -> {
            previous[0] = prev;
            if (path != null && (prev == null || prev.done().isDone() || prev.handedOver().getNow(null) == path)) {
                return new Tail(result, CompletableFuture.completedFuture(path));
            }
            if (waitingForwards.incrementAndGet() > queueMax) {
                // Refused without being recorded: nothing later may take this one's place in the order.
                waitingForwards.decrementAndGet();
                return prev;
            }
            return new Tail(result, new CompletableFuture<>());
        });
        if (mine == previous[0]) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("too many publishes waiting here"));
        }
        if (mine.handedOver().isDone()) {
            handOver(path, frame).whenComplete((r, f) -> {
                forwardTails.remove(channel, mine);
                complete(result, r, f);
            });
            return result;
        }
        return chainAfter(previous[0], channel, frame, mine);
    }

    /**
     * Sends {@code frame} once {@code previous} is handed over: at once when the path it took is still the current
     * one, else after its answer, on the then current path. The caller counted it in {@code waitingForwards}.
     */
    private CompletableFuture<LinkFrame> chainAfter(Tail previous, String channel, LinkFrame frame, Tail mine) {
        CompletableFuture<Object> before = previous == null ? CompletableFuture.completedFuture(null)
                : previous.handedOver();
        before.handle((path, failure) -> path).thenCompose(previousPath -> {
            Object path = currentPath();
            if (previousPath != null && previousPath == path) {
                return handOver(path, frame, mine.handedOver()::complete);
            }
            CompletableFuture<?> answered = previous == null ? CompletableFuture.completedFuture(null)
                    : previous.done();
            return answered.handle((ignored, failure) -> null)
                    .thenCompose(ignored -> toCurrentPath(frame, mine.handedOver()::complete));
        }).whenComplete((r, f) -> {
            mine.handedOver().complete(null);
            waitingForwards.decrementAndGet();
            forwardTails.remove(channel, mine);
            complete(mine.done(), r, f);
        });
        return mine.done();
    }

    /** This node's leader, or the open stream to the current leader; null when neither is there yet. */
    private Object currentPath() {
        MeshLeader local = leader;
        return local != null ? local : currentStream();
    }

    private static CompletableFuture<LinkFrame> handOver(Object path, LinkFrame frame) {
        return path instanceof MeshLeader local ? local.forward(frame) : ((LeaderStream) path).send(frame);
    }

    /** {@link #handOver}, then tells {@code sentOn} the path, so nothing later can overtake the frame on it. */
    private static CompletableFuture<LinkFrame> handOver(Object path, LinkFrame frame,
                                                         java.util.function.Consumer<Object> sentOn) {
        CompletableFuture<LinkFrame> answer = handOver(path, frame);
        sentOn.accept(path);
        return answer;
    }

    /** The open stream to the current leader, or null when there is none yet (or the leader changed). */
    private LeaderStream currentStream() {
        LeaderStream stream = leaderStream;
        if (stream == null || !stream.open()) {
            return null;
        }
        java.util.UUID holder = region.leadership().leader();
        return stream.leader().equals(holder) ? stream : null;
    }

    /**
     * Hands a publish to this node's leader, or on the stream to the current leader (opened when needed), and tells
     * {@code sentOn} which path took it, right after it was handed over.
     */
    private CompletableFuture<LinkFrame> toCurrentPath(LinkFrame frame, java.util.function.Consumer<Object> sentOn) {
        Object path = currentPath();
        if (path != null) {
            return handOver(path, frame, sentOn);
        }
        java.util.UUID holder = region.leadership().leader();
        if (holder == null) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("the region has no mesh leader yet"));
        }
        return leaderAddress(holder).thenCompose(address -> handOver(openStream(holder, address), frame, sentOn));
    }

    /** The stream to {@code holder} at {@code address}: the current one when it still fits, else a new one. */
    private LeaderStream openStream(java.util.UUID holder, String address) {
        LeaderStream replaced;
        LeaderStream opened;
        synchronized (forwardTails) {
            LeaderStream current = leaderStream;
            if (current != null && current.open() && current.leader().equals(holder)
                    && current.address().equals(address)) {
                return current;
            }
            replaced = current;
            ManagedChannel channel = leaderChannel(address);
            // A node that led before may have failed calls on this address: connect now, not after gRPC's backoff.
            channel.resetConnectBackoff();
            opened = new LeaderStream(holder, address, channel, timer,
                    settings.requestTimeoutMs() + 1_000, queueMax);
            leaderStream = opened;
        }
        if (replaced != null) {
            // What is still unanswered on the old path fails (retried by id); later publishes wait for that.
            replaced.close();
        }
        return opened;
    }

    private static void complete(CompletableFuture<LinkFrame> result, LinkFrame reply, Throwable failure) {
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(reply);
        }
    }

    /** Hands a mesh request to the region's leader: this node's own, or over the relay port of the holder. */
    CompletableFuture<LinkFrame> toLeader(LinkFrame frame) {
        MeshLeader local = leader;
        if (local != null) {
            return local.forward(frame);
        }
        java.util.UUID holder = region.leadership().leader();
        if (holder == null) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("the region has no mesh leader yet"));
        }
        return leaderAddress(holder).thenCompose(address -> toLeaderAt(address, frame));
    }

    /** The relay address of {@code holder}: read once per leader, without blocking the calling (often I/O) thread. */
    private CompletableFuture<String> leaderAddress(java.util.UUID holder) {
        LeaderAddress known = leaderAddress;
        if (known != null && known.member().equals(holder)) {
            return CompletableFuture.completedFuture(known.address());
        }
        return region.hazelcast().<String, String>getMap(META_MAP).getAsync("relay." + holder).toCompletableFuture()
                .thenApply(address -> {
                    if (address == null) {
                        throw new MeshUnavailableException("the region's mesh leader is unknown");
                    }
                    leaderAddress = new LeaderAddress(holder, address);
                    return address;
                });
    }

    private ManagedChannel leaderChannel(String address) {
        return leaderChannels.computeIfAbsent(address, a -> {
            int colon = a.lastIndexOf(':');
            return Grpc.newChannelBuilderForAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1)),
                    credentials).build();
        });
    }

    private CompletableFuture<LinkFrame> toLeaderAt(String address, LinkFrame frame) {
        ManagedChannel channel = leaderChannel(address);
        CompletableFuture<LinkFrame> reply = new CompletableFuture<>();
        RelayGrpc.newStub(channel).withDeadlineAfter(settings.requestTimeoutMs() + 1_000, TimeUnit.MILLISECONDS)
                .forward(frame, new StreamObserver<>() {
                    @Override
                    public void onNext(LinkFrame value) {
                        reply.complete(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        reply.completeExceptionally(new MeshUnavailableException("no reply from the mesh leader"));
                    }
                });
        return reply;
    }

    // ---- MeshEndpoint: what the relay's gRPC service hands over ------------------------------------------------

    @Override
    public boolean isPeer(String peer) {
        return settings.peers().containsKey(peer);
    }

    @Override
    public StreamObserver<LinkFrame> accept(Hello hello, ServerCallStreamObserver<LinkFrame> out,
                                            java.util.function.Consumer<Runnable> onReady) {
        MeshLeader local = leader;
        if (local == null) {
            throw io.grpc.Status.FAILED_PRECONDITION.withDescription("node " + node
                    + " is not the mesh leader of region " + settings.region()).asRuntimeException();
        }
        return local.accept(hello, out, onReady);
    }

    @Override
    public CompletionStage<LinkFrame> forward(LinkFrame request) {
        MeshLeader local = leader;
        if (local == null) {
            return CompletableFuture.failedFuture(io.grpc.Status.FAILED_PRECONDITION.withDescription(
                    "node " + node + " is not the mesh leader").asRuntimeException());
        }
        return local.forward(request);
    }

    // ---- what operators and clients see ----------------------------------------------------------------------

    /**
     * With re-homing: true while the region is in this region's liveness view (this region: {@link #canServe}).
     * Otherwise true for this region while it runs; for a peer, while the leader's link to it is up (direct or
     * relayed).
     */
    public boolean regionHealthy(String name) {
        if (homes.rehomes()) {
            return name.equals(settings.region()) ? canServe() : live().contains(name);
        }
        if (name.equals(settings.region())) {
            return region.isRunning();
        }
        MeshView.PeerState state = view.peer(name);
        return state != null && (state.up() || state.relayed());
    }

    private double rttSeconds(String from, String to) {
        Long micros = view.matrix().getOrDefault(from, Map.of()).get(to);
        return micros == null || micros < 0 ? Double.NaN : micros / 1_000_000.0;
    }

    /** Status for operators: this node's role, each peer link, and the RTT matrix in milliseconds. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("region", settings.region());
        out.put("leader", leader != null);
        out.put("durability", settings.durability().name().toLowerCase(java.util.Locale.ROOT));
        Map<String, Object> peers = new LinkedHashMap<>();
        for (String peer : settings.peers().keySet()) {
            MeshView.PeerState state = view.peer(peer);
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("up", state != null && state.up());
            p.put("relayed", state != null && state.relayed());
            p.put("rttMs", state == null || state.rttMicros() < 0 ? null : state.rttMicros() / 1000.0);
            p.put("queued", state == null ? 0 : state.queued());
            p.put("breaker", state == null ? "UNKNOWN" : state.breaker());
            p.put("node", state == null ? "" : state.node());
            peers.put(peer, p);
        }
        out.put("links", peers);
        Map<String, Map<String, Double>> matrix = new LinkedHashMap<>();
        view.matrix().forEach((from, row) -> {
            Map<String, Double> ms = new LinkedHashMap<>();
            row.forEach((to, micros) -> ms.put(to, micros < 0 ? null : micros / 1000.0));
            matrix.put(from, ms);
        });
        out.put("rttMs", matrix);
        HomeOverrides table = overrides();
        Map<String, Object> control = new LinkedHashMap<>();
        control.put("version", table.version());
        control.put("failedOver", table.evacuatedSorted());
        control.put("pins", table.pinsSorted());
        out.put("homeOverrides", control);
        return out;
    }

    /**
     * The faults injected into this node's mesh links (they act while this node leads its region: only the leader
     * holds links). The edge lets operators change them only with {@code admin.faults}.
     */
    public Faults faults() {
        return faults;
    }

    /** The recent changes of the liveness view, each of which re-homed channels. */
    public RehomeWatch rehomeEvents() {
        return rehomes;
    }

    public MeshSettings settings() {
        return settings;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.toString() : c.getMessage();
    }

    @Override
    public synchronized void close() {
        closed = true;
        MeshLeader local = leader;
        leader = null;
        if (local != null) {
            // Leadership moves before this leader stops, so the next one starts now, not once this member has left
            // the cluster: peers redial straight to it after the goodbye (issue 12: rolling-drain ack gap).
            String successorAddress = "";
            try {
                java.util.UUID successor = region.leadership().handOver();
                if (successor != null) {
                    handovers.count(Handovers.Kind.LEADER);
                    // Peers redial on the goodbye: it goes out once the successor takes links, not before.
                    region.leadership().awaitSuccessorLeading(region.leadership().term(), settings.requestTimeoutMs());
                    // Named in the goodbye, so the regions that dial this one go straight to the new leader.
                    String address = region.hazelcast().<String, String>getMap(META_MAP).get("relay." + successor);
                    successorAddress = address == null ? "" : address;
                }
            } catch (RuntimeException e) {
                LOG.warn("mesh leadership not handed over: {}", e.toString());
            }
            local.stop(successorAddress);
        }
        LeaderStream stream = leaderStream;
        if (stream != null) {
            stream.close();
        }
        leaderChannels.values().forEach(ManagedChannel::shutdownNow);
    }
}
