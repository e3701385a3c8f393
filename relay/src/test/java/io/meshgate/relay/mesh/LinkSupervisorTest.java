package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.Goodbye;
import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.HeartbeatAck;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Link supervision on a manual clock, the test thread standing in for the conductor: no sleeps, every heartbeat
 * round and answer is a call. Shows how a link's {@link LinkHealth.LinkState} moves and what liveness, the view,
 * pending requests and redialing make of it.
 */
class LinkSupervisorTest {
    private static final long HEARTBEAT = 500;
    private static final long HOLD = 2_000;
    private static final long REQUEST_TIMEOUT = 60_000;

    private final ManualClock clock = new ManualClock();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MeshSettings settings = new MeshSettings("us-east",
            Map.of("eu-west", List.of(), "ap-south", List.of()), Durability.REGION, HEARTBEAT, 3, 2, 100,
            REQUEST_TIMEOUT, 5_000, HOLD, Map.of(), null);
    private final Links links = new Links(settings, timer, new SimpleMeterRegistry());
    private final Liveness liveness = new Liveness(settings, Homes.quorum(settings), clock, links::reachable,
            Set.of());
    private final List<Set<String>> published = new CopyOnWriteArrayList<>();
    private final List<String> linkedUp = new CopyOnWriteArrayList<>();
    private final List<String> redialed = new CopyOnWriteArrayList<>();
    private final LinkSupervisor supervisor = new LinkSupervisor(settings, "us-east-1", links, liveness, timer,
            published::add, linkedUp::add, redialed::add, () -> clock.millis() * 1_000_000,
            new Faults(settings.peers().keySet(), new java.util.Random(1)),
            new DetectorTransitions(new SimpleMeterRegistry(), settings),
            new HomeControl(settings, liveness::live, HomeOverrides.EMPTY));

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    private MeshLink open(String peer, RecordingStream stream, boolean accepted) {
        MeshLink link = supervisor.newLink(peer, peer + "-1", stream);
        supervisor.opened(link, accepted);
        return link;
    }

    /** The peer answers the latest probe written on its stream (not a nonce-0 heartbeat that only spreads the view). */
    private void answer(MeshLink link, RecordingStream stream) {
        LinkFrame last = null;
        for (LinkFrame frame : stream.frames) {
            if (frame.hasHeartbeat() && frame.getHeartbeat().getNonce() != 0) {
                last = frame;
            }
        }
        supervisor.heartbeatAck(link, HeartbeatAck.newBuilder().setNonce(last.getHeartbeat().getNonce())
                .setSentAtNanos(last.getHeartbeat().getSentAtNanos()).build());
    }

    private void round() {
        clock.advance(HEARTBEAT);
        supervisor.heartbeatRound();
    }

    @Test
    void anAcceptedLinkSaysHelloThenProbesAndIsUpAfterEnoughAnswers() {
        RecordingStream stream = new RecordingStream();
        MeshLink link = open("eu-west", stream, true);
        assertEquals(List.of(LinkFrame.KindCase.HELLO, LinkFrame.KindCase.HEARTBEAT),
                stream.frames.stream().map(LinkFrame::getKindCase).toList(), "hello first, then the first probe");
        assertEquals("us-east", stream.frames.get(0).getHello().getRegion());
        assertEquals(LinkHealth.LinkState.CONNECTING, link.health().state());

        answer(link, stream);
        assertEquals(LinkHealth.LinkState.CONNECTING, link.health().state(), "one answer is not enough (upAfterGood 2)");
        assertTrue(linkedUp.isEmpty());
        assertEquals(2, stream.frames.stream().filter(LinkFrame::hasHeartbeat).count(),
                "a connecting link probes again on the answer, not a heartbeat interval later");

        answer(link, stream);
        assertEquals(LinkHealth.LinkState.UP, link.health().state(), "up after two round trips, with no round");
        assertEquals(List.of("eu-west"), linkedUp, "the link-up work is started once");
        assertTrue(links.reachable("eu-west"));
        assertFalse(liveness.live().contains("eu-west"), "reached, but not yet for the fail-back hold");

        clock.advance(HOLD);
        supervisor.heartbeatRound();
        answer(link, stream);
        assertTrue(liveness.live().contains("eu-west"), "live once reached for the hold");
        assertEquals(liveness.live(), published.get(published.size() - 1), "the view published is liveness's");
        assertEquals(List.of("eu-west"), linkedUp, "answers on an up link start nothing more");
    }

