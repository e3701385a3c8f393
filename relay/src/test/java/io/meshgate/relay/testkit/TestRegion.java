package io.meshgate.relay.testkit;

import com.hazelcast.core.HazelcastInstance;
import io.meshgate.relay.fanout.DeliverySeal;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.region.ClusterSecret;
import io.meshgate.relay.region.HazelcastSettings;
import io.meshgate.relay.region.RegionMember;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * A region of real Hazelcast members in this JVM, started through {@link RegionMember#start} so the production
 * configuration is what is tested. Every member listens on 127.0.0.1 on a port found free at runtime, and every
 * region gets its own cluster name, so concurrent test runs on the same machine never join each other.
 */
public final class TestRegion implements AutoCloseable {
    private final String clusterName;
    private final List<RegionMember> members;
    private final List<String> addresses;

    private TestRegion(String clusterName, List<RegionMember> members, List<String> addresses) {
        this.clusterName = clusterName;
        this.members = members;
        this.addresses = addresses;
    }

    /** Starts {@code size} members one after the other (so they form one cluster) and waits until it is safe. */
    public static TestRegion start(int size, HistoryLimits limits) {
        return start(size, limits, HazelcastSettings.DEFAULT_BACKUP_ACK_TIMEOUT_MS);
    }

    /** As {@link #start(int, HistoryLimits)}, with a given backup ack timeout. */
    public static TestRegion start(int size, HistoryLimits limits, long backupAckTimeoutMs) {
        return start(limits, backupAckTimeoutMs, Collections.nCopies(size, Clock.systemUTC()));
    }

    /**
     * As {@link #start(int, HistoryLimits)}, one member per clock, each composed with its own: the clock its history
     * steps stamp and expire messages by (see {@code HistoryClock}), as a node's clock is in production.
     */
    public static TestRegion start(HistoryLimits limits, Clock... clocks) {
        return start(limits, HazelcastSettings.DEFAULT_BACKUP_ACK_TIMEOUT_MS, List.of(clocks));
    }

    private static TestRegion start(HistoryLimits limits, long backupAckTimeoutMs, List<Clock> clocks) {
        String cluster = "relay-test-" + UUID.randomUUID();
        List<Integer> ports = freePorts(clocks.size());
        List<String> addresses = ports.stream().map(p -> "127.0.0.1:" + p).toList();
        List<RegionMember> started = new ArrayList<>();
        TestRegion region = new TestRegion(cluster, started, addresses);
        try {
            for (int i = 0; i < ports.size(); i++) {
                started.add(RegionMember.start(new HazelcastSettings(cluster, "127.0.0.1", "127.0.0.1", ports.get(i),
                        addresses, 1, backupAckTimeoutMs, HazelcastSettings.DEFAULT_MEMBER_TIMEOUT_MS), limits,
                        clocks.get(i)));
            }
            region.awaitSafe();
            return region;
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
    }

    /**
     * Distinct free ports on 127.0.0.1 below Linux's ephemeral range (32768 and up): all sockets are held open
     * together, then closed. Why not port 0: the kernel hands out ephemeral ports, and a member that dials a listed
     * port before its owner has bound it can get that very port as its own source port and connect TCP to itself
     * ("Connecting to self!"). A port outside the ephemeral range is never anyone's source port.
     */
    public static List<Integer> freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            int port = LOW_PORT + java.util.concurrent.ThreadLocalRandom.current().nextInt(HIGH_PORT - LOW_PORT);
            for (int tried = 0; sockets.size() < count && tried < HIGH_PORT - LOW_PORT; tried++) {
                port = port + 1 >= HIGH_PORT ? LOW_PORT : port + 1;
                try {
                    ServerSocket socket = new ServerSocket();
                    socket.setReuseAddress(false);
                    socket.bind(new java.net.InetSocketAddress(loopback, port), 50);
                    sockets.add(socket);
                } catch (IOException taken) {
                    // in use by another test or process: try the next one
                }
            }
            if (sockets.size() < count) {
                throw new IllegalStateException("no " + count + " free ports in " + LOW_PORT + "-" + HIGH_PORT);
            }
            return sockets.stream().map(ServerSocket::getLocalPort).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket s : sockets) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    /** Port range for {@link #freePorts}: below the ephemeral range, above the usual well-known services. */
    private static final int LOW_PORT = 20_000;
    private static final int HIGH_PORT = 32_000;

    /** Every running member sees every running member, and every partition has its owner and backups in place. */
    public void awaitSafe() {
        List<RegionMember> running = members.stream().filter(RegionMember::isRunning).toList();
        await("region " + clusterName + " formed and safe").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> running.stream().allMatch(m -> m.clusterSize() == running.size()
                        && m.hazelcast().getPartitionService().isClusterSafe()));
    }

    public RegionMember member(int index) {
        return members.get(index);
    }

    public HazelcastInstance hazelcast(int index) {
        return members.get(index).hazelcast();
    }

    public String clusterName() {
        return clusterName;
    }

    /** The members' {@code host:port}, as a member joining this region lists them. */
    public List<String> addresses() {
        return addresses;
    }

    /** Seals and opens deliveries as this region's members do: with the loopback key of its cluster name. */
    public DeliverySeal seal() {
        return new DeliverySeal(ClusterSecret.forBind(new HazelcastSettings(clusterName, "127.0.0.1", 0,
                addresses, 1)));
    }

    /** Kills a member the fast way (no graceful migration), as a crash would. */
    public void terminate(int index) {
        RegionMember member = members.get(index);
        member.hazelcast().getLifecycleService().terminate();
        member.close();
    }

    @Override
    public void close() {
        for (RegionMember member : members) {
            try {
                if (member.isRunning()) {
                    member.hazelcast().getLifecycleService().terminate();
                }
            } finally {
                member.close();
            }
        }
    }
}
