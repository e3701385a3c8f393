package io.meshgate.edge.server;

import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.edge.delivery.FeedRegistry;
import io.meshgate.edge.discovery.RegionDirectory;
import io.meshgate.edge.discovery.RegionInfo;
import io.meshgate.edge.ops.CutOffMover;
import io.meshgate.edge.ops.DrainController;
import io.meshgate.edge.ops.MoveTargets;
import io.meshgate.edge.ops.Readiness;
import io.meshgate.edge.ops.ServiceSwitch;
import io.meshgate.edge.session.PublishService;
import io.meshgate.edge.status.StatusBoard;
import io.meshgate.edge.session.SubjectRateLimiters;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import io.meshgate.relay.history.ChannelSource;
import io.meshgate.relay.node.MeshOperations;
import io.meshgate.relay.node.RegionMembers;
import io.meshgate.relay.node.RelayHealth;
import io.meshgate.relay.node.RelayInspector;
import io.meshgate.relay.node.RelayNode;
import io.meshgate.relay.node.RelaySettings;
import io.meshgate.relay.publish.Publisher;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static io.meshgate.relay.node.Lifecycle.closeQuietly;
import static io.meshgate.relay.node.Lifecycle.daemonThreads;

/**
 * A whole node, composed in one place: the node's {@link RelayNode} (Hazelcast, store, sequencing, fan-out, mesh,
 * gRPC; see its lifecycle) and the edge on top of it (delivery feeds, sessions, WebSocket and long-poll transports,
 * Undertow, readiness and drain). The edge sees the relay only through {@link Publisher}, {@link ChannelSource},
 * {@link io.meshgate.relay.fanout.LocalDelivery} (its {@link FeedRegistry}) and the ops views {@link RelayHealth},
 * {@link RelayInspector} and {@link RegionMembers}, plus {@link MeshOperations} on a node that runs a mesh (the status
 * page, {@code /admin/faults} and the changes of channel homes).
 *
 * <p>Started on the calling thread, in dependency order: every check that needs nothing running (certificates,
 * exposure, ports), the relay's region membership, the feeds, the relay's sequencing, mesh and gRPC, then the edge's
 * listeners; readiness turns true last. {@link #close} stops in reverse: clients first, then the edge's listeners,
 * then the relay. A planned stop drains first ({@link #drain}).
 */
