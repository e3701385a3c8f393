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
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link's send queue: bounded, refuses beyond its bound, and writes in order only while the peer keeps up. */
class MeshLinkTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aFullQueueRefusesFramesAndDrainsInOrderWhenThePeerIsReadyAgain() {
        RecordingStream peer = new RecordingStream();
        MeshLink link = new MeshLink("eu-west", "eu-west-1", peer, timer, 3, 0,
                new LinkHealth("eu-west", 3, 1));
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

    private static LinkFrame frame(long nonce) {
        return LinkFrame.newBuilder().setHeartbeat(Heartbeat.newBuilder().setNonce(nonce)).build();
    }

    private static List<Long> nonces(RecordingStream peer) {
        return peer.frames.stream().map(f -> f.getHeartbeat().getNonce()).toList();
    }
}
