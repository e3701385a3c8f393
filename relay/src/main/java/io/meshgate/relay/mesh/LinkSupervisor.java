package io.meshgate.relay.mesh;

import io.grpc.stub.CallStreamObserver;
import io.meshgate.proto.relay.Goodbye;
import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.HeartbeatAck;
import io.meshgate.proto.relay.Hello;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.link.MeshEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Link supervision, one role of the {@link MeshLeader}: opens and closes links (hello, goodbye, redial), sends a
 * heartbeat on every link each interval and reads the answers into each link's {@link LinkHealth} (its
 * {@link LinkHealth.LinkState}, whose every transition is logged with its reason), and re-evaluates the region's
 * {@link Liveness} view from that, failing requests to a region that left it and publishing it for the region's
 * nodes through {@link MeshView}.
 *
 * <p>Threads: every method runs on the leader's {@link Conductor} (tests call them on one thread in its place), so
 * liveness changes in one order, except {@link #answer} and {@link #answered}: they run on the transport thread a
 * heartbeat or its answer arrives on, so what the failure detector measures is the link and the peer's process,
 * not how much work waits for either side's conductor (a busy conductor on a loaded machine had made a link that
 * answers in milliseconds miss four heartbeats in a row). They touch only the link's own thread-safe parts (its
 * queue and {@link LinkHealth}) and hand what follows to the conductor. Publishing the view (a Hazelcast write) runs
 * on the worker, always with the state current when it runs, and {@code linkUp} is handed the peer on the conductor.
 */
final class LinkSupervisor {
    private static final Logger LOG = LoggerFactory.getLogger(LinkSupervisor.class);

    private final MeshSettings settings;
    private final String node;
    private final Links links;
    private final Liveness liveness;
    private final ScheduledExecutorService timer;
    private final Consumer<Set<String>> viewPublisher;
    private final Consumer<String> linkUp;
    private final Consumer<String> redial;
    private final LongSupplier nanoTime;
    private long nonces;
    private boolean stopped;

    /**
     * @param viewPublisher publishes the links and the given live set for the region's nodes (see {@link MeshView})
     * @param linkUp        told the peer region whose link just turned up (interest and catch-up follow)
     * @param redial        told the peer region whose link this side dials and that just closed
     * @param nanoTime      the monotonic clock heartbeats carry to measure RTT
     */
    /** Runtime faults an operator injected (see {@code admin.faults}); applied to every frame a link sends. */
    private final Faults faults;
    /** Counts the failure detector's state changes for the metrics. */
    private final DetectorTransitions transitions;
    /** The operators' home overrides: every heartbeat carries this region's table, and a newer one heard is taken. */
    private final HomeControl control;

    LinkSupervisor(MeshSettings settings, String node, Links links, Liveness liveness, ScheduledExecutorService timer,
                   Consumer<Set<String>> viewPublisher, Consumer<String> linkUp, Consumer<String> redial,
                   LongSupplier nanoTime, Faults faults, DetectorTransitions transitions, HomeControl control) {
        this.settings = settings;
        this.control = control;
        this.faults = faults;
        this.transitions = transitions;
        this.node = node;
        this.links = links;
        this.liveness = liveness;
        this.timer = timer;
        this.viewPublisher = viewPublisher;
        this.linkUp = linkUp;
        this.redial = redial;
        this.nanoTime = nanoTime;
    }

    Hello hello() {
        return Hello.newBuilder().setRegion(settings.region()).setNode(node).setProtocol(MeshEndpoint.LINK_PROTOCOL).build();
    }

    /** A link object for a stream whose peer said hello; it carries nothing until {@link #opened}. */
    MeshLink newLink(String peerRegion, String peerNode, CallStreamObserver<LinkFrame> out) {
        return new MeshLink(peerRegion, peerNode, out, timer, settings.linkQueueMax(),
                settings.emulatedOneWayNanos(peerRegion),
                new LinkHealth(peerRegion, settings.downAfterMissed(), settings.upAfterGood(), settings.heartbeatMs(),
                        transitions::link),
                faults);
    }

    /** A link is open (dialed or accepted): it replaces any older one to the region and is probed at once. */
    void opened(MeshLink link, boolean accepted) {
        if (stopped) {
            link.close();
            return;
        }
        links.register(link);
        if (accepted) {
            link.offer(LinkFrame.newBuilder().setOrigin(settings.region()).setHello(hello()).build());
        }
        LOG.info("mesh link {} region {} (node {}) is open", accepted ? "from" : "to", link.peerRegion(),
                link.peerNode());
        sendHeartbeat(link);
    }

    /** A link's stream ended (or failed): it is gone, liveness follows, and this side redials if it dials. */
    void closed(MeshLink link, Throwable cause) {
        links.unregister(link);
        if (stopped) {
            // The node is stopping: its Hazelcast may already be gone, and nothing is to be redialed.
            return;
        }
        LOG.warn("mesh link to region {} closed: {}", link.peerRegion(), cause == null ? "ended" : cause.toString());
        publishView();
        redial.accept(link.peerRegion());
    }

    /** One heartbeat interval: probe every link (an unanswered probe counts as missed), then re-evaluate. */
    void heartbeatRound() {
        if (stopped) {
            return;
        }
        for (MeshLink link : links.all()) {
            sendHeartbeat(link);
        }
        publishView();
    }

