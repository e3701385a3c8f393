package io.meshgate.relay.region;

import java.util.List;

/**
 * How a node joins its region's cluster.
 *
 * @param clusterName one name per region; members of other regions never join
 * @param bindHost    the address the member listens on and advertises
 * @param port        the member's port (no auto-increment: a configured port is the port)
 * @param members     every member's {@code host:port}, including this one (TCP-IP join; multicast is off)
 * @param backupCount synchronous backups of channel state; 1 survives the loss of any one member
 */
public record HazelcastSettings(String clusterName, String bindHost, int port, List<String> members,
                                int backupCount) {
}
