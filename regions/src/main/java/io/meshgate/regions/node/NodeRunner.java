package io.meshgate.regions.node;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.edge.server.NodeSettings;
import io.meshgate.edge.server.PortInUseException;
import io.meshgate.relay.node.RelaySettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Runs nodes until the process is told to stop, draining each on SIGTERM or an admin drain. */
public final class NodeRunner {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRunner.class);

    private NodeRunner() {
    }

    /** Runs one node in this process; returns the exit code. */
    public static int runUntilStopped(NodeSettings settings) {
        RelaySettings relay = settings.relay();
        LOG.info("starting node {}/{}: edge {}:{}, relay port {}, cluster port {} ({}), {}", settings.edge().region(),
                settings.edge().node(), settings.bindHost(), settings.edge().port(), relay.relayPort(),
                relay.cluster().port(), relay.cluster().kubernetesServiceDns() != null
                        ? "Kubernetes discovery via " + relay.cluster().kubernetesServiceDns()
                        : relay.cluster().members().size() + " listed members",
                relay.mesh() == null ? "no mesh" : "mesh to " + relay.mesh().peers().keySet());
        EdgeNode node;
        try {
            node = EdgeNode.start(settings);
        } catch (PortInUseException e) {
            LOG.error("node {} cannot start: {}", settings.edge().node(), e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            LOG.error("node {} failed to start: {}", settings.edge().node(), e.getMessage(), e);
            return 1;
        }
        return runUntilStopped(List.of(node));
    }

    /**
     * Blocks until every node has drained (admin call) or the JVM is asked to stop (SIGTERM / Ctrl-C), in which
     * case the shutdown hook drains them all first.
     */
    public static int runUntilStopped(List<EdgeNode> nodes) {
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("stop requested: draining {} node(s)", nodes.size());
            drainAndClose(nodes);
            stopped.countDown();
        }, "shutdown-drain");
        Runtime.getRuntime().addShutdownHook(hook);
        // An admin drain of every node (POST /admin/drain) ends the process too.
        CompletableFuture.allOf(nodes.stream().map(EdgeNode::whenDrained).toArray(CompletableFuture[]::new))
                .thenRun(() -> {
                    drainAndClose(nodes);
                    stopped.countDown();
                });
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static synchronized void drainAndClose(List<EdgeNode> nodes) {
        for (EdgeNode node : nodes) {
            try {
                node.drain("stopping").get(node.drainTimeoutMs() + 5_000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.warn("drain of a node did not finish: {}", e.toString());
            }
        }
        nodes.forEach(EdgeNode::close);
    }
}
