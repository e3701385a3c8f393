package io.meshgate.relay.region;

import java.util.List;

/**
 * How a node joins its region's cluster.
 *
 * @param clusterName one name per region; members of other regions never join
 * @param bindHost    the address the member listens on: an IP of a private interface of this machine, or loopback;
 *                    a wildcard or public address is refused at start (Hazelcast authenticates no one)
 * @param publicHost  the address other members reach it by (an IP or a DNS name); members lists these
 * @param port        the member's port (no auto-increment: a configured port is the port)
 * @param members     every member's {@code host:port}, including this one (TCP-IP join; multicast is off)
 * @param backupCount synchronous backups of channel state; 1 survives the loss of any one member
 * @param backupAckTimeoutMs how long a change waits for its backup's ack; past it the change FAILS (the publish is
 *                           nacked unavailable and retried with the same id) instead of being acked in one copy
 * @param memberTimeoutMs    how long a member may be silent before the others declare it dead and take over its
 *                           partitions (a killed process is noticed at once through its closed connections)
 * @param kubernetesServiceDns null for the TCP-IP join of {@code members}; else the DNS name of a headless Service
 *                             selecting the region's pods, and members find each other through Hazelcast's
 *                             Kubernetes discovery (DNS lookup mode, on {@code port}) instead of a member list
 * @param secret      the region's shared secret ({@code cluster.secret}), or null for none: then the member refuses
 *                    to start unless it binds loopback (see {@link ClusterSecret#forBind})
 */
public record HazelcastSettings(String clusterName, String bindHost, String publicHost, int port,
                                List<String> members, int backupCount, long backupAckTimeoutMs, long memberTimeoutMs,
                                String kubernetesServiceDns, ClusterSecret secret) {

    /** Settings without a configured secret. */
    public HazelcastSettings(String clusterName, String bindHost, String publicHost, int port, List<String> members,
                             int backupCount, long backupAckTimeoutMs, long memberTimeoutMs,
                             String kubernetesServiceDns) {
        this(clusterName, bindHost, publicHost, port, members, backupCount, backupAckTimeoutMs, memberTimeoutMs,
                kubernetesServiceDns, null);
    }

    /** These settings with {@code secret} as the region's shared secret. */
    public HazelcastSettings withSecret(ClusterSecret secret) {
        return new HazelcastSettings(clusterName, bindHost, publicHost, port, members, backupCount, backupAckTimeoutMs,
                memberTimeoutMs, kubernetesServiceDns, secret);
    }

    /** Settings that join through the {@code members} list (TCP-IP). */
    public HazelcastSettings(String clusterName, String bindHost, String publicHost, int port, List<String> members,
                             int backupCount, long backupAckTimeoutMs, long memberTimeoutMs) {
        this(clusterName, bindHost, publicHost, port, members, backupCount, backupAckTimeoutMs, memberTimeoutMs, null);
    }

    public static final long DEFAULT_BACKUP_ACK_TIMEOUT_MS = 5_000;
    public static final long DEFAULT_MEMBER_TIMEOUT_MS = 10_000;

    /** Settings with the default timeouts, for a member that binds and advertises one address. */
    public HazelcastSettings(String clusterName, String host, int port, List<String> members, int backupCount) {
        this(clusterName, host, host, port, members, backupCount, DEFAULT_BACKUP_ACK_TIMEOUT_MS,
                DEFAULT_MEMBER_TIMEOUT_MS);
    }
}
