package io.meshgate.relay.region;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.core.HazelcastInstance;
import io.meshgate.relay.history.HistoryLimits;
import io.meshgate.relay.testkit.TestRegion;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cluster port serves members only (issue 11, attack 1): a real Hazelcast client that knows the cluster name
 * gets no connection, so it can neither read the channel map nor publish to an inbox topic; and a member refuses to
 * bind a wildcard or public address.
 */
class ClusterPortTest {

    @Test
    void aHazelcastClientWithTheClusterNameCannotConnectToReadOrWrite() {
        try (TestRegion region = TestRegion.start(1, HistoryLimits.DEFAULTS)) {
            HazelcastInstance member = region.hazelcast(0);
            member.getMap("meshgate.channels").put("chat:secret", "state");
            int port = member.getCluster().getLocalMember().getAddress().getPort();
            ClientConfig client = new ClientConfig();
            client.setClusterName(member.getConfig().getClusterName());
            client.getNetworkConfig().addAddress("127.0.0.1:" + port);
            client.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(3_000);
            client.setProperty("hazelcast.logging.type", "slf4j");

            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> {
                HazelcastInstance attacker = HazelcastClient.newHazelcastClient(client);
                try {
                    // Reached only when the port served a client: the read and the forged write of the attack.
                    attacker.getMap("meshgate.channels").keySet();
                    attacker.getTopic("meshgate.inbox").publish("forged");
                } finally {
                    attacker.shutdown();
                }
            });
            assertTrue(refused.getMessage().contains("Unable to connect"), refused.getMessage());
        }
    }

    @Test
    void aMemberRefusesToBindEveryInterfaceOrAPublicAddress() {
        for (String host : List.of("0.0.0.0", "8.8.8.8")) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> RegionMember.start(
                    new HazelcastSettings("refused-" + host, host, 5701, List.of(host + ":5701"), 1),
                    HistoryLimits.DEFAULTS, Clock.systemUTC()));
            assertTrue(e.getMessage().contains("clusterBindHost"), e.getMessage());
        }
    }

    @Test
    void privateAndLoopbackAddressesAreAcceptedBindsAndOthersAreNot() {
        for (String ok : List.of("127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "100.64.0.1", "fd00::1")) {
            assertTrue(BindAddress.isPrivate(ok), ok);
        }
        for (String no : List.of("0.0.0.0", "::", "8.8.8.8", "172.32.0.1", "2001:db8::1", "no-such-host.invalid")) {
            assertTrue(!BindAddress.isPrivate(no), no);
        }
    }
}
