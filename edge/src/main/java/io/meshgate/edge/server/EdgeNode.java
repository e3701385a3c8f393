package io.meshgate.edge.server;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
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
import io.meshgate.edge.session.SubjectRateLimiters;
import io.meshgate.edge.websocket.WebSocketEndpoint;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.link.RelayServer;
import io.meshgate.relay.link.RelayCredentials;
import io.meshgate.relay.link.RelayService;
import io.meshgate.relay.mesh.ChannelInspector;
import io.meshgate.relay.mesh.Mesh;
import io.meshgate.relay.publish.Publisher;
import io.meshgate.relay.publish.ChannelSequencer;
import io.meshgate.relay.region.RegionMember;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole node: its region member (Hazelcast), fan-out, sequencer, delivery feeds, the relay's gRPC server and the
 * edge. Started in dependency order and stopped in reverse.
 */
public final class EdgeNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EdgeNode.class);

    static {
        JvmDefaults.apply();
    }

    private final NodeSettings settings;
    private final PrometheusMeterRegistry meters;
    private final RegionMember region;
    private final ExecutorService feedPool;
    private final ExecutorService publishCompletions;
    private final ScheduledExecutorService timer;
    private final FeedRegistry feeds;
    private final RegionFanOut fanOut;
    private final PublishService publishes;
    private final WebSocketEndpoint webSockets;
    private final Readiness readiness;
    private final DrainController drain;
    private final MoveTargets moveTargets;
    private final EdgeServer server;
    private final RelayServer relay;
    private final Mesh mesh;
    private volatile boolean closed;

    private EdgeNode(NodeSettings settings) {
        this.settings = settings;
        EdgeSettings edge = settings.edge();
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        meters.config().commonTags("region", edge.region(), "node", edge.node()).meterFilter(new MetricDescriptions());
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        Clock clock = Clock.systemUTC();
        TokenVerifier tokens = TokenVerifier.create(settings.auth());
        // Checked before anything starts, so a bad certificate never leaves a half-started node behind.
        SSLContext sslContext = settings.tls() == null ? null : TlsContexts.create(settings.tls());
        io.grpc.ServerCredentials relayCredentials = secureStart(settings);

        // Every port first: a taken one is one clear sentence, before Hazelcast or Netty print pages about it.
        PortInUseException.check("edge", settings.bindHost(), edge.port(),
                "choose another with the demo's --port or the node's edgePort");
        PortInUseException.check("relay", settings.bindHost(), settings.relayPort(),
                "choose another with the demo's --port (relays use PORT+1000) or the node's relayPort");
        PortInUseException.check("cluster", settings.hazelcast().bindHost(), settings.hazelcast().port(),
                "choose another with the demo's --cluster-port or the node's clusterPort");
        this.region = RegionMember.start(settings.hazelcast(), settings.history());
        meters.gauge("meshgate.region.members", region, r -> r.isRunning() ? r.clusterSize() : 0);
        // Channels the region holds state for: channels with subscribers or messages; idle ones are swept away.
        meters.gauge("meshgate.region.channels", region, r -> r.isRunning() ? r.store().channelCount() : 0);
        int cores = Runtime.getRuntime().availableProcessors();
        this.feedPool = Executors.newFixedThreadPool(Math.max(2, cores), daemon("feed-" + edge.node()));
        this.publishCompletions = Executors.newFixedThreadPool(2, daemon("publish-" + edge.node()));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("edge-timer-" + edge.node()));
        this.mesh = settings.mesh() == null ? null : new Mesh(settings.mesh(), edge.node(), region, timer,
                publishCompletions, settings.publishBatchMax(), settings.publishQueueMax(), meters, clock);
        this.feeds = new FeedRegistry(mesh == null ? region.store() : mesh.channels(), region.memberId(), feedPool,
                timer, settings.feeds(), clock, meters);
        this.fanOut = new RegionFanOut(region.hazelcast(), feeds, meters);
        this.moveTargets = new MoveTargets(region.hazelcast(), settings.peerWsUrls());
        region.onMemberLeft(member -> {
            feeds.onRegionMemberLeft();
            fanOut.forget(member);
            moveTargets.forget(member);
        });
        // With a mesh every publish goes to the channel's home through the region's leader, which sequences the
        // channels homed here; alone, every node sequences for itself.
        Publisher publisher = mesh != null ? mesh : new ChannelSequencer(region.store(), fanOut, publishCompletions,
                settings.publishBatchMax(), settings.publishQueueMax(), meters);
        this.publishes = new PublishService(publisher, meters);
        EdgeContext ctx = new EdgeContext(edge, tokens, feeds, publishes,
                new SubjectRateLimiters(edge.clientPublishesPerSecond(), 10_000),
                mesh == null ? region.store() : mesh.channels(), meters, clock, timer);
        this.webSockets = new WebSocketEndpoint(ctx);
        // In a mesh a node is ready only while its region may serve: it reaches a quorum of regions and has for
        // mesh.failbackHoldMs (see Mesh#canServe), so a load balancer never sends clients to a cut-off region.
        this.readiness = new Readiness(clock, edge.readyHoldMs(),
                mesh == null ? region::isRunning : mesh::canServe);
        this.drain = new DrainController(readiness, webSockets, publishes, edge.region(), edge.node(), this::moveTarget,
                edge.drainTimeoutMs(), edge.closeGraceMs());
        ServiceSwitch service = new ServiceSwitch(readiness, webSockets, moveTargets, this::wsUrl, drain, edge.region(),
                edge.node(), mesh == null ? java.util.Map.of() : settings.regionUrls(),
                other -> mesh != null && mesh.regionHealthy(other));
        this.server = new EdgeServer(ctx, settings.bindHost(), webSockets, new Directory(), readiness, drain, service,
                meters,
                sslContext, this::meshStatusJson, channel -> mesh == null ? edge.region() : mesh.home(channel),
                this::channelReportJson, new io.meshgate.edge.ops.HomeControlHandler(
                        mesh == null ? null : mesh::changeHomes, edge.node()));
        RelayService relayService = new RelayService(edge.region(), edge.node(), region.store());
        try {
            // Handlers only enqueue and return, so they run on the transport's thread: calls and frames from one
            // peer are then handled in the order they were sent, which keeps G6 for publishes forwarded by a node.
            this.relay = new RelayServer(NettyServerBuilder.forAddress(
                    new InetSocketAddress(settings.bindHost(), settings.relayPort()), relayCredentials)
                    .directExecutor(), relayService).start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("relay port " + settings.relayPort() + " could not be bound", e);
        }
        if (mesh != null) {
            relayService.attachMesh(mesh);
            mesh.start(fanOut, edge.host() + ":" + relay.port());
        }
        moveTargets.announce(wsUrl());
        if (mesh != null && !settings.regionUrls().isEmpty()) {
            CutOffMover cutOff = new CutOffMover(mesh::canServe, edge.region(), settings.regionUrls(), webSockets,
                    clock, settings.mesh().failbackHoldMs());
            timer.scheduleWithFixedDelay(cutOff::check, settings.mesh().heartbeatMs(), settings.mesh().heartbeatMs(),
                    TimeUnit.MILLISECONDS);
        }
        readiness.markStarted();
        LOG.info("node {}/{} ready: edge http://{}:{}, relay port {}, region epoch {}", edge.region(), edge.node(),
                edge.host(), server.port(), relay.port(), region.store().regionEpoch());
    }

    public static EdgeNode start(NodeSettings settings) {
        return new EdgeNode(settings);
    }

    /**
     * The checks {@link #start} makes before it binds anything, alone: every port beyond loopback authenticates its
     * peers (relay: {@code mesh.tls}; edge: {@code admin.token} and an {@code adminPort}) and the cluster port binds
     * one private address. Lets a deployment's configuration be checked without starting a node (called by tests
     * and tools on any thread).
     *
     * @throws IllegalStateException naming the key to set, exactly as {@link #start} would
     */
    public static void checkSecurity(NodeSettings settings) {
        secureStart(settings);
    }

    /** The start-time security checks; returns the relay port's credentials they chose. */
    private static io.grpc.ServerCredentials secureStart(NodeSettings settings) {
        io.grpc.ServerCredentials relayCredentials = RelayCredentials.forBind(settings.bindHost(),
                settings.relayTls());
        EdgeServer.checkExposure(settings.edge(), settings.bindHost());
        RegionMember.checkBind(settings.hazelcast());
        return relayCredentials;
    }

    /** Called once as the drain starts: this node stops being a target for others, and picks one for its clients. */
    private String moveTarget() {
        moveTargets.withdraw();
        return moveTargets.pick();
    }

    /** This region's entry in {@code /v1/regions}: the configured public URL, else this node's own address. */
    private final class Directory implements RegionDirectory {
        @Override
        public String self() {
            return settings.edge().region();
        }

        @Override
        public List<RegionInfo> regions() {
            if (mesh == null || settings.regionUrls().isEmpty()) {
                return List.of(info(self(), publicHttpUrl(), region.isRunning()));
            }
            List<RegionInfo> out = new java.util.ArrayList<>();
            settings.regionUrls().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey()).forEach(e -> {
                String http = e.getKey().equals(self()) ? publicHttpUrl() : e.getValue();
                out.add(info(e.getKey(), http, mesh.regionHealthy(e.getKey())));
            });
            return out;
        }

        private RegionInfo info(String name, String http, boolean healthy) {
            String base = http.endsWith("/") ? http.substring(0, http.length() - 1) : http;
            return new RegionInfo(name, CutOffMover.wsUrl(base), base, healthy);
        }
    }

    /** The mesh as this node sees it, for {@code GET /admin/mesh}; null when the node runs no mesh. */
    private String meshStatusJson() {
        return mesh == null ? null : json(mesh.status());
    }

    /** This region's view of a channel, for {@code GET /admin/channel}; null when the node runs no mesh. */
    private String channelReportJson(String channel) {
        return mesh == null ? null : json(new ChannelInspector(mesh, region).describe(channel));
    }

    private static String json(Object value) {
        try {
            return io.meshgate.edge.protocol.Json.MAPPER.writeValueAsString(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public Mesh mesh() {
        return mesh;
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
        return relay.port();
    }

    public RegionMember region() {
        return region;
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

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (webSockets != null) {
            webSockets.closeAll();
        }
        closeQuietly(mesh);
        closeQuietly(relay);
        closeQuietly(server);
        closeQuietly(fanOut);
        if (timer != null) {
            timer.shutdownNow();
        }
        closeQuietly(region);
        if (feedPool != null) {
            feedPool.shutdownNow();
        }
        if (publishCompletions != null) {
            publishCompletions.shutdownNow();
            try {
                publishCompletions.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.info("node {}/{} stopped", settings.edge().region(), settings.edge().node());
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", closeable.getClass().getSimpleName(), e.toString());
        }
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
