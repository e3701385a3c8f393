package io.meshgate.relay.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.map.IMap;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.meshgate.relay.fanout.DeliverySeal;
import io.meshgate.relay.fanout.LocalDelivery;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelSource;
import io.meshgate.relay.history.StoreSeal;
import io.meshgate.relay.link.RelayCredentials;
import io.meshgate.relay.link.RelayServer;
import io.meshgate.relay.link.RelayService;
import io.meshgate.relay.mesh.ChannelInspector;
import io.meshgate.relay.mesh.Mesh;
import io.meshgate.relay.publish.ChannelSequencer;
import io.meshgate.relay.publish.Publisher;
import io.meshgate.relay.region.ClusterSecret;
import io.meshgate.relay.region.IdempotentWrite;
import io.meshgate.relay.region.RegionMember;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.meshgate.relay.node.Lifecycle.closeQuietly;
import static io.meshgate.relay.node.Lifecycle.daemonThreads;

/**
 * One node's relay, the relay module's composition root: the region member (Hazelcast) and its channel store,
 * sequencing (this node's {@link ChannelSequencer}, or the {@link Mesh} that takes each publish to its channel's
 * home), fan-out to the region's nodes and the relay's gRPC server, all built here from one {@link RelaySettings}.
 * The edge sees only {@link Publisher}, {@link ChannelSource} and its own {@link LocalDelivery}, plus the small
 * ops views {@link RelayHealth}, {@link RelayInspector} and {@link RegionMembers}, and, on a node that runs a mesh,
 * {@link MeshOperations} (the status page and the operators' faults and home changes; never the {@link Mesh} itself).
 *
 * <p>Lifecycle ({@link State}, each transition logged), all on the thread that composes the node:
 * <ol>
 *   <li>The constructor checks the relay port's security (TLS unless loopback), the cluster bind and the region's
 *       secret (required unless loopback), joins the region (Hazelcast) and builds the store and the mesh;
 *       nothing is delivered or sequenced yet, but
 *       {@link #channels()} and {@link #members()} may be used, so the edge can build what it delivers to.</li>
 *   <li>{@link #start(LocalDelivery)} takes the edge's delivery target (the edge needs {@link #channels()} to build
 *       it, which is why it cannot be a constructor argument), then starts fan-out, sequencing, the gRPC server and
 *       last the mesh (which announces the gRPC address), and returns the {@link Publisher}.</li>
 *   <li>{@link #close()} stops in reverse: the mesh (links, leadership), the gRPC server (in-flight calls get up
 *       to 5 s), fan-out, the timer, the region member (Hazelcast leaves, its partitions move to the other
 *       members), and last the completion pool (1 s for publishes being acked). Draining clients is the edge's job
 *       and happens before: by the time the relay closes, no client publishes through it.</li>
 * </ol>
 * A failure in the constructor or in {@link #start} closes what was started and throws, so nothing is left
 * half-running.
 */
