package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.ChannelHead;
import io.meshgate.proto.relay.HeartbeatAck;
import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.testkit.ManualClock;
import io.meshgate.relay.testkit.TestRegion;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When a home sends a quiet channel's head, to whom, and when it stops: over a real {@link Links} whose link to
 * eu-west is up (its stream recorded), the test thread standing in for the conductor's heartbeat rounds; and what
 * it sends a region whose interest it learnt again, read from a real one-member region's store.
 */
class HeadNoticesTest {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final MeshSettings settings = new MeshSettings("us-east",
            Map.of("eu-west", List.of(), "ap-south", List.of()), Durability.REGION, 500, 3, 2, 100, 60_000, 5_000,
            2_000, Map.of(), null);
    private final Links links = new Links(settings, timer, new SimpleMeterRegistry());
    private final RecordingStream euWest = new RecordingStream();
    /** eu-west has interest in every channel; ap-south (no link) in every one too, but is unreachable. */
    private final HeadNotices notices = new HeadNotices("us-east", null, null, links,
            channel -> Set.of("eu-west", "ap-south"), 3, new SimpleMeterRegistry());

    HeadNoticesTest() {
        ManualClock clock = new ManualClock();
        Liveness liveness = new Liveness(settings, Homes.quorum(settings), clock, links::reachable, Set.of());
        LinkSupervisor supervisor = new LinkSupervisor(settings, "us-east-1", links, liveness, timer, live -> { },
                peer -> { }, peer -> { }, () -> clock.millis() * 1_000_000,
                new Faults(settings.peers().keySet(), new java.util.Random(1)),
                new DetectorTransitions(new SimpleMeterRegistry(), settings),
                new HomeControl(settings, liveness::live, HomeOverrides.EMPTY));
        MeshLink link = supervisor.newLink("eu-west", "eu-west-1", euWest);
        supervisor.opened(link, false);
        for (int i = 0; i < 2; i++) {
            LinkFrame probe = euWest.frames.stream().filter(f -> f.hasHeartbeat() && f.getHeartbeat().getNonce() != 0)
                    .reduce((a, b) -> b).orElseThrow();
            supervisor.heartbeatAck(link, HeartbeatAck.newBuilder().setNonce(probe.getHeartbeat().getNonce())
                    .setSentAtNanos(probe.getHeartbeat().getSentAtNanos()).build());
        }
        assertTrue(links.reachable("eu-west"), "the link to eu-west is up");
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    /** Runs heartbeat rounds 1..{@code rounds}; returns the rounds in which eu-west got a notice of {@code channel}. */
    private List<Integer> roundsNoticing(String channel, int rounds) {
        List<Integer> noticed = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int before = heads(channel).size();
            notices.round();
            if (heads(channel).size() > before) {
                noticed.add(round);
            }
        }
        return noticed;
    }

    private List<ChannelHead> heads(String channel) {
        List<ChannelHead> out = new ArrayList<>();
        for (LinkFrame frame : euWest.frames) {
            if (frame.hasHeadNotice()) {
                frame.getHeadNotice().getHeadsList().stream().filter(h -> h.getChannel().equals(channel))
                        .forEach(out::add);
            }
        }
        return out;
    }

    @Test
    void aQuietChannelsHeadGoesOutAfterTwoWholeRoundsThenAtGrowingIntervalsThenNever() {
        notices.sequenced("chat:a", 4, 10);
        notices.sequenced("chat:a", 4, 12);

        assertEquals(List.of(3, 4, 8, 16, 32, 64), roundsNoticing("chat:a", 100));
        for (ChannelHead head : heads("chat:a")) {
            assertEquals(12, head.getSeq(), "the last batch's head");
            assertEquals(4, head.getTerm());
        }
        assertEquals(0, notices.tracked(), "forgotten after the last notice");
    }

    @Test
    void aBusyChannelSendsNothingAndEachPublishStartsItsQuietOver() {
        for (int seq = 1; seq <= 10; seq++) {
            notices.sequenced("chat:busy", 1, seq);
            notices.round();
            notices.round();
        }
        assertEquals(List.of(), heads("chat:busy"), "published every two rounds: never quiet");

        assertEquals(List.of(1, 2), roundsNoticing("chat:busy", 2), "quiet since the last publish's round");
        assertEquals(10, heads("chat:busy").get(0).getSeq());
    }

    @Test
    void aRegionWhoseInterestWasLostAndLearntAgainGetsTheHeadsOfThoseHomedHere() throws Exception {
        List<String> regions = List.of("us-east", "eu-west", "ap-south");
        String homedHere = channelHomedIn("us-east", regions);
        String homedElsewhere = channelHomedIn("ap-south", regions);
        try (TestRegion region = TestRegion.start(1, HistoryLimits.DEFAULTS)) {
            ChannelStore store = region.member(0).store();
            store.sequence(homedHere, List.of(new PublishRequest("a", "{}"), new PublishRequest("b", "{}"),
                    new PublishRequest("c", "{}"))).toCompletableFuture().get(30, TimeUnit.SECONDS);
            // This region holds messages of the other channel too (a replica): still not its head to tell.
            store.sequence(homedElsewhere, List.of(new PublishRequest("x", "{}"))).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            Homes homes = new Homes(settings, () -> Set.copyOf(regions), () -> HomeOverrides.EMPTY);
            HeadNotices atHome = new HeadNotices("us-east", store, homes, links, channel -> Set.of("eu-west"), 3,
                    new SimpleMeterRegistry());

            atHome.regained("eu-west", List.of(homedHere, homedElsewhere));

            await().atMost(Duration.ofSeconds(30)).until(() -> !heads(homedHere).isEmpty());
            assertEquals(3, heads(homedHere).get(0).getSeq(), "the channel's head as the home holds it");
            assertEquals(List.of(), heads(homedElsewhere), "a channel homed elsewhere is not this region's to tell");
        }
    }

    private static String channelHomedIn(String region, List<String> regions) {
        for (int i = 0; ; i++) {
            if (Rendezvous.home("notice:" + i, regions).equals(region)) {
                return "notice:" + i;
            }
        }
    }

    @Test
    void theTableIsBoundedAndAChannelBeyondItIsNotTracked() {
        notices.sequenced("chat:1", 1, 1);
        notices.sequenced("chat:2", 1, 1);
        notices.sequenced("chat:3", 1, 1);
        notices.sequenced("chat:4", 1, 1);
        notices.sequenced("chat:1", 1, 2);

        assertEquals(3, notices.tracked());
        roundsNoticing("", 3);
        assertEquals(1, heads("chat:1").size());
        assertEquals(0, heads("chat:4").size(), "untracked: the table was full");
    }
}