    private void sendHeartbeat(MeshLink link) {
        long nonce = nonces + 1;
        if (link.health().sending(nonce, nanoTime.getAsLong())) {
            nonces = nonce;
            link.offer(heartbeatFrame(nonce));
        }
    }

    /**
     * An extra heartbeat on every link, to spread a home change now rather than an interval later. Its nonce 0 is
     * answered but never counts for the link's health.
     */
    void spreadNow() {
        for (MeshLink link : links.all()) {
            link.offer(heartbeatFrame(0));
        }
    }

    private LinkFrame heartbeatFrame(long nonce) {
        return LinkFrame.newBuilder().setOrigin(settings.region()).setHeartbeat(Heartbeat.newBuilder()
                .setNonce(nonce).setSentAtNanos(nanoTime.getAsLong()).putAllRttMicros(links.ownRow())
                .addAllLive(liveness.live()).setOverrides(control.current().toProto())).build();
    }

    /**
     * Transport thread, as the peer's heartbeat arrives: answer it on the same link at once, ahead of the conductor.
     * The rest of it (RTT row, liveness view, overrides) is {@link #heartbeat}'s, on the conductor.
     */
    void answer(MeshLink link, Heartbeat heartbeat) {
        link.offer(LinkFrame.newBuilder().setOrigin(settings.region()).setHeartbeatAck(HeartbeatAck.newBuilder()
                .setNonce(heartbeat.getNonce()).setSentAtNanos(heartbeat.getSentAtNanos())).build());
    }

    /**
     * The peer's heartbeat, already answered ({@link #answer}): take its RTT row and liveness view. When the peer has
     * just come to count this region live, liveness is re-evaluated now: a region coming back may serve as soon as its
     * peers say so (see {@link Liveness}), not a heartbeat round later.
     */
    void heartbeat(MeshLink link, Heartbeat heartbeat) {
        links.peerTable(link.peerRegion(), heartbeat.getRttMicrosMap());
        boolean countsUsLive = liveness.peerView(link.peerRegion(), link, heartbeat.getLiveList());
        if (control.learn(link.peerRegion(), heartbeat.getOverrides())) {
            viewPublisher.accept(liveness.live());
        }
        if (countsUsLive && !stopped) {
            publishView();
        }
    }

    /** What an answer to our heartbeat leaves for the conductor ({@link #afterAnswer}). */
    enum Answered {
        /** Nothing: an RTT sample on an up link, or a stale answer. */
        NOTHING,
        /** It turned the link up: liveness and the link-up work follow. */
        TURNED_UP,
        /** The link is still connecting and wants its next probe. */
        PROBE
    }

    /**
     * Transport thread, as the answer to our heartbeat arrives: an RTT sample taken now, before it waits for the
     * conductor; says what {@link #afterAnswer} is to do there.
     */
    Answered answered(MeshLink link, HeartbeatAck ack) {
        long rttMicros = (nanoTime.getAsLong() - ack.getSentAtNanos()) / 1000;
        if (link.health().answered(ack.getNonce(), rttMicros)) {
            return Answered.TURNED_UP;
        }
        return link.health().wantsProbe() ? Answered.PROBE : Answered.NOTHING;
    }

    /** The answer to our heartbeat, on one thread (tests): {@link #answered}, then what follows on the conductor. */
    void heartbeatAck(MeshLink link, HeartbeatAck ack) {
        afterAnswer(link, answered(link, ack));
    }

    /**
     * Conductor, after {@link #answered}: the link-up work for a link the answer turned up, or a connecting link's
     * next probe.
     */
    void afterAnswer(MeshLink link, Answered answered) {
        if (answered == Answered.TURNED_UP) {
            liveness.linked(link.peerRegion());
            publishView();
            linkUp.accept(link.peerRegion());
        } else if (answered == Answered.PROBE && !stopped && link.health().wantsProbe()) {
            // A fresh link (a new leader's, after a handover or a restart) probes again at once rather than a
            // heartbeat interval later: it is up after upAfterGood round trips, not intervals. A link coming back
            // from DOWN keeps the interval, which is what damps a flapping one.
            sendHeartbeat(link);
        }
    }

    /** The peer's leader is stopping: nothing more comes on this link, so what waits on it fails now. */
    void goodbye(MeshLink link, Goodbye goodbye) {
        LOG.info("mesh leader {} of region {} is leaving ({}); successor: {}", link.peerNode(), link.peerRegion(),
                goodbye.getReason(), goodbye.getSuccessor());
        liveness.leaving(link.peerRegion(), goodbye.getSuccessor());
        link.markClosed();
        links.unregister(link);
        publishView();
    }

    /**
     * Re-evaluates liveness from the links, fails requests to regions that left it, and publishes both. A changed view
     * goes to the peers at once ({@link #spreadNow}) rather than with the next round's heartbeats: a region coming back
     * waits for its peers' heartbeats to count it live, and every round the news waits is a round of refused publishes.
     */
    void publishView() {
        Set<String> before = liveness.live();
        liveness.update();
        Set<String> after = liveness.live();
        for (String region : before) {
            if (!after.contains(region) && !region.equals(settings.region())) {
                links.failPendingTo(region);
            }
        }
        viewPublisher.accept(after);
        if (!before.equals(after) && !stopped) {
            spreadNow();
        }
    }

    /** This leader is stopping: every peer gets {@code goodbye} as the last frame of its link. */
    void stop(LinkFrame goodbye) {
        stopped = true;
        for (MeshLink link : links.all()) {
            link.closeWith(goodbye);
        }
    }
}