public final class EdgeNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

    static {
        JvmDefaults.apply();
    }

    private final NodeSettings settings;
    private final PrometheusMeterRegistry meters;
    private final RelayNode relay;
    private final ExecutorService feedPool;
    private final ScheduledExecutorService timer;
    private final FeedRegistry feeds;
    private final PublishService publishes;
    private final WebSocketEndpoint webSockets;
    private final Readiness readiness;
    private final DrainController drain;
    private final MoveTargets moveTargets;
    private final EdgeServer server;
    private final StatusBoard status;
    private volatile boolean closed;

    private EdgeNode(NodeSettings settings) {
        this.settings = settings;
        EdgeSettings edge = settings.edge();
        RelaySettings relaySettings = settings.relay();
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.config().commonTags("region", edge.region(), "node", edge.node()).meterFilter(new MetricDescriptions());
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        Clock clock = Clock.systemUTC();
        TokenVerifier tokens = TokenVerifier.create(settings.auth(), clock);
        // Checked before anything starts, so a bad certificate never leaves a half-started node behind.
        SSLContext sslContext = settings.tls() == null ? null : TlsContexts.create(settings.tls());
        checkSecurity(settings);

        // Every port first: a taken one is one clear sentence, before Hazelcast or Netty print pages about it.
        PortInUseException.check("edge", settings.bindHost(), edge.port(),
                "choose another with the demo's --port or the node's edgePort");
        PortInUseException.check("relay", relaySettings.bindHost(), relaySettings.relayPort(),
                "choose another with the demo's --port (relays use PORT+1000) or the node's relayPort");
        PortInUseException.check("cluster", relaySettings.cluster().bindHost(), relaySettings.cluster().port(),
                "choose another with the demo's --cluster-port or the node's clusterPort");
        try {
            this.relay = new RelayNode(relaySettings, meters, clock);
            ChannelSource channels = relay.channels();
            RegionMembers members = relay.members();
            int cores = Runtime.getRuntime().availableProcessors();
            this.feedPool = Executors.newFixedThreadPool(Math.max(2, cores), daemonThreads("feed-" + edge.node()));
            this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("edge-timer-" + edge.node()));
            this.feeds = new FeedRegistry(channels, members.self(), feedPool, timer, settings.feeds(), clock, meters);
            this.moveTargets = new MoveTargets(members, settings.peerWsUrls());
            members.onMemberLeft(member -> {
                feeds.onRegionMemberLeft();
                moveTargets.forget(member);
            });
            Publisher publisher = relay.start(feeds);
            this.publishes = new PublishService(publisher, meters);
            EdgeContext ctx = new EdgeContext(edge, tokens, feeds, publishes,
                    new SubjectRateLimiters(edge.clientPublishesPerSecond(), 10_000), channels, meters, clock, timer);
            this.webSockets = new WebSocketEndpoint(ctx);
            // In a mesh a node is ready only while its region may serve: it reaches a quorum of regions and has for
            // mesh.failbackHoldMs (see RelayHealth#canServe), so a load balancer never sends clients to a cut-off
            // region.
            RelayHealth health = relay;
            RelayInspector inspector = relay;
            this.readiness = new Readiness(clock, edge.readyHoldMs(), health::canServe);
            this.drain = new DrainController(readiness, webSockets, publishes, edge.region(), edge.node(),
                    this::moveTarget, edge.drainTimeoutMs(), edge.closeGraceMs(), clock);
            // Null on a one-region node: the status page then shows this region alone, the mesh's admin calls 404.
            MeshOperations meshOperations = relay.meshOperations().orElse(null);
            // The status page reads the mesh through its MeshStatusView, the region's node rows and channels
            // through its RegionBoard.
            this.status = new StatusBoard(edge.region(), edge.node(), meshOperations, relay.regionBoard(),
                    meters, webSockets::sessionCount, clock);
            ServiceSwitch service = new ServiceSwitch(readiness, webSockets, moveTargets, this::wsUrl, drain,
                    edge.region(), edge.node(), inMesh() ? settings.regionUrls() : java.util.Map.of(),
                    other -> inMesh() && health.regionHealthy(other), r -> inMesh() && health.failedOver(r));
            this.server = new EdgeServer(ctx, settings.bindHost(), webSockets, new Directory(health), readiness, drain,
                    service, meters, sslContext, () -> json(inspector.meshStatus()), health::home,
                    channel -> json(withLocalSubscribers(inspector.describeChannel(channel), channel)), status,
                    meshOperations,
                    new io.meshgate.edge.ops.HomeControlHandler(
                            meshOperations == null ? null : meshOperations::changeHomes, edge.node()));
            moveTargets.announce(wsUrl());
            if (inMesh() && !settings.regionUrls().isEmpty()) {
                CutOffMover cutOff = new CutOffMover(health::canServe,
                        () -> readiness.everReady() || health.everServed(), edge.region(),
                        settings.regionUrls(),
                        webSockets, clock, relaySettings.mesh().failbackHoldMs());
                long every = relaySettings.mesh().heartbeatMs();
                timer.scheduleWithFixedDelay(cutOff::check, every, every, TimeUnit.MILLISECONDS);
                // A failed-over region stays out of service until restored, also across a restart of its nodes.
                timer.scheduleWithFixedDelay(() -> {
                    try {
                        service.followFailover();
                    } catch (RuntimeException e) {
                        // The mesh's view is unreadable for a moment (a restart, a stop): look again next round.
                        LOG.debug("failover check skipped: {}", e.toString());
                    }
                }, every, every, TimeUnit.MILLISECONDS);
            }
            status.start();
            readiness.markStarted();
        } catch (RuntimeException e) {
            // Nothing half-started stays behind: a node that cannot start stops what it started, then says why.
            close();
            throw e;
        }
        LOG.info("node {}/{} ready: edge http://{}:{}, relay port {}, region epoch {}", edge.region(), edge.node(),
                edge.host(), server.port(), relay.relayPort(), relay.regionEpoch());
    }

    public static EdgeNode start(NodeSettings settings) {
        return new EdgeNode(settings);
    }

    /**
     * The checks {@link #start} makes before it binds anything, alone: every port beyond loopback authenticates its
     * peers (relay: {@code mesh.tls}; edge: {@code admin.token} and an {@code adminPort}), the cluster port binds
     * one private address and, beyond loopback, has the region's {@code cluster.secret}. Lets a deployment's configuration be checked without starting a node (called by tests
     * and tools on any thread).
     *
     * @throws IllegalStateException naming the key to set, exactly as {@link #start} would
     */
    public static void checkSecurity(NodeSettings settings) {
        RelayNode.checkSecurity(settings.relay());
        EdgeServer.checkExposure(settings.edge(), settings.bindHost());
    }

    private boolean inMesh() {
        return settings.relay().mesh() != null;
    }

    /** Called once as the drain starts: this node stops being a target for others, and picks one for its clients. */
    private String moveTarget() {
        moveTargets.withdraw();
        return moveTargets.pick();
    }

    /** This region's entry in {@code /v1/regions}: the configured public URL, else this node's own address. */
    private final class Directory implements RegionDirectory {
        private final RelayHealth health;

        Directory(RelayHealth health) {
            this.health = health;
        }

        @Override
        public String self() {
            return settings.edge().region();
        }

        @Override
        public List<RegionInfo> regions() {
            if (!inMesh() || settings.regionUrls().isEmpty()) {
                return List.of(info(self(), publicHttpUrl(), health.canServe()));
            }
            List<RegionInfo> out = new java.util.ArrayList<>();
            settings.regionUrls().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
                String http = e.getKey().equals(self()) ? publicHttpUrl() : e.getValue();
                out.add(info(e.getKey(), http, health.regionHealthy(e.getKey())));
            });
            return out;
        }

        private RegionInfo info(String name, String http, boolean healthy) {
            String base = http.endsWith("/") ? http.substring(0, http.length() - 1) : http;
            return new RegionInfo(name, CutOffMover.wsUrl(base), base, healthy);
        }
    }

    /**
     * The relay's view of a channel plus {@code subscribersHere}, this node's own subscribers of it (the operators'
     * {@code channel C} adds them up over a region's nodes). Null stays null.
     */
    private java.util.Map<String, Object> withLocalSubscribers(java.util.Map<String, Object> view, String channel) {
        if (view == null) {
            return null;
        }
        java.util.Map<String, Object> out = new java.util.LinkedHashMap<>(view);
        out.put("subscribersHere", feeds.subscribers(channel));
        return out;
    }

    /** A relay view as JSON for the admin API; null stays null (the node runs no mesh: the handler answers 404). */
    private static String json(Object value) {
        if (value == null) {
            return null;
        }
        try {
            return io.meshgate.edge.protocol.Json.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node's relay; for tests and tools (the edge itself uses only the narrow views it was given). */
    public RelayNode relay() {
        return relay;
    }

    /** The region's URL as configured for clients, or this node's own when none is configured. */
    public String publicHttpUrl() {
        String configured = settings.edge().publicUrl();
        if (configured != null && !configured.isEmpty()) {
            return configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured;
        }
        return httpUrl();
    }

    /** This node's own base URL. */
    public String httpUrl() {
        return (settings.tls() != null ? "https://" : "http://") + settings.edge().host() + ":" + server.port();
    }

    /** This node's own WebSocket URL (not the region's public one). */
    public String wsUrl() {
        return (settings.tls() != null ? "wss://" : "ws://") + settings.edge().host() + ":" + server.port() + "/v1/ws";
    }

    public int edgePort() {
        return server.port();
    }

    /** The separate admin listener's port ({@code /admin/*}, {@code /metrics}); -1 when they are on the edge port. */
    public int adminPort() {
        return server.adminPort();
    }

    public int relayPort() {
        return relay.relayPort();
    }

    public PrometheusMeterRegistry meters() {
        return meters;
    }

    /** Drains (see {@link DrainController}); completes when the node may be closed. */
    public CompletableFuture<Void> drain(String reason) {
        return drain.drain(reason);
    }

    /** Completes when this node has drained (SIGTERM or {@code POST /admin/drain}); starts nothing. */
    public CompletableFuture<Void> whenDrained() {
        return drain.whenDrained();
    }

    public long drainTimeoutMs() {
        return settings.edge().drainTimeoutMs();
    }

    /** Stops the node in reverse start order: clients, the edge's listeners and timers, then the relay. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (webSockets != null) {
            webSockets.closeAll();
        }
        closeQuietly(status);
        closeQuietly(server);
        if (timer != null) {
            timer.shutdownNow();
        }
        closeQuietly(relay);
        if (feedPool != null) {
            feedPool.shutdownNow();
        }
        LOG.info("node {}/{} stopped", settings.edge().region(), settings.edge().node());
    }
}
