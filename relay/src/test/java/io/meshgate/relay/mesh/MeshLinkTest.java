package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.Heartbeat;
import io.meshgate.proto.relay.LinkFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link's send queue: bounded, refuses beyond its bound, and writes in order only while the peer keeps up. */
class MeshLinkTest {
    private static final Faults NO_FAULTS = new Faults(java.util.Set.of(), new java.util.Random(1));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aFullQueueRefusesFramesAndDrainsInOrderWhenThePeerIsReadyAgain() {
        RecordingStream peer = new RecordingStream();
        MeshLink link = new MeshLink("eu-west", "eu-west-1", peer, timer, 3, 0,
                new LinkHealth("eu-west", 3, 1), NO_FAULTS);
        peer.ready = false;
        assertTrue(link.offer(frame(1)));
        assertTrue(link.offer(frame(2)));
        assertTrue(link.offer(frame(3)));
        assertFalse(link.offer(frame(4)), "the fourth frame is refused, not buffered");
        assertEquals(3, link.queued());
        assertTrue(peer.frames.isEmpty(), "nothing is written while the peer is not ready");
        peer.ready = true;
        link.drain();
        assertEquals(List.of(1L, 2L, 3L), nonces(peer));
        assertTrue(link.offer(frame(5)), "room again");
        assertEquals(List.of(1L, 2L, 3L, 5L), nonces(peer));
        link.close();
        assertFalse(link.offer(frame(6)), "a closed link takes nothing");
    }

    @Test
    void injectedFaultsDelayOrDropFramesInOrderUntilCleared() {
        RecordingStream peer = new RecordingStream();
        Faults faults = new Faults(java.util.Set.of("eu-west"), new java.util.Random(7));
        MeshLink link = new MeshLink("eu-west", "eu-west-1", peer, timer, 100, 0,
                new LinkHealth("eu-west", 3, 1), faults);
        faults.set("eu-west", new Faults.LinkFault(0, 0, 0, true), "test", "cut");
        assertTrue(link.offer(frame(1)), "a cut link loses the frame as the network would, the sender is not told");
        assertEquals(0, link.queued());
        faults.set("eu-west", new Faults.LinkFault(300, 50, 0, false), "test", "slow");
        long start = System.nanoTime();
        assertTrue(link.offer(frame(2)));
        assertTrue(link.offer(frame(3)));
        assertTrue(peer.frames.isEmpty(), "delayed, not written at once");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> peer.frames.size() == 2);
        assertTrue(System.nanoTime() - start >= 300_000_000L, "held for the injected latency");
        assertTrue(faults.clear("eu-west", "test", "done"));
        assertTrue(link.offer(frame(4)));
        assertEquals(List.of(2L, 3L, 4L), nonces(peer), "in order, nothing more lost, undelayed once cleared");
        assertThrows(IllegalArgumentException.class, () -> faults.set("mars", new Faults.LinkFault(1, 0, 0, false),
                "test", "unknown peer"));
        assertThrows(IllegalArgumentException.class, () -> new Faults.LinkFault(0, 0, 1.5, false));
    }

    private static LinkFrame frame(long nonce) {
        return LinkFrame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNonce(nonce)).build();
    }

    private static List<Long> nonces(RecordingStream peer) {
        return peer.frames.stream().map(f -> f.getHeartbeat().getNonce()).toList();
    }
}