public final class RelayNode implements RelayHealth, RelayInspector, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayNode.class);
    /** The region's shared map of per-member notes (also where the mesh announces relay addresses). */
    private static final String META_MAP = "meshgate.meta";

    /** Where the node is in its lifecycle; moves only forward. */
    public enum State { JOINED, STARTED, CLOSED }

    private final RelaySettings settings;
    private final MeterRegistry meters;
    private final Clock clock;
    private final ServerCredentials credentials;
    private final DeliverySeal seal;
    private final RegionMember region;
    /** Completes publishes (sequencing steps, acks); runs nothing that blocks. */
    private final ExecutorService publishCompletions;
    /**
     * The mesh's blocking Hazelcast work (this region's interest query, the view publication, leader election).
     * Kept off {@link #publishCompletions}: while a member joins or leaves, partitions migrate and such a call can
     * wait seconds, which on a shared pool held back every publish's next step (the rolling drain's ack gap).
     */
    private final ExecutorService meshHousekeeping;
    private final ScheduledExecutorService timer;
    private final Mesh mesh;
    /** What operators and the status page see of {@link #mesh}; null when there is none. */
    private final MeshOperations meshOperations;
    private final ChannelSource channels;
    private final Members members = new Members();
    private State state;
    private RegionFanOut fanOut;
    private RelayServer server;

    /**
     * Joins the region; see the class comment for what is running afterwards.
     *
     * @param meters where the relay's metrics go (the node's registry, tagged with region and node)
     * @param clock  the node's one clock: drives the mesh's liveness hold and timeouts, and the region member's
     *               (the history's stamps and TTL, the leadership handover's wait)
     * @throws IllegalStateException naming the key to set when the relay port or the cluster port would be exposed
     */
    public RelayNode(RelaySettings settings, MeterRegistry meters, Clock clock) {
        this.settings = settings;
        this.meters = meters;
        this.clock = clock;
        this.credentials = checkSecurity(settings);
        ClusterSecret secret = ClusterSecret.forBind(settings.cluster());
        if (!secret.configured()) {
            LOG.info("relay node {}: no cluster.secret, region deliveries are sealed with a key derived from the"
                    + " cluster name (acceptable only because the cluster port binds loopback)", settings.node());
        }
        this.seal = new DeliverySeal(secret);
        this.region = RegionMember.start(settings.cluster(), settings.history(), clock);
        this.publishCompletions = Executors.newFixedThreadPool(2, daemonThreads("publish-" + settings.node()));
        this.meshHousekeeping = Executors.newSingleThreadExecutor(daemonThreads("mesh-housekeeping-"
                + settings.node()));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("relay-timer-" + settings.node()));
        meters.gauge("meshgate.region.members", region, r -> r.isRunning() ? r.clusterSize() : 0);
        // Channels the region holds state for: channels with subscribers or messages; idle ones are swept away.
        meters.gauge("meshgate.region.channels", region, r -> r.isRunning() ? r.store().channelCount() : 0);
        // Registered now, not on the first forgery, so the alert on it has a series to watch from the start.
        FunctionCounter.builder("meshgate.history.forged", region.store().seal(), StoreSeal::forgedCount)
                .description("stored messages read as missing because they were not sealed with the region's"
                        + " cluster.secret (a member without it wrote meshgate.channels)")
                .register(meters);
        try {
            this.mesh = settings.mesh() == null ? null : new Mesh(settings.mesh(), settings.node(), region, timer,
                    publishCompletions, meshHousekeeping, settings.publishBatchMax(), settings.publishQueueMax(),
                    meters, clock);
        } catch (RuntimeException e) {
            stopPools();
            closeQuietly(region);
            throw e;
        }
        this.channels = mesh == null ? region.store() : mesh.channels();
        this.meshOperations = mesh == null ? null : new MeshOperationsAdapter(mesh);
        move(State.JOINED, "member of region " + settings.region() + ", region epoch "
                + region.store().regionEpoch());
    }

    /**
     * The checks the constructor makes before it binds anything, alone: the relay port either binds loopback or
     * has mutual TLS ({@code mesh.tls}); the cluster port binds one private address, and beyond loopback the region
     * has a shared secret ({@code cluster.secret}) to seal deliveries with. Any thread.
     *
     * @return the relay port's credentials
     * @throws IllegalStateException naming the key to set
     */
    public static ServerCredentials checkSecurity(RelaySettings settings) {
        ServerCredentials relayCredentials = RelayCredentials.forBind(settings.bindHost(), settings.relayTls());
        RegionMember.checkBind(settings.cluster());
        ClusterSecret.forBind(settings.cluster());
        return relayCredentials;
    }

    /**
     * Starts delivering to {@code local} and sequencing, binds the relay's gRPC port and joins the mesh. Called once,
     * on the composing thread, after the constructor.
     *
     * @param local where this node's share of every sequenced message goes; called on Hazelcast event threads or
     *              publish completion threads, so it must hand work off and return
     * @return where the edge hands validated publishes
     * @throws UncheckedIOException when the relay port cannot be bound (the node is then closed)
     */
    public synchronized Publisher start(LocalDelivery local) {
        if (state != State.JOINED) {
            throw new IllegalStateException("relay node " + settings.node() + " is " + state + ", not JOINED");
        }
        this.fanOut = new RegionFanOut(region.hazelcast(), local, seal, meters, clock);
        region.onMemberLeft(fanOut::forget);
        // With a mesh every publish goes to the channel's home through the region's leader, which sequences the
        // channels homed here; alone, every node sequences for itself.
        Publisher publisher = mesh != null ? mesh : new ChannelSequencer(region.store(), fanOut, publishCompletions,
                settings.publishBatchMax(), settings.publishQueueMax(), meters);
        try {
            // Handlers only enqueue and return, so they run on the transport's thread: calls and frames from one
            // peer are then handled in the order they were sent, which keeps G6 for publishes forwarded by a node.
            this.server = new RelayServer(NettyServerBuilder.forAddress(
                    new InetSocketAddress(settings.bindHost(), settings.relayPort()), credentials).directExecutor(),
                    new RelayService(settings.region(), mesh)).start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("relay port " + settings.relayPort() + " could not be bound", e);
        }
        if (mesh != null) {
            mesh.start(fanOut, settings.advertiseHost() + ":" + server.port());
        }
        move(State.STARTED, "relay port " + server.port() + (mesh == null ? ", no mesh"
                : ", mesh to " + settings.mesh().peers().keySet()));
        return publisher;
    }

    private void move(State next, String reason) {
        LOG.info("relay node {}/{}: {} -> {} ({})", settings.region(), settings.node(), state, next, reason);
        state = next;
    }

    /** Where the edge reads channels and registers its routes (any thread). */
    public ChannelSource channels() {
        return channels;
    }

    /** The region's membership as the edge needs it. */
    public RegionMembers members() {
        return members;
    }

    public synchronized State state() {
        return state;
    }

    /** The bound relay port; only after {@link #start}. */
    public synchronized int relayPort() {
        if (server == null) {
            throw new IllegalStateException("relay node " + settings.node() + " has not started its relay port");
        }
        return server.port();
    }

    /** This node's region epoch: changes only when the whole region restarts. */
    public String regionEpoch() {
        return region.store().regionEpoch();
    }

    /** What the status page shares with and reads from the region's other nodes. Any thread; blocks on the cluster. */
    public RegionBoard regionBoard() {
        return new HazelcastRegionBoard(region.hazelcast());
    }

    /** Tests and tools only: the region member (Hazelcast), for fault injection and inspection. */
    public RegionMember region() {
        return region;
    }

    /** Tests and tools only: the mesh, or null when this node runs none (the edge uses {@link #meshOperations}). */
    public Mesh mesh() {
        return mesh;
    }

    /**
     * What operators and the status page may see and change of this node's mesh; empty when the node runs none (a
     * one-region deployment). Any thread, from construction on.
     */
    public Optional<MeshOperations> meshOperations() {
        return Optional.ofNullable(meshOperations);
    }

    @Override
    public boolean canServe() {
        return mesh == null ? region.isRunning() : mesh.canServe();
    }

    @Override
    public boolean everServed() {
        return mesh == null ? region.isRunning() : mesh.everServed();
    }

    @Override
    public boolean failedOver(String name) {
        return mesh != null && mesh.failedOver(name);
    }

    @Override
    public boolean regionHealthy(String name) {
        return mesh == null ? name.equals(settings.region()) && region.isRunning() : mesh.regionHealthy(name);
    }

    @Override
    public String home(String channel) {
        return mesh == null ? settings.region() : mesh.home(channel);
    }

    @Override
    public Map<String, Object> meshStatus() {
        return mesh == null ? null : mesh.status();
    }

    @Override
    public Map<String, Object> describeChannel(String channel) {
        return mesh == null ? null : new ChannelInspector(mesh, region).describe(channel);
    }

    /** Stops everything this node started, in reverse order; see the class comment. Idempotent; any thread. */
    @Override
    public synchronized void close() {
        if (state == State.CLOSED) {
            return;
        }
        move(State.CLOSED, "closed");
        closeQuietly(mesh);
        closeQuietly(server);
        closeQuietly(fanOut);
        closeQuietly(region);
        stopPools();
    }

    /** Stops the timer at once and gives publishes being acked a second to finish. */
    private void stopPools() {
        timer.shutdownNow();
        meshHousekeeping.shutdownNow();
        publishCompletions.shutdownNow();
        try {
            publishCompletions.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link RegionMembers} over the region's Hazelcast cluster: notes are entries {@code <kind>.<member>}. */
    private final class Members implements RegionMembers {
        private IMap<String, String> meta() {
            return region.hazelcast().getMap(META_MAP);
        }

        @Override
        public UUID self() {
            return region.memberId();
        }

        @Override
        public void onMemberLeft(Consumer<UUID> action) {
            region.onMemberLeft(action);
        }

        @Override
        public void announce(String kind, String value) {
            IdempotentWrite.run(() -> meta().set(kind + "." + self(), value));
        }

        @Override
        public void withdraw(String kind, UUID member) {
            IdempotentWrite.run(() -> meta().delete(kind + "." + member));
        }

        @Override
        public Map<UUID, String> notesOfOthers(String kind) {
            Map<UUID, String> out = new HashMap<>();
            for (Member member : region.hazelcast().getCluster().getMembers()) {
                if (!member.localMember()) {
                    String note = meta().get(kind + "." + member.getUuid());
                    if (note != null) {
                        out.put(member.getUuid(), note);
                    }
                }
            }
            return out;
        }
    }
}
