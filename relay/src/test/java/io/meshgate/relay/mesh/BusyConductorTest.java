package io.meshgate.relay.mesh;

import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.node.RelayNode;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.region.HazelcastSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, the failure detector on a loaded machine: a mesh leader's conductor that is busy for a second (here: one
 * task holding it, as a burst of work or a starved thread does) is not a dead region. Two one-node regions over real
 * gRPC on 127.0.0.1, heartbeats every 100 ms, a link down after 4 missed (400 ms). Before, the peer's heartbeats
 * waited behind the busy conductor unanswered, and the rounds that piled up behind it ran back to back when it was
 * free, each counting the last one's probe as missed: both sides took the link down, and with it each other's
 * region (re-homing every channel, for a link that answered in milliseconds all along).
 */
class BusyConductorTest {
    private static final long HEARTBEAT_MS = 100;
    private static final int DOWN_AFTER_MISSED = 4;
    private static final long BUSY_MS = 1_200;

    private final List<RelayNode> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(RelayNode::close);
    }

    @Test
    void aConductorBusyForLongerThanTheDetectorsTimeoutIsNotADeadRegion() throws Exception {
        int euRelay = free();
        int usRelay = free();
        RelayNode eu = start("eu-west", euRelay, "us-east", usRelay, 5_000);
        RelayNode us = start("us-east", usRelay, "eu-west", euRelay, 5_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> eu.canServe() && us.canServe()
                && eu.mesh().regionHealthy("us-east") && us.mesh().regionHealthy("eu-west"));

        List<String> lapses = new CopyOnWriteArrayList<>();
        CountDownLatch busyEnded = new CountDownLatch(1);
        Thread watch = new Thread(() -> {
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BUSY_MS + 2_000);
            while (System.nanoTime() < until) {
                if (!us.mesh().regionHealthy("eu-west")) {
                    lapses.add("us-east counted eu-west down");
                }
                if (!eu.mesh().regionHealthy("us-east")) {
                    lapses.add("eu-west counted us-east down");
                }
                if (!eu.canServe() || !us.canServe()) {
                    lapses.add("a region stopped serving");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "detector-watch");
        watch.start();
        eu.mesh().leaderConductor().event(() -> {
            try {
                Thread.sleep(BUSY_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                busyEnded.countDown();
            }
        });
        assertTrue(busyEnded.await(30, TimeUnit.SECONDS));
        watch.join(30_000);

        assertEquals(List.of(), lapses.stream().distinct().toList(), "a conductor busy for " + BUSY_MS
                + " ms (the detector's timeout is " + HEARTBEAT_MS * DOWN_AFTER_MISSED + " ms) took a region down");
    }

    /**
     * A leader stuck on one task is another thing: the peers must find out. Heartbeats are answered ahead of the
     * conductor only until its task has run for {@code mesh.requestTimeoutMs} (1 s here).
     */
    @Test
    void aConductorStuckOnOneTaskForARequestTimeoutIsADeadRegion() {
        int euRelay = free();
        int usRelay = free();
        RelayNode eu = start("eu-west", euRelay, "us-east", usRelay, 1_000);
        RelayNode us = start("us-east", usRelay, "eu-west", euRelay, 1_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> eu.canServe() && us.canServe()
                && us.mesh().regionHealthy("eu-west"));

        eu.mesh().leaderConductor().event(() -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await("us-east counts the stuck region down").atMost(Duration.ofMillis(2_900))
                .pollInterval(Duration.ofMillis(10)).until(() -> !us.mesh().regionHealthy("eu-west"));
        await("and live again once it is free").atMost(Duration.ofSeconds(30))
                .until(() -> us.mesh().regionHealthy("eu-west") && eu.canServe());
    }

    private RelayNode start(String region, int relayPort, String peer, int peerRelay, long requestTimeoutMs) {
        int clusterPort = free();
        MeshSettings mesh = new MeshSettings(region, Map.of(peer, List.of(new PeerAddress("127.0.0.1", peerRelay))),
                Durability.REGION, HEARTBEAT_MS, DOWN_AFTER_MISSED, 2, 1000, requestTimeoutMs, 1_000, 500, Map.of(),
                null);
        RelaySettings settings = new RelaySettings(region, region + "-1", "127.0.0.1", "127.0.0.1", relayPort,
                new HazelcastSettings("busy-conductor-" + region + "-" + clusterPort, "127.0.0.1", clusterPort,
                        List.of("127.0.0.1:" + clusterPort), 0),
                HistoryLimits.DEFAULTS, 256, 10_000, mesh, null);
        RelayNode node = new RelayNode(settings, new SimpleMeterRegistry(), Clock.systemUTC());
        nodes.add(node);
        node.start((channel, messages) -> { });
        return node;
    }

    private static int free() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