    @Test
    void unansweredHeartbeatsTakeTheLinkDownAndFailWhatWaitsOnTheRegion() {
        RecordingStream stream = new RecordingStream();
        MeshLink link = open("eu-west", stream, false);
        assertEquals(LinkFrame.KindCase.HEARTBEAT, stream.frames.get(0).getKindCase(), "a dialed link sends no hello");
        answer(link, stream);
        answer(link, stream);
        clock.advance(HOLD);
        supervisor.heartbeatRound();
        answer(link, stream);
        assertTrue(liveness.live().contains("eu-west"));
        CompletableFuture<LinkFrame> waiting = links.request("eu-west", id -> LinkFrame.getDefaultInstance());

        round(); // sent, not answered
        round(); // 1 missed
        round(); // 2 missed
        assertEquals(LinkHealth.LinkState.UP, link.health().state(), "two misses are tolerated (downAfterMissed 3)");
        assertFalse(waiting.isDone());
        round(); // 3 missed
        assertEquals(LinkHealth.LinkState.DOWN, link.health().state());
        assertFalse(liveness.live().contains("eu-west"), "no path reaches it");
        assertTrue(waiting.isCompletedExceptionally(), "a request to a region that left liveness fails now, "
                + "not after the " + REQUEST_TIMEOUT + " ms request timeout");

        answer(link, stream);
        assertEquals(LinkHealth.LinkState.DOWN, link.health().state(), "up again only after upAfterGood answers");
        round();
        answer(link, stream);
        assertEquals(LinkHealth.LinkState.UP, link.health().state());
        assertEquals(List.of("eu-west", "eu-west"), linkedUp, "each time it turns up, the link-up work runs again");
        assertFalse(liveness.live().contains("eu-west"), "a region that came back waits out the hold again");
    }

    /** The live set carried by the last heartbeat written on the stream. */
    private static List<String> lastViewSent(RecordingStream stream) {
        List<String> last = null;
        for (LinkFrame frame : stream.frames) {
            if (frame.hasHeartbeat()) {
                last = frame.getHeartbeat().getLiveList();
            }
        }
        return last;
    }

    /** Two links up, as at the start of a test. */
    private MeshLink upLink(String peer, RecordingStream stream) {
        MeshLink link = open(peer, stream, false);
        answer(link, stream);
        answer(link, stream);
        assertEquals(LinkHealth.LinkState.UP, link.health().state());
        return link;
    }

    /** The peer's heartbeat on the link, carrying its live set. */
    private void peerSays(MeshLink link, String... live) {
        supervisor.heartbeat(link, Heartbeat.newBuilder().setNonce(1).addAllLive(List.of(live)).build());
    }

    @Test
    void aChangedViewGoesToThePeersAtOnceNotWithTheNextRound() {
        RecordingStream stream = new RecordingStream();
        upLink("eu-west", stream);
        clock.advance(HOLD);
        supervisor.heartbeatRound();
        assertTrue(liveness.live().contains("eu-west"), "the round ended the hold");
        assertTrue(lastViewSent(stream).contains("eu-west"),
                "the round's probe carried the view before the hold ended; an extra heartbeat carries the new one now,"
                        + " a heartbeat interval earlier");
        long spread = stream.frames.stream().filter(f -> f.hasHeartbeat() && f.getHeartbeat().getNonce() == 0).count();
        supervisor.heartbeatRound();
        assertEquals(spread, stream.frames.stream().filter(f -> f.hasHeartbeat() && f.getHeartbeat().getNonce() == 0)
                .count(), "an unchanged view waits for the rounds");
    }

    @Test
    void aRegionComingBackServesAsSoonAsTheLastPeerCountsItLiveAgain() {
        RecordingStream eu = new RecordingStream();
        RecordingStream ap = new RecordingStream();
        MeshLink euLink = upLink("eu-west", eu);
        MeshLink apLink = upLink("ap-south", ap);
        peerSays(euLink, "eu-west", "ap-south");
        peerSays(apLink, "eu-west", "ap-south");
        clock.advance(HOLD);
        supervisor.heartbeatRound();
        assertEquals(Set.of("eu-west", "ap-south"), liveness.live(), "the peers count it down: it waits for them");

        peerSays(euLink, "eu-west", "ap-south", "us-east");
        assertFalse(liveness.canServe(), "ap-south still holds it");
        peerSays(apLink, "eu-west", "ap-south", "us-east");
        assertTrue(liveness.canServe(), "every peer counted it down, then live: no second hold, no round to wait");
        assertEquals(liveness.live(), published.get(published.size() - 1), "and the region's nodes are told");
        assertTrue(lastViewSent(eu).contains("us-east"), "and so are the peers");
    }

    @Test
    void aGoodbyeWithoutSuccessorEndsTheRegionAtOnceAndAClosedLinkIsRedialed() {
        RecordingStream stream = new RecordingStream();
        MeshLink link = open("eu-west", stream, false);
        answer(link, stream);
        answer(link, stream);
        clock.advance(HOLD);
        supervisor.heartbeatRound();
        assertTrue(liveness.live().contains("eu-west"));
        CompletableFuture<LinkFrame> waiting = links.request("eu-west", id -> LinkFrame.getDefaultInstance());

        supervisor.goodbye(link, Goodbye.newBuilder().setSuccessor(false).setReason("stopping").build());
        assertFalse(liveness.live().contains("eu-west"), "its last node left: down without waiting for heartbeats");
        assertTrue(link.isClosed());
        assertFalse(links.reachable("eu-west"));
        assertTrue(waiting.isCompletedExceptionally());

        supervisor.closed(link, null);
        assertEquals(List.of("eu-west"), redialed);

        supervisor.stop(LinkFrame.getDefaultInstance());
        RecordingStream late = new RecordingStream();
        MeshLink lateLink = open("ap-south", late, true);
        assertTrue(lateLink.isClosed(), "a stopping leader takes no new link");
        supervisor.closed(lateLink, null);
        assertEquals(List.of("eu-west"), redialed, "nor redials");
    }
}
