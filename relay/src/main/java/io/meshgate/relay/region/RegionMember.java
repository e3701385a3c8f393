package io.meshgate.relay.region;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.HistoryClock;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.history.StoreSeal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One node's membership in its region: the Hazelcast member, the region epoch, the channel store, and the
 * housekeeping that keeps routes and history bounded. The oldest member does the region-wide sweeps so they run
 * once, not once per node.
 */
public final class RegionMember implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionMember.class);
    private static final String META_MAP = "meshgate.meta";
    private static final long SWEEP_INTERVAL_MS = 30_000;
    private static final long RECOUNT_INTERVAL_MS = 1_000;

    private final HazelcastInstance hazelcast;
    private final ChannelStore store;
    private final RegionLeadership leadership;
    private final ScheduledExecutorService housekeeping;
    private final java.util.List<java.util.function.Consumer<UUID>> onMemberLeft =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private RegionMember(HazelcastInstance hazelcast, HistoryLimits limits, StoreSeal seal, Clock clock) {
        this.hazelcast = hazelcast;
        this.store = new ChannelStore(hazelcast, limits, regionEpoch(hazelcast), seal, clock);
        this.leadership = new RegionLeadership(this, clock);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "region-housekeeping");
            t.setDaemon(true);
            return t;
        });
        hazelcast.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                LOG.info("region member joined: {}", event.getMember().getAddress());
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                LOG.warn("region member left: {}; dropping its routes", event.getMember().getAddress());
                housekeeping.execute(() -> sweep(Set.of(event.getMember().getUuid())));
                onMemberLeft.forEach(action -> action.accept(event.getMember().getUuid()));
            }
        });
        housekeeping.scheduleWithFixedDelay(() -> sweep(Set.of()), SWEEP_INTERVAL_MS, SWEEP_INTERVAL_MS,
                TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::recountChannels, 0, RECOUNT_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Starts this node's Hazelcast member and joins the region. Called once, on the thread that composes the node.
     *
     * @param clock the node's clock: what the member's history steps stamp and expire messages by (registered as its
     *              {@link HistoryClock}), what the leadership handover's wait is measured with and what paces the
     *              store seal's warnings
     */
    public static RegionMember start(HazelcastSettings settings, HistoryLimits limits, Clock clock) {
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.health.monitoring.level", "OFF");
        // Shut down through our own drain, not the JVM hook, so clients are moved before state goes away.
        config.setProperty("hazelcast.shutdownhook.enabled", "false");
        // Ack only what survives: by default Hazelcast completes a change whose backup ack is late as if it had
        // been backed up. Failing it instead makes the publisher retry with the same id, which dedup makes safe.
        config.setProperty("hazelcast.operation.fail.on.indeterminate.state", "true");
        config.setProperty("hazelcast.operation.backup.timeout.millis", Long.toString(settings.backupAckTimeoutMs()));
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds",
                Long.toString(Math.max(2, settings.memberTimeoutMs() / 1000)));
        checkBind(settings);
        // Advanced network with only a MEMBER endpoint: no client, REST or memcache protocol is served at all, so a
        // Hazelcast client that knows the cluster name (public in /v1/regions) gets no connection to read or write.
        AdvancedNetworkConfig network = config.getAdvancedNetworkConfig().setEnabled(true);
        ServerSocketEndpointConfig memberEndpoint = new ServerSocketEndpointConfig();
        memberEndpoint.setPort(settings.port()).setPortAutoIncrement(false);
        // Peers are told the public host (a DNS name is fine); the socket binds the bind host only, never every
        // interface: Hazelcast has no member authentication, so the port must stay on the network the config names.
        memberEndpoint.setPublicAddress(settings.publicHost() + ":" + settings.port());
        memberEndpoint.getInterfaces().setEnabled(true).addInterface(ipOf(settings.bindHost()));
        network.setMemberEndpointConfig(memberEndpoint);
        config.setProperty("hazelcast.socket.bind.any", "false");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        String discovery;
        if (settings.kubernetesServiceDns() != null) {
            // DNS lookup mode: the headless Service's records are the region's pods; no API access is needed.
            join.getKubernetesConfig().setEnabled(true)
                    .setProperty("service-dns", settings.kubernetesServiceDns())
                    .setProperty("service-port", Integer.toString(settings.port()));
            discovery = "Kubernetes DNS " + settings.kubernetesServiceDns();
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
            discovery = "members " + settings.members();
        }
        ChannelStore.configure(config, settings.backupCount());
        // The member's own seal for what it stores (see StoreSeal): sequencing steps that run on this member find it
        // in the user context, which stays in this JVM; the secret is never in an entry processor.
        StoreSeal seal = new StoreSeal(ClusterSecret.forBind(settings), clock);
        config.getUserContext().put(StoreSeal.USER_CONTEXT_KEY, seal);
        // Likewise the member's clock: the history steps that run on this member tell time by it (see HistoryClock).
        config.getUserContext().put(HistoryClock.USER_CONTEXT_KEY, clock);
        LOG.info("starting region member {} on {}:{} as {}:{} ({})", settings.clusterName(),
                settings.bindHost(), settings.port(), settings.publicHost(), settings.port(), discovery);
        return new RegionMember(Hazelcast.newHazelcastInstance(config), limits, seal, clock);
    }

    /**
     * Refuses a bind the cluster port must not have: open-source Hazelcast authenticates nothing, so its port is
     * either loopback or an address of a private network (see docs/security.md), never a wildcard or public one.
     */
    public static void checkBind(HazelcastSettings settings) {
        String host = settings.bindHost();
        if (BindAddress.isWildcard(host) || !BindAddress.isPrivate(host)) {
            throw new IllegalStateException("the cluster (Hazelcast) port would bind " + host + ", which is "
                    + (BindAddress.isWildcard(host) ? "every interface" : "not a private-network address")
                    + "; Hazelcast has no member authentication, so set the node's clusterBindHost to the address of"
                    + " a private interface (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) or to 127.0.0.1");
        }
    }

    private static String ipOf(String host) {
        try {
            return java.net.InetAddress.getByName(host).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException("bind host " + host + " does not resolve", e);
        }
    }

    /**
     * The epoch every channel first sequenced in this region's lifetime gets. Held in the cluster, so nodes that
     * join later agree; a region restarted from empty state draws a new one, so clients see the change.
     */
    private static String regionEpoch(HazelcastInstance hazelcast) {
        IMap<String, String> meta = hazelcast.getMap(META_MAP);
        String drawn = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36);
        // Repeating after an indeterminate failure is safe: a put that landed is found as "previous" == drawn.
        String previous = IdempotentWrite.call(() -> meta.putIfAbsent("epoch", drawn));
        return previous != null ? previous : drawn;
    }

    /** On the housekeeping thread: the count {@code history.maxChannels} is checked against, at most a second old. */
    private void recountChannels() {
        try {
            store.recountForCap();
        } catch (RuntimeException e) {
            // The previous count stays in force until the next recount succeeds.
            LOG.debug("channel recount failed: {}", e.toString());
        }
    }

    private void sweep(Set<UUID> gone) {
        try {
            if (!isOldest()) {
                return;
            }
            store.forgetMembersAndTrim(gone);
            int evicted = store.evictIdle();
            if (evicted > 0) {
                LOG.info("region sweep removed {} idle channel(s); {} held", evicted, store.channelCount());
            }
        } catch (RuntimeException e) {
            // A sweep that fails now runs again at the next interval or membership change.
            LOG.warn("region sweep failed: {}", e.toString());
        }
    }

    /** True on the region's oldest member, which does the region-wide sweeps and claims a vacant mesh leadership. */
    public boolean isOldest() {
        Member oldest = hazelcast.getCluster().getMembers().iterator().next();
        return oldest.localMember();
    }

    /** Runs {@code action} with the member's id, on a Hazelcast event thread, whenever another member leaves. */
    public void onMemberLeft(java.util.function.Consumer<UUID> action) {
        onMemberLeft.add(action);
    }

    public HazelcastInstance hazelcast() {
        return hazelcast;
    }

    /** Which member runs the region's mesh leader: see {@link RegionLeadership}. */
    public RegionLeadership leadership() {
        return leadership;
    }

    public ChannelStore store() {
        return store;
    }

    public UUID memberId() {
        return hazelcast.getCluster().getLocalMember().getUuid();
    }

    public int clusterSize() {
        return hazelcast.getCluster().getMembers().size();
    }

    public boolean isRunning() {
        return hazelcast.getLifecycleService().isRunning();
    }

    @Override
    public void close() {
        housekeeping.shutdownNow();
        leadership.close();
        if (hazelcast.getLifecycleService().isRunning()) {
            hazelcast.shutdown();
        }
    }
}
