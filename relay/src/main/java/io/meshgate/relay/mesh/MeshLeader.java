package io.meshgate.relay.mesh;

import io.grpc.ChannelCredentials;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Goodbye;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.PublishOutcome;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.Stored;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.publish.ChannelSequencer;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The region's end of the mesh, run by the region's oldest member: it holds one link per peer region and hands
 * each frame kind to the class of its role: {@link LinkSupervisor} (hello, heartbeat, goodbye, liveness),
 * {@link HomePublish} (publishes for channels homed here), {@link RangeServing} (range and fence requests),
 * {@link ReplicaIntake} (deliveries from other homes), {@link InterestExchange} (interest updates); replies
 * complete the waiting request in {@link Links}, and a frame for another region is relayed. The home's side of
 * replication is {@link DurabilityStores}. This class composes them, dispatches frames, forwards this region's
 * requests and answers a request on the link it came on.
 *
 * <p>Threads: one {@link Conductor} thread, {@code mesh-conductor-<region>}, owns link and channel-home state. gRPC
 * transport threads ({@link #onFrame}, {@link #established}, {@link #accept}, {@link #closed}; one link's frames in
 * order), the timer (heartbeat rounds) and the callers of {@link #forward} (gRPC threads for the region's other
 * nodes, I/O threads for this node's own publishes) only enqueue onto it; every frame is dispatched there, and the
 * answers that complete on Hazelcast threads hop back onto it before they are written. Blocking Hazelcast reads
 * (this region's interest) and the view publication run on the housekeeping thread, never on the publish
 * completions pool: during partition migration such a call can wait seconds. Other threads read link and liveness
 * state only through thread-safe holders ({@link Links}, {@link Liveness}); the sequencer calls
 * {@link DurabilityStores} on publish completion threads.
 */
final class MeshLeader implements LinkDialer.Callbacks {
    private static final Logger LOG = LoggerFactory.getLogger(MeshLeader.class);
    /**
     * Inbound frames and forwarded requests that may wait for the conductor; beyond, one is dropped like a frame lost
     * on the wire (see {@link Conductor}). Far above what a healthy conductor ever has queued: it only starts work.
     */
    static final int MAX_WAITING_FRAMES = 100_000;
    private static final long STOP_WAIT_MS = 5_000;

    private final MeshSettings settings;
    private final String node;
    private final ScheduledExecutorService timer;
    /** Blocking Hazelcast work: this region's interest read and the view publication. */
    private final Executor housekeeping;
    private final io.meshgate.relay.history.SlowCallLog slowForwards =
            new io.meshgate.relay.history.SlowCallLog(LOG, "forward by the mesh leader (handed over until answered)");
    private final ChannelCredentials credentials;
    private final BooleanSupplier successorExists;
    private final Links links;
    private final Liveness liveness;
    private final InterestTable interest;
    private final HomeControl control;
    private final PublishLanes lanes;
    private final LinkSupervisor supervisor;
    private final HomePublish homePublish;
    private final RangeServing ranges;
    private final ReplicaIntake intake;
    private final InterestExchange interestExchange;
    private final HeadNotices notices;
    private final Homes homes;
    /** This leader's forwarding session: see {@code PublishForward.origin_session}. */
    private final String session = UUID.randomUUID().toString();
    private final AtomicLong forwardOrders = new AtomicLong();
    private final Map<String, LinkDialer> dialers = new HashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private final Conductor conductor;
    private final ViewPublisher viewPublisher;
    /** Publishes for a live region no link reaches yet (a new leader linking): held, not failed. Conductor only. */
    private final LinkWait linkWait;
    private volatile boolean stopped;
    /** A heartbeat round is queued on the conductor and has not started. */
    private final AtomicBoolean roundWaiting = new AtomicBoolean();

    /**
     * @param homes         the one place channels' homes are decided, over {@code liveness}
     * @param liveness      this region's liveness view, kept by this leader's link supervision
     * @param restored      the overrides this node read from its {@link OverridesFile} at start; the leader starts
     *                      from them when they are newer than what its predecessor published (a full restart)
     * @param clock         the node's clock: what the retention floors' marks expire by (the history's TTL)
     */
    MeshLeader(MeshSettings settings, String node, ChannelStore store, RegionFanOut fanOut, InterestTable interest,
               MeshView view, ChannelCredentials credentials, ScheduledExecutorService timer,
               Executor completions, Executor housekeeping, int batchMax, int queueMax, MeterRegistry meters,
               Clock clock, Links links, Liveness liveness,
               Homes homes, BooleanSupplier successorExists, Faults faults,
               DetectorTransitions transitions, Handovers handovers, HomeOverrides restored) {
        this.settings = settings;
        this.node = node;
        this.timer = timer;
        this.housekeeping = housekeeping;
        this.credentials = credentials;
        this.successorExists = successorExists;
        this.links = links;
        this.liveness = liveness;
        HomeOverrides published = view.overrides();
        this.control = new HomeControl(settings, liveness::live, restored.newerThan(published) ? restored : published);
        this.interest = interest;
        this.conductor = new Conductor(settings.region(), MAX_WAITING_FRAMES, meters, System::nanoTime);
        Reconciler reconciler = new Reconciler(settings, store, links, homes, liveness, interest, fanOut,
                RangeServing.MAX_RANGE, meters, handovers);
        HistoryLimits limits = store.limits();
        // Marks expire with the history's TTL, by the node's clock.
        RetentionFloors floors = new RetentionFloors(settings.peers().keySet(), limits.maxChannels() == 0
                ? HistoryLimits.DEFAULT_MAX_CHANNELS : limits.maxChannels(), limits.ttlMs(), clock, meters);
        this.homes = homes;
        this.notices = new HeadNotices(settings.region(), store, homes, links, interest::regionsFor,
                limits.maxChannels() == 0 ? HistoryLimits.DEFAULT_MAX_CHANNELS : limits.maxChannels(), meters);
        DurabilityStores durability = new DurabilityStores(settings, store, links, homes, interest, reconciler,
                floors, notices, meters);
        ChannelSequencer sequencer = new ChannelSequencer(store, fanOut, durability, completions, batchMax, queueMax,
                meters);
        this.homePublish = new HomePublish(settings.region(), homes, liveness, sequencer, new ForwardOrder(100_000));
        this.ranges = new RangeServing(settings.region(), store, homes, reconciler, interest);
        this.intake = new ReplicaIntake(store, links,
                new ReplicaWriter(store, fanOut, links, settings.peers().keySet(), 10_000, meters), meters);
        this.interestExchange = new InterestExchange(settings, store, links, interest, notices,
                conductor::event);
        this.lanes = new PublishLanes(links, settings.region(), frame -> homePublish.publish(frame.getPublish())
                .thenApply(o -> LinkFrame.newBuilder().setPublishOutcome(o).build()), queueMax);
        this.linkWait = new LinkWait(peer -> links.route(peer) != null, peer -> liveness.live().contains(peer),
                (delayMs, task) -> timer.schedule(() -> conductor.event(task), delayMs, TimeUnit.MILLISECONDS),
                settings.requestTimeoutMs() / 2, queueMax);
        this.viewPublisher = new ViewPublisher(view, links, liveness, control::current, housekeeping);
        this.supervisor = new LinkSupervisor(settings, node, links, liveness, timer, live -> viewPublisher.request(),
                peer -> linkUp(peer, homes), this::redial, System::nanoTime, faults, transitions, control);
    }

    void start() {
        Hello hello = supervisor.hello();
        settings.peers().forEach((peer, addresses) -> {
            if (settings.dials(peer) && !addresses.isEmpty()) {
                LinkDialer dialer = new LinkDialer(peer, addresses, settings, credentials, timer, hello, this);
                dialers.put(peer, dialer);
                dialer.start();
            }
        });
        // At most one round waits for the conductor: rounds that piled up behind a busy conductor would run back to
        // back, each finding the last one's probe unanswered (LinkHealth no longer counts those, and needs no burst).
        tasks.add(timer.scheduleWithFixedDelay(() -> {
            if (roundWaiting.compareAndSet(false, true)) {
                conductor.event(() -> {
                    roundWaiting.set(false);
                    heartbeatRound();
                });
            }
        }, settings.heartbeatMs(), settings.heartbeatMs(), TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleWithFixedDelay(() -> housekeeping.execute(this::fullSync),
                InterestExchange.FULL_SYNC_INTERVAL_MS, InterestExchange.FULL_SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS));
        LOG.info("mesh leader of region {} is node {}; peers {}", settings.region(), node, settings.peers().keySet());
    }

    // ---- link lifecycle: handed to the link supervision on the conductor --------------------------------------

    /** gRPC thread: the peer we dialed said hello. Its frames, passed to {@link #onFrame}, queue behind the opening. */
    @Override
    public MeshLink established(String peerRegion, String peerNode, ClientCallStreamObserver<LinkFrame> out) {
        MeshLink link = supervisor.newLink(peerRegion, peerNode, out);
        conductor.event(() -> supervisor.opened(link, false));
        return link;
    }

    /** A link dialed by the peer; its Hello already read. Only a leader takes links. */
    StreamObserver<LinkFrame> accept(Hello hello, ServerCallStreamObserver<LinkFrame> out, Consumer<Runnable> onReady) {
        MeshLink link = supervisor.newLink(hello.getRegion(), hello.getNode(), out);
        onReady.accept(link::drain);
        conductor.event(() -> supervisor.opened(link, true));
        return new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
                onFrame(link, frame);
            }

            @Override
            public void onError(Throwable t) {
                link.markClosed();
                closed(link, t);
            }

            @Override
            public void onCompleted() {
                link.close();
                closed(link, null);
            }
        };
    }

    /** gRPC thread: the link's stream ended; the link itself is already marked closed. */
    @Override
    public void closed(MeshLink link, Throwable cause) {
        conductor.event(() -> supervisor.closed(link, cause));
    }

    /** The conductor this leader's link and home state changes on. */
    Conductor conductor() {
        return conductor;
    }

    private void heartbeatRound() {
        try {
            supervisor.heartbeatRound();
            notices.round();
            linkWait.changed(); // a region that left the view: what waited for its link fails now
            dialers.values().forEach(LinkDialer::keepConnected);
        } catch (RuntimeException e) {
            LOG.warn("heartbeat round failed: {}", e.toString());
        }
    }

    private void redial(String peer) {
        LinkDialer dialer = dialers.get(peer);
        if (dialer != null && !stopped) {
            dialer.redial();
        }
    }

    /**
     * Conductor: a link came up (again). This region's interest is read on the housekeeping thread; back here, the
     * peer is told all of it, and what it is home of is caught up.
     */
    private void linkUp(String peer, Homes homes) {
        linkWait.changed();
        housekeeping.execute(() -> {
            Set<String> ours = interestExchange.ours();
            if (ours == null) {
                return;
            }
            conductor.event(() -> {
                interestExchange.sendFull(List.of(peer), ours);
                for (String channel : ours) {
                    if (homes.home(channel).equals(peer)) {
                        intake.catchUp(peer, channel);
                    }
                }
            });
        });
    }

    /** Worker, every {@link InterestExchange#FULL_SYNC_INTERVAL_MS}: every peer is told this region's whole interest. */
    private void fullSync() {
        Set<String> ours = interestExchange.ours();
        if (ours != null) {
            conductor.event(() -> interestExchange.sendFull(settings.peers().keySet(), ours));
        }
    }

    // ---- frames: one role per kind ---------------------------------------------------------------------------

    /**
     * gRPC thread: queues the frame for the conductor (dropped, and counted, beyond its bound). Heartbeats and their
     * answers are the failure detector's: they are taken here, never wait behind other frames and are never dropped
     * (see {@link LinkSupervisor#answer}); a heartbeat is answered here only while the conductor is not stuck on one
     * task for {@code mesh.requestTimeoutMs}, so a wedged leader still looks dead to its peers.
     */
    @Override
    public void onFrame(MeshLink link, LinkFrame frame) {
        if (stopped) {
            return;
        }
        if (frame.getTarget().isEmpty() || frame.getTarget().equals(settings.region())) {
            if (frame.hasHeartbeat()) {
                if (!conductor.stuckFor(settings.requestTimeoutMs())) {
                    supervisor.answer(link, frame.getHeartbeat());
                }
                conductor.event(() -> {
                    if (!stopped) {
                        supervisor.heartbeat(link, frame.getHeartbeat());
                    }
                });
                return;
            }
            if (frame.hasHeartbeatAck()) {
                LinkSupervisor.Answered answered = supervisor.answered(link, frame.getHeartbeatAck());
                if (answered != LinkSupervisor.Answered.NOTHING) {
                    conductor.event(() -> {
                        if (!stopped) {
                            supervisor.afterAnswer(link, answered);
                        }
                    });
                }
                return;
            }
        }
        if (!conductor.frame(() -> dispatch(link, frame))) {
            LOG.debug("mesh frame {} from {} dropped: the conductor is full", frame.getKindCase(), link.peerRegion());
        }
    }

    /** Conductor: hands the frame to its role; an answer that completes elsewhere hops back here to be written. */
    private void dispatch(MeshLink link, LinkFrame frame) {
        if (stopped) {
            return;
        }
        if (!frame.getTarget().isEmpty() && !frame.getTarget().equals(settings.region())) {
            if (!links.relay(frame, link.peerRegion())) {
                bounce(link, frame);
            }
            return;
        }
        String from = frame.getOrigin().isEmpty() ? link.peerRegion() : frame.getOrigin();
        switch (frame.getKindCase()) {
            case GOODBYE -> {
                supervisor.goodbye(link, frame.getGoodbye());
                LinkDialer dialer = dialers.get(link.peerRegion());
                if (dialer != null && !frame.getGoodbye().getSuccessorAddress().isEmpty()) {
                    dialer.tryFirst(frame.getGoodbye().getSuccessorAddress());
                }
            }
            case PUBLISH -> homePublish.publish(frame.getPublish()).thenAcceptAsync(outcome ->
                    reply(link, from, LinkFrame.newBuilder().setPublishOutcome(outcome).build()), conductor::event);
            case RANGE_REQUEST -> ranges.answer(from, frame.getRangeRequest()).thenAcceptAsync(reply ->
                    reply(link, from, LinkFrame.newBuilder().setRangeReply(reply).build()), conductor::event);
            case DELIVERY -> intake.take(from, frame.getDelivery()).thenAcceptAsync(stored -> stored.ifPresent(s ->
                    reply(link, from, LinkFrame.newBuilder().setStored(s).build())), conductor::event);
            case INTEREST -> interestExchange.take(from, frame.getInterest());
            case HEAD_NOTICE -> intake.noticed(from, frame.getHeadNotice(), channel -> homes.home(channel).equals(from));
            case PUBLISH_OUTCOME -> links.complete(frame.getPublishOutcome().getRequestId(), frame);
            case RANGE_REPLY -> links.complete(frame.getRangeReply().getRequestId(), frame);
            case STORED -> links.complete(frame.getStored().getRequestId(), frame);
            default -> LOG.debug("ignored mesh frame {} from {}", frame.getKindCase(), from);
        }
    }

    /**
     * A request this region could not pass on (its route went stale: the target's link ended here a moment ago)
     * gets an error answer at once, so its sender fails it now instead of after {@code mesh.requestTimeoutMs}.
     */
    private void bounce(MeshLink arrival, LinkFrame frame) {
        String why = "region " + settings.region() + " has no path to region " + frame.getTarget();
        LinkFrame.Builder answer = LinkFrame.newBuilder().setOrigin(settings.region());
        switch (frame.getKindCase()) {
            case PUBLISH -> answer.setPublishOutcome(PublishOutcome.newBuilder()
                    .setRequestId(frame.getPublish().getRequestId()).setChannel(frame.getPublish().getChannel())
                    .setError(why));
            case RANGE_REQUEST -> answer.setRangeReply(RangeReply.newBuilder()
                    .setRequestId(frame.getRangeRequest().getRequestId())
                    .setChannel(frame.getRangeRequest().getChannel()).setError(why));
            case DELIVERY -> {
                if (frame.getDelivery().getRequestId() == 0) {
                    return;
                }
                answer.setStored(Stored.newBuilder().setRequestId(frame.getDelivery().getRequestId())
                        .setChannel(frame.getDelivery().getChannel()));
            }
            default -> {
                return;
            }
        }
        String origin = frame.getOrigin().isEmpty() ? arrival.peerRegion() : frame.getOrigin();
        reply(arrival, origin, answer.build());
    }

    /**
     * Answers a request the way it came: on the link it arrived on while that is open, even before this side counts
     * it up, and through the relay that passed it on when it came relayed (that relay just reached the asker).
     * Right after links (re)open, two ends see a link up at different moments and relays' RTT tables lag, and a
     * reply routed by this side's own view could find no path and leave the asker waiting out its timeout.
     */
    private void reply(MeshLink arrival, String to, LinkFrame frame) {
        if (!arrival.isClosed()) {
            arrival.offer(frame.toBuilder().setOrigin(settings.region()).setTarget(to).build());
        } else {
            links.send(to, frame);
        }
    }

    HomeControl control() {
        return control;
    }

    // ---- requests from this region's nodes ---------------------------------------------------------------------

    /**
     * Any thread (gRPC for the region's other nodes, I/O for this node's publishes): a request of this region for
     * the mesh, run on the conductor in call order. It completes where its answer arrives (mostly the conductor),
     * and fails at once when the conductor is full.
     */
    CompletableFuture<LinkFrame> forward(LinkFrame request) {
        CompletableFuture<LinkFrame> result = new CompletableFuture<>();
        long startNanos = System.nanoTime();
        boolean queued = conductor.frame(() -> {
            long pickedUpNanos = System.nanoTime();
            forwardHere(request).whenComplete((reply, failure) -> {
                slowForwards.done(startNanos, request.hasPublish() ? request.getPublish().getChannel() : "-",
                        () -> request.getKindCase() + " " + request.getPublish().getId() + " to " + request.getTarget()
                                + ", " + TimeUnit.NANOSECONDS.toMillis(pickedUpNanos - startNanos)
                                + " ms of it waiting for the conductor, " + (failure != null ? "failed: " + failure
                                : "answered"));
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(reply);
                }
            });
        });
        if (!queued) {
            result.completeExceptionally(new MeshUnavailableException("the mesh leader is overloaded or stopping"));
        }
        return result;
    }

    private CompletableFuture<LinkFrame> forwardHere(LinkFrame request) {
        String target = request.getTarget();
        switch (request.getKindCase()) {
            case PUBLISH -> {
                // The order is taken when the lane sends it, so it grows in the order publishes leave this region.
                java.util.function.Supplier<CompletableFuture<LinkFrame>> send = () -> lanes.send(target,
                        request.getPublish().getChannel(), id -> request.toBuilder().setPublish(
                                request.getPublish().toBuilder().setRequestId(id).setOriginSession(session)
                                        .setOriginOrder(forwardOrders.incrementAndGet())).build());
                return target.equals(settings.region()) ? send.get() : linkWait.publish(target, send);
            }
            case RANGE_REQUEST -> {
                RangeRequest range = request.getRangeRequest();
                if (range.getRegisterInterest()) {
                    interestExchange.broadcast(List.of(range.getChannel()), List.of());
                    return intake.sync(target, range.getChannel(), range.getAfterSeq(), true)
                            .thenApply(reply -> LinkFrame.newBuilder().setRangeReply(reply).build());
                }
                if (target.equals(settings.region())) {
                    return ranges.answer(settings.region(), range)
                            .thenApply(reply -> LinkFrame.newBuilder().setRangeReply(reply).build());
                }
                return links.request(target, id -> request.toBuilder().setRangeRequest(
                        range.toBuilder().setRequestId(id)).build());
            }
            case INTEREST -> {
                interestExchange.released(request.getInterest().getRemovedList());
                return CompletableFuture.completedFuture(LinkFrame.getDefaultInstance());
            }
            case HOME_CHANGE -> {
                io.meshgate.proto.relay.HomeChange answer = control.change(request.getHomeChange());
                if (answer.getChanged()) {
                    // Spread now, not a heartbeat interval later: the handovers start when the regions agree.
                    supervisor.spreadNow();
                    viewPublisher.request();
                }
                return CompletableFuture.completedFuture(LinkFrame.newBuilder().setHomeChange(answer).build());
            }
            default -> {
                return CompletableFuture.failedFuture(new MeshUnavailableException(
                        "cannot forward a " + request.getKindCase() + " frame"));
            }
        }
    }

    Liveness liveness() {
        return liveness;
    }

    /** @param successorAddress the relay address of the node taking over the leadership, or "" when unknown */
    void stop(String successorAddress) {
        boolean successor;
        try {
            successor = successorExists.getAsBoolean();
        } catch (RuntimeException e) {
            successor = false;
        }
        LinkFrame goodbye = LinkFrame.newBuilder().setOrigin(settings.region()).setGoodbye(Goodbye.newBuilder()
                .setSuccessor(successor).setSuccessorAddress(successor ? successorAddress : "")
                .setReason("node " + node + " is stopping")).build();
        stopped = true;
        tasks.forEach(t -> t.cancel(false));
        // The goodbyes go out on the conductor, after whatever it is doing; the node's shutdown waits for them.
        CompletableFuture<Void> said = new CompletableFuture<>();
        conductor.event(() -> {
            supervisor.stop(goodbye);
            said.complete(null);
        });
        try {
            said.get(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("mesh conductor did not say goodbye within {} ms; closing the links anyway", STOP_WAIT_MS);
        }
        conductor.close();
        interest.stop();
        dialers.values().forEach(LinkDialer::stop);
        links.closeAll();
    }
}
