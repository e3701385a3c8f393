package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.PublishForward;
import io.meshgate.proto.relay.PublishOutcome;
import io.meshgate.proto.relay.StreamPosition;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * G6 across a reroute: a channel's publishes in flight on the direct link to the home are answered before the next
 * one goes through a relay region, so the later one cannot reach the home first.
 */
class PublishLanesTest {
    private static final Faults NO_FAULTS = new Faults(java.util.Set.of(), new java.util.Random(1));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aPublishWaitsForTheOldPathBeforeTakingTheNewOne() {
        MeshSettings settings = new MeshSettings("us-east", Map.of("eu-west", List.of(), "ap-south", List.of()),
                Durability.REGION, 500, 4, 1, 100, 5_000, 5_000, 0, Map.of(), null);
        Links links = new Links(settings, timer, new SimpleMeterRegistry());
        RecordingStream toHome = new RecordingStream();
        RecordingStream toRelay = new RecordingStream();
        MeshLink direct = up(new MeshLink("eu-west", "eu-west-1", toHome, timer, 100, 0,
                new LinkHealth("eu-west", 4, 1), NO_FAULTS));
        MeshLink relay = up(new MeshLink("ap-south", "ap-south-1", toRelay, timer, 100, 0,
                new LinkHealth("ap-south", 4, 1), NO_FAULTS));
        links.register(direct);
        links.register(relay);
        links.peerTable("ap-south", Map.of("eu-west", 1_000L));
        PublishLanes lanes = new PublishLanes(links, "us-east", frame -> CompletableFuture.failedFuture(
                new IllegalStateException("nothing is homed here")), 10);

        CompletableFuture<LinkFrame> first = lanes.send("eu-west", "ch", id -> publish(id, "p1"));
        assertEquals(List.of("p1"), ids(toHome));
        direct.health().down();
        CompletableFuture<LinkFrame> second = lanes.send("eu-west", "ch", id -> publish(id, "p2"));
        CompletableFuture<LinkFrame> other = lanes.send("eu-west", "other", id -> publish(id, "q1"));
        assertEquals(List.of("q1"), ids(toRelay), "another channel takes the new path at once");
        assertFalse(second.isDone());

        links.complete(toHome.frames.get(0).getPublish().getRequestId(), outcome(toHome.frames.get(0)));
        assertTrue(first.isDone());
        assertEquals(List.of("q1", "p2"), ids(toRelay), "p2 left only once p1 was answered");
        assertFalse(other.isDone());
    }

    private static MeshLink up(MeshLink link) {
        link.health().sending(1);
        link.health().answered(1, 1_000);
        return link;
    }

    private static LinkFrame publish(long id, String messageId) {
        return LinkFrame.newBuilder().setPublish(PublishForward.newBuilder().setRequestId(id).setChannel("ch")
                .setId(messageId).setDataJson("1")).build();
    }

    private static LinkFrame outcome(LinkFrame request) {
        return LinkFrame.newBuilder().setPublishOutcome(PublishOutcome.newBuilder()
                .setRequestId(request.getPublish().getRequestId())
                .setPosition(StreamPosition.newBuilder().setEpoch("e").setSeq(1))).build();
    }

    private static List<String> ids(RecordingStream peer) {
        return peer.frames.stream().map(f -> f.getPublish().getId()).toList();
    }
}
