package io.meshgate.relay.mesh;

import io.grpc.ChannelCredentials;
import io.grpc.stub.CallStreamObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.Goodbye;
import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.HeartbeatAck;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.InterestUpdate;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.PublishForward;
import io.meshgate.proto.relay.PublishOutcome;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.proto.relay.Stored;
import io.meshgate.relay.channel.ChannelNames;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.history.Range;
import io.meshgate.relay.publish.ChannelSequencer;
import io.meshgate.relay.publish.Replication;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The region's end of the mesh, run by the region's oldest member: it holds one link per peer region, sequences the
 * channels homed here (so one stream per peer carries each channel in seq order), stores what other homes send,
 * answers range and interest requests, measures RTT, and relays frames for regions a peer cannot reach directly.
 * It keeps the region's {@link Liveness} view, the one place homes are decided from.
 *
 * <p>Threads: frames arrive on gRPC transport threads (one link's frames in order), heartbeats and timeouts run on
 * the node's timer, store callbacks complete on Hazelcast threads and hand heavier work to the worker executor,
 * and {@link #forward} is called on gRPC threads for the region's other nodes and on I/O threads for this node's
 * own publishes, so nothing here blocks. Shared state is in thread-safe holders ({@link Links}, {@link Liveness},
 * {@link PublishLanes}, {@link InterestTable}); the channel state itself lives in the store and changes only by
 * entry processors.
 */
final class MeshLeader implements Replication, LinkDialer.Callbacks {
    private static final Logger LOG = LoggerFactory.getLogger(MeshLeader.class);
    private static final int MAX_RANGE = 1000;
    private static final long FULL_SYNC_INTERVAL_MS = 30_000;

    private final MeshSettings settings;
    private final String node;
    private final ChannelStore store;
    private final ChannelSequencer sequencer;
    private final ScheduledExecutorService timer;
    private final Executor worker;
    private final Links links;
    private final InterestTable interest;
    private final ReplicaWriter replicas;
    private final ChannelCredentials credentials;
    private final MeshView view;
    private final Homes homes;
    private final Reconciler reconciler;
    private final Liveness liveness;
    private final HomeControl control;
    private final PublishLanes lanes;
    private final ForwardOrder forwardOrder = new ForwardOrder(100_000);
    /** This leader's forwarding session: see {@code PublishForward.origin_session}. */
    private final String session = java.util.UUID.randomUUID().toString();
    private final AtomicLong forwardOrders = new AtomicLong();
    private final java.util.function.BooleanSupplier successorExists;
    private final Map<String, LinkDialer> dialers = new HashMap<>();
    private final AtomicLong nonces = new AtomicLong();
    private final Counter deliveriesIn;
    private final Counter deliveriesOut;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile boolean stopped;

    MeshLeader(MeshSettings settings, String node, ChannelStore store, RegionFanOut fanOut, InterestTable interest,
               MeshView view, ChannelCredentials credentials, ScheduledExecutorService timer, Executor worker,
               int batchMax, int queueMax, MeterRegistry meters, java.time.Clock clock, Set<String> inheritedLive,
               java.util.function.BooleanSupplier successorExists) {
        this.successorExists = successorExists;
        this.settings = settings;
        this.node = node;
        this.store = store;
        this.timer = timer;
        this.worker = worker;
        this.credentials = credentials;
        this.view = view;
        this.links = new Links(settings, timer, meters);
        this.liveness = new Liveness(settings, Homes.quorum(settings), clock, links::reachable, inheritedLive);
        this.control = new HomeControl(settings, liveness::live, view.overrides());
        this.homes = new Homes(settings, liveness::live, control::current);
        this.lanes = new PublishLanes(links, settings.region(), frame -> publishHere(frame.getPublish())
                .thenApply(o -> LinkFrame.newBuilder().setPublishOutcome(o).build()), queueMax);
        this.interest = interest;
        this.replicas = new ReplicaWriter(store, fanOut, links, settings.peers().keySet(), 10_000, meters);
        this.sequencer = new ChannelSequencer(store, fanOut, this, worker, batchMax, queueMax, meters);
        this.reconciler = new Reconciler(settings, store, links, homes, liveness, interest, fanOut, MAX_RANGE,
                meters);
        this.deliveriesIn = meters.counter("meshgate.mesh.deliveries", "direction", "in");
        this.deliveriesOut = meters.counter("meshgate.mesh.deliveries", "direction", "out");
    }

    void start() {
        Hello hello = Hello.newBuilder().setRegion(settings.region()).setNode(node).setProtocol(1).build();
        settings.peers().forEach((peer, addresses) -> {
            if (settings.dials(peer) && !addresses.isEmpty()) {
                LinkDialer dialer = new LinkDialer(peer, addresses, settings, credentials, timer, hello, this);
                dialers.put(peer, dialer);
                dialer.start();
            }
        });
        tasks.add(timer.scheduleWithFixedDelay(this::heartbeat, settings.heartbeatMs(), settings.heartbeatMs(),
                TimeUnit.MILLISECONDS));
        tasks.add(timer.scheduleWithFixedDelay(() -> worker.execute(this::fullSyncAll), FULL_SYNC_INTERVAL_MS,
                FULL_SYNC_INTERVAL_MS, TimeUnit.MILLISECONDS));
        LOG.info("mesh leader of region {} is node {}; peers {}", settings.region(), node, settings.peers().keySet());
    }

    // ---- links -----------------------------------------------------------------------------------------------

    @Override
    public MeshLink established(String peerRegion, String peerNode,
                                io.grpc.stub.ClientCallStreamObserver<LinkFrame> out) {
        return register(peerRegion, peerNode, out);
    }

    private MeshLink register(String peerRegion, String peerNode, CallStreamObserver<LinkFrame> out) {
        MeshLink link = new MeshLink(peerRegion, peerNode, out, timer, settings.linkQueueMax(),
                settings.emulatedOneWayNanos(peerRegion),
                new LinkHealth(peerRegion, settings.downAfterMissed(), settings.upAfterGood()));
        links.register(link);
        sendHeartbeat(link);
        return link;
    }

    /** A link dialed by the peer; its Hello already read. Only a leader takes links. */
    StreamObserver<LinkFrame> accept(Hello hello, ServerCallStreamObserver<LinkFrame> out,
                                     java.util.function.Consumer<Runnable> onReady) {
        String peer = hello.getRegion();
        MeshLink link = register(peer, hello.getNode(), out);
        onReady.accept(link::drain);
        link.offer(LinkFrame.newBuilder().setOrigin(settings.region()).setHello(Hello.newBuilder()
                .setRegion(settings.region()).setNode(node).setProtocol(1)).build());
        LOG.info("mesh link from region {} (node {}) is open", peer, hello.getNode());
        return new StreamObserver<>() {
            @Override
            public void onNext(LinkFrame frame) {
                LinkDialer.Callbacks self = MeshLeader.this;
                self.onFrame(link, frame);
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

    @Override
    public void closed(MeshLink link, Throwable cause) {
        links.unregister(link);
        if (stopped) {
            // The node is stopping: its Hazelcast may already be gone, and nothing is to be redialed.
            return;
        }
        LOG.warn("mesh link to region {} closed: {}", link.peerRegion(), cause == null ? "ended" : cause.toString());
        publishView();
        LinkDialer dialer = dialers.get(link.peerRegion());
        if (dialer != null && !stopped) {
            dialer.redial();
        }
    }

    private void heartbeat() {
        try {
            for (MeshLink link : links.all()) {
                sendHeartbeat(link);
            }
            publishView();
        } catch (RuntimeException e) {
            LOG.warn("heartbeat round failed: {}", e.toString());
        }
    }

    private void sendHeartbeat(MeshLink link) {
        long nonce = nonces.incrementAndGet();
        link.health().sending(nonce);
        link.offer(heartbeatFrame(nonce));
    }

    /** Nonce 0 (an extra heartbeat, e.g. to spread a home change now) is answered but never counts for health. */
    private LinkFrame heartbeatFrame(long nonce) {
        return LinkFrame.newBuilder().setOrigin(settings.region()).setHeartbeat(Heartbeat.newBuilder()
                .setNonce(nonce).setSentAtNanos(System.nanoTime()).putAllRttMicros(links.ownRow())
                .addAllLive(liveness.live()).setOverrides(control.current().toProto())).build();
    }

    @Override
    public void onFrame(MeshLink link, LinkFrame frame) {
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
            case HEARTBEAT -> {
                links.peerTable(link.peerRegion(), frame.getHeartbeat().getRttMicrosMap());
                liveness.peerView(link.peerRegion(), frame.getHeartbeat().getLiveList());
                if (control.learn(link.peerRegion(), frame.getHeartbeat().getOverrides())) {
                    publishView();
                }
                link.offer(LinkFrame.newBuilder().setOrigin(settings.region()).setHeartbeatAck(
                        HeartbeatAck.newBuilder().setNonce(frame.getHeartbeat().getNonce())
                                .setSentAtNanos(frame.getHeartbeat().getSentAtNanos())).build());
            }
            case HEARTBEAT_ACK -> {
                long rttMicros = (System.nanoTime() - frame.getHeartbeatAck().getSentAtNanos()) / 1000;
                if (link.health().answered(frame.getHeartbeatAck().getNonce(), rttMicros)) {
                    liveness.linked(link.peerRegion());
                    publishView();
                    worker.execute(() -> onLinkUp(link));
                }
            }
            case PUBLISH -> publishHere(frame.getPublish()).thenAccept(outcome ->
                    reply(link, from, LinkFrame.newBuilder().setPublishOutcome(outcome).build()));
            case RANGE_REQUEST -> answerRange(from, frame.getRangeRequest()).thenAccept(reply ->
                    reply(link, from, LinkFrame.newBuilder().setRangeReply(reply).build()));
            case INTEREST -> takeInterest(from, frame.getInterest());
            case DELIVERY -> takeDelivery(link, from, frame.getDelivery());
            case GOODBYE -> {
                LOG.info("mesh leader {} of region {} is leaving ({}); successor: {}", link.peerNode(),
                        link.peerRegion(), frame.getGoodbye().getReason(), frame.getGoodbye().getSuccessor());
                liveness.leaving(link.peerRegion(), frame.getGoodbye().getSuccessor());
                // Nothing more comes on this link: fail what waits on it now, not after the request timeout.
                link.markClosed();
                links.unregister(link);
                publishView();
            }
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

    /** Re-evaluates liveness from the links and publishes both to the region's nodes. */
    private void publishView() {
        Set<String> before = liveness.live();
        liveness.update();
        Set<String> after = liveness.live();
        for (String region : before) {
            if (!after.contains(region) && !region.equals(settings.region())) {
                links.failPendingTo(region);
            }
        }
        view.publish(links, after, control.current());
    }

    Liveness liveness() {
        return liveness;
    }

    HomeControl control() {
        return control;
    }

    /** A link came up (again): tell the peer everything we are interested in, and catch up what we missed. */
    private void onLinkUp(MeshLink link) {
        String peer = link.peerRegion();
        Set<String> ours;
        try {
            ours = store.channelsWithRoutes();
        } catch (RuntimeException e) {
            LOG.warn("interest of this region could not be read: {}", e.toString());
            return;
        }
        links.send(peer, LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().setFull(true)
                .addAllAdded(ours)).build());
        for (String channel : ours) {
            if (homes.home(channel).equals(peer)) {
                catchUp(peer, channel);
            }
        }
    }

    private void fullSyncAll() {
        try {
            Set<String> ours = store.channelsWithRoutes();
            LinkFrame update = LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().setFull(true)
                    .addAllAdded(ours)).build();
            for (String peer : settings.peers().keySet()) {
                links.send(peer, update);
            }
        } catch (RuntimeException e) {
            LOG.warn("periodic interest sync failed: {}", e.toString());
        }
    }

    /** Reads the replica's head and fetches from the home what came after it. */
    private void catchUp(String home, String channel) {
        store.read(channel, 0, 0).toCompletableFuture()
                .thenCompose(local -> sync(home, channel, local.head(), false))
                .whenComplete((r, failure) -> {
                    if (failure != null) {
                        LOG.debug("catch-up of {} from {} failed: {}", channel, home, failure.toString());
                    }
                });
    }

    /** Asks the home for what follows {@code after} (registering interest if asked), stores it, returns the reply. */
    CompletableFuture<RangeReply> sync(String home, String channel, long after, boolean registerInterest) {
        return links.request(home, id -> LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder()
                        .setChannel(channel).setAfterSeq(after).setMaxMessages(MAX_RANGE)
                        .setRegisterInterest(registerInterest).setRequestId(id)).build())
                .thenCompose(frame -> {
                    RangeReply reply = frame.getRangeReply();
                    List<Message> messages = DeliveryCodec.fromProto(reply.getMessagesList());
                    boolean reset = !messages.isEmpty() && messages.get(0).seq() != after + 1;
                    return replicas.store(home, channel, messages, reset, reply.getTerm()).thenApply(r -> reply);
                });
    }

    // ---- the home side ---------------------------------------------------------------------------------------

    private CompletableFuture<PublishOutcome> publishHere(PublishForward publish) {
        PublishOutcome.Builder outcome = PublishOutcome.newBuilder().setRequestId(publish.getRequestId())
                .setChannel(publish.getChannel());
        if (!ChannelNames.isValid(publish.getChannel()) || publish.getId().isEmpty()) {
            return CompletableFuture.completedFuture(outcome.setError("bad channel or id").build());
        }
        if (!forwardOrder.admit(publish.getOriginSession(), publish.getChannel(), publish.getOriginOrder())) {
            return CompletableFuture.completedFuture(outcome.setError("overtaken by a later publish of the same"
                    + " sender on another path").build());
        }
        String home = homes.home(publish.getChannel());
        if (!home.equals(settings.region()) || (homes.rehomes() && !liveness.canServe())) {
            return CompletableFuture.completedFuture(outcome.setError("region " + settings.region()
                    + " is not the home of " + publish.getChannel() + " (" + home + " is)").build());
        }
        return sequencer.publish(publish.getChannel(), new PublishRequest(publish.getId(), publish.getDataJson()))
                .handle((sequenced, failure) -> failure != null
                        ? outcome.setError(String.valueOf(failure.getMessage())).build()
                        : outcome.setEpoch(sequenced.position().epoch()).setSeq(sequenced.position().seq()).build());
    }

    private CompletableFuture<RangeReply> answerRange(String from, RangeRequest request) {
        RangeReply.Builder reply = RangeReply.newBuilder().setChannel(request.getChannel())
                .setRequestId(request.getRequestId());
        if (!ChannelNames.isValid(request.getChannel())) {
            return CompletableFuture.completedFuture(reply.setError("bad channel name").build());
        }
        int max = (int) Math.min(Integer.toUnsignedLong(request.getMaxMessages()), MAX_RANGE);
        if (request.getFenceTerm() > 0) {
            return store.fence(request.getChannel(), request.getFenceTerm(), from, max).toCompletableFuture()
                    .handle((fenced, failure) -> {
                        if (failure != null) {
                            return reply.setError("fencing failed: " + failure.getMessage()).build();
                        }
                        Range held = fenced.held();
                        reply.setFence(fenced.fence()).setFenceGranted(fenced.granted()).setTerm(held.term())
                                .setDurableSeq(fenced.durable()).setEpoch(held.epoch()).setHeadSeq(held.head());
                        held.messages().forEach(m -> reply.addMessages(DeliveryCodec.toProto(m)));
                        fenced.seenIds().forEach(seen -> reply.addSeenIds(io.meshgate.proto.relay.SeenId.newBuilder()
                                .setId(seen.id()).setEpoch(seen.epoch()).setSeq(seen.seq()).setTs(seen.ts())));
                        return reply.setInterested(fenced.interested()).build();
                    });
        }
        if (request.getRegisterInterest()) {
            interest.add(from, List.of(request.getChannel()));
        }
        String channel = request.getChannel();
        Supplier<CompletableFuture<Range>> reading = () -> (request.getIncludeUndurable()
                ? store.readRaw(channel, request.getAfterSeq(), max)
                : store.read(channel, request.getAfterSeq(), max)).toCompletableFuture();
        return reading.get().thenCompose(range -> {
            if (!homes.home(channel).equals(settings.region()) || settings.region().equals(range.owner())) {
                return CompletableFuture.completedFuture(range);
            }
            // Homed here but not reconciled yet (new, restarted empty, or just taken over): what this region holds
            // may be behind the channel's head, which readers must be told (protocol: the head is the channel's).
            return reconciler.reconcile(channel).handle((ok, failure) -> failure)
                    .thenCompose(failure -> failure == null ? reading.get() : CompletableFuture.completedFuture(range));
        }).handle((range, failure) -> {
            if (failure != null) {
                return reply.setError("history read failed: " + failure.getMessage()).build();
            }
            reply.setEpoch(range.epoch()).setHeadSeq(range.head()).setGapFrom(range.gapFrom())
                    .setGapTo(range.gapTo()).setTerm(range.term());
            range.messages().forEach(m -> reply.addMessages(DeliveryCodec.toProto(m)));
            return reply.build();
        });
    }

    private void takeInterest(String from, InterestUpdate update) {
        if (update.getFull()) {
            interest.replace(from, update.getAddedList());
        } else {
            interest.add(from, update.getAddedList());
            interest.remove(from, update.getRemovedList());
        }
    }

    private void takeDelivery(MeshLink arrival, String from, Delivery delivery) {
        deliveriesIn.increment();
        if (!ChannelNames.isValid(delivery.getChannel())) {
            return;
        }
        replicas.store(from, delivery.getChannel(), DeliveryCodec.fromProto(delivery), false, delivery.getTerm())
                .thenAccept(result -> {
                    if (delivery.getRequestId() != 0) {
                        Stored.Builder stored = Stored.newBuilder().setRequestId(delivery.getRequestId())
                                .setChannel(delivery.getChannel());
                        if (result != null && result.refused()) {
                            stored.setFence(result.refusedByFence());
                        } else {
                            stored.setStoredThrough(result == null ? 0 : result.head());
                        }
                        reply(arrival, from, LinkFrame.newBuilder().setStored(stored).build());
                    }
                });
    }

    // ---- Replication: what the home's sequencer calls ----------------------------------------------------------

    @Override
    public boolean awaitsStore(String channel) {
        if (settings.durability() != Durability.REGION) {
            return false;
        }
        if (homes.rehomes()) {
            // Another region may take the channel over whenever this one is cut off, so nothing is acked from here
            // alone: a cut-off home nacks instead of forking the channel.
            return true;
        }
        for (String peer : settings.peers().keySet()) {
            if (links.reachable(peer)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String homeRegion() {
        return settings.region();
    }

    @Override
    public CompletionStage<Void> reconcile(String channel) {
        return reconciler.reconcile(channel);
    }

    @Override
    public Sent send(String channel, long term, List<Message> messages) {
        if (messages.isEmpty()) {
            return new Sent(CompletableFuture.completedFuture(0L), Set.of());
        }
        boolean await = awaitsStore(channel);
        Set<String> targets = new TreeSet<>();
        for (String region : interest.regionsFor(channel)) {
            if (links.reachable(region)) {
                targets.add(region);
            }
        }
        if (await && targets.isEmpty()) {
            // Nobody else listens, but durability needs a second region: the one that would take the channel over.
            for (String region : homes.rank(channel)) {
                if (!region.equals(settings.region()) && links.reachable(region)) {
                    targets.add(region);
                    break;
                }
            }
        }
        Delivery delivery = DeliveryCodec.toProto(channel, messages).toBuilder().setTerm(term).build();
        if (!await) {
            targets.forEach(region -> sendDelivery(region, delivery));
            return new Sent(CompletableFuture.completedFuture(0L), targets);
        }
        if (targets.isEmpty()) {
            return new Sent(CompletableFuture.failedFuture(new MeshUnavailableException(
                    "no other region is reachable to store the message")), targets);
        }
        long last = messages.get(messages.size() - 1).seq();
        CompletableFuture<Long> stored = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        for (String region : targets) {
            storeIn(region, channel, term, delivery, last).whenComplete((through, failure) -> {
                if (failure == null) {
                    stored.complete(through);
                } else if (failures.incrementAndGet() == targets.size()) {
                    storeElsewhere(channel, term, delivery, last, targets, failure, stored);
                }
            });
        }
        return new Sent(stored, targets);
    }

    /**
     * Every target failed (a region leaving, a link that ended): rather than nack, stores the batch in one more
     * reachable region, the one that would take the channel over. It fetches whatever it lacks before the batch
     * from here, so the batch alone is enough.
     */
    private void storeElsewhere(String channel, long term, Delivery delivery, long last, Set<String> tried,
                                Throwable failure, CompletableFuture<Long> stored) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof FencedException) {
            stored.completeExceptionally(cause);
            return;
        }
        for (String region : homes.rank(channel)) {
            if (!region.equals(settings.region()) && !tried.contains(region) && links.reachable(region)) {
                storeIn(region, channel, term, delivery, last).whenComplete((through, again) -> {
                    if (again == null) {
                        stored.complete(through);
                    } else {
                        stored.completeExceptionally(again);
                    }
                });
                return;
            }
        }
        stored.completeExceptionally(cause);
    }

    /** Asks one region to store the delivery; completes with its stored-through seq once that covers {@code last}. */
    private CompletableFuture<Long> storeIn(String region, String channel, long term, Delivery delivery, long last) {
        deliveriesOut.increment();
        return links.request(region, id -> LinkFrame.newBuilder().setDelivery(delivery.toBuilder().setRequestId(id))
                        .build())
                .thenApply(reply -> {
                    long through = reply.getStored().getStoredThrough();
                    long fence = reply.getStored().getFence();
                    if (fence > 0) {
                        LOG.info("region {} refused channel {} of term {}: it promised term {} to a newer home",
                                region, channel, term, fence);
                        store.learnFence(channel, fence);
                        throw new FencedException("region " + region + " follows a newer home of the channel");
                    }
                    if (through < last) {
                        throw new MeshUnavailableException("region " + region + " stored only up to seq " + through);
                    }
                    return through;
                });
    }

    /** A region refused a store because a newer home fenced it: no other region may be asked instead. */
    private static final class FencedException extends RuntimeException {
        FencedException(String message) {
            super(message, null, false, false);
        }
    }


    @Override
    public void sendToLateInterest(String channel, long term, List<Message> messages, Set<String> alreadySentTo) {
        if (messages.isEmpty()) {
            return;
        }
        Delivery delivery = null;
        for (String region : interest.regionsFor(channel)) {
            if (!alreadySentTo.contains(region)) {
                if (delivery == null) {
                    delivery = DeliveryCodec.toProto(channel, messages).toBuilder().setTerm(term).build();
                }
                sendDelivery(region, delivery);
            }
        }
    }

    private void sendDelivery(String region, Delivery delivery) {
        deliveriesOut.increment();
        // A refused frame is not lost for good: the region finds the hole at the next message or link sync.
        links.send(region, LinkFrame.newBuilder().setDelivery(delivery).build());
    }

    // ---- requests from this region's nodes ---------------------------------------------------------------------

    CompletableFuture<LinkFrame> forward(LinkFrame request) {
        String target = request.getTarget();
        switch (request.getKindCase()) {
            case PUBLISH -> {
                // The order is taken when the lane sends it, so it grows in the order publishes leave this region.
                return lanes.send(target, request.getPublish().getChannel(), id -> request.toBuilder().setPublish(
                        request.getPublish().toBuilder().setRequestId(id).setOriginSession(session)
                                .setOriginOrder(forwardOrders.incrementAndGet())).build());
            }
            case RANGE_REQUEST -> {
                RangeRequest range = request.getRangeRequest();
                if (range.getRegisterInterest()) {
                    broadcastInterest(List.of(range.getChannel()), List.of());
                    return sync(target, range.getChannel(), range.getAfterSeq(), true)
                            .thenApply(reply -> LinkFrame.newBuilder().setRangeReply(reply).build());
                }
                if (target.equals(settings.region())) {
                    return answerRange(settings.region(), range)
                            .thenApply(reply -> LinkFrame.newBuilder().setRangeReply(reply).build());
                }
                return links.request(target, id -> request.toBuilder().setRangeRequest(
                        range.toBuilder().setRequestId(id)).build());
            }
            case INTEREST -> {
                for (String channel : request.getInterest().getRemovedList()) {
                    store.hasRoutes(channel).thenAccept(still -> {
                        if (!still) {
                            broadcastInterest(List.of(), List.of(channel));
                        }
                    });
                }
                return CompletableFuture.completedFuture(LinkFrame.getDefaultInstance());
            }
            case HOME_CHANGE -> {
                io.meshgate.proto.relay.HomeChange answer = control.change(request.getHomeChange());
                if (answer.getChanged()) {
                    // Spread now, not a heartbeat interval later: the handovers start when the regions agree.
                    links.all().forEach(link -> link.offer(heartbeatFrame(0)));
                    publishView();
                }
                return CompletableFuture.completedFuture(LinkFrame.newBuilder().setHomeChange(answer).build());
            }
            default -> {
                return CompletableFuture.failedFuture(new MeshUnavailableException(
                        "cannot forward a " + request.getKindCase() + " frame"));
            }
        }
    }

    private void broadcastInterest(List<String> added, List<String> removed) {
        LinkFrame update = LinkFrame.newBuilder().setInterest(InterestUpdate.newBuilder().addAllAdded(added)
                .addAllRemoved(removed)).build();
        for (String peer : settings.peers().keySet()) {
            links.send(peer, update);
        }
    }

    Links links() {
        return links;
    }

    InterestTable interest() {
        return interest;
    }

    void stop() {
        boolean successor;
        try {
            successor = successorExists.getAsBoolean();
        } catch (RuntimeException e) {
            successor = false;
        }
        LinkFrame goodbye = LinkFrame.newBuilder().setOrigin(settings.region()).setGoodbye(Goodbye.newBuilder()
                .setSuccessor(successor).setReason("node " + node + " is stopping")).build();
        stopped = true;
        for (MeshLink link : links.all()) {
            link.closeWith(goodbye);
        }
        interest.stop();
        tasks.forEach(t -> t.cancel(false));
        dialers.values().forEach(LinkDialer::stop);
        links.closeAll();
    }
}
