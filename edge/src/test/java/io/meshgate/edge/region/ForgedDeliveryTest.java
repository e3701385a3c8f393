package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.meshgate.edge.testing.Ports;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.proto.relay.Delivery;
import io.meshgate.proto.relay.SequencedMessage;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Issue 11, item 1: a rogue member on the region's cluster network (anything that reaches the Hazelcast port with
 * the cluster name can join as a member: open-source Hazelcast authenticates no one) publishes a delivery on a
 * node's inbox topic. The node must drop it, count it in {@code meshgate_fanout_forged_total}, and its WebSocket
 * subscriber must never see it: the next real message still arrives, in order, with its own seq.
 */
class ForgedDeliveryTest {
    private static final String FORGED = "meshgate_fanout_forged_total";

    @Test
    void aDeliveryForgedByAMemberWithoutTheSecretNeverReachesASubscriber() {
        String ch = "forged.inbox";
        String token = RegionTests.token();
        try (TestRegion region = TestRegion.nodes(2).start();
             WsClient subB = WsClient.connect(region.wsUrl(1), token);
             WsClient pubA = WsClient.connect(region.wsUrl(0), token)) {
            RegionTests.subscribe(subB, RegionTests.sub(ch), ch);
            RegionTests.publishAcked(pubA, ch, "real-1");
            await().atMost(LONG).until(() -> messages(subB, ch).size() >= 1);
            JsonNode first = messages(subB, ch).get(0);
            assertEquals(1, first.get("seq").asLong());

            HazelcastInstance rogue = joinAsRogueMember(region.node(1).relay().region().hazelcast());
            try {
                // What the node's own fan-out would send for seq 2, made up by a member without the region's secret.
                UUID inboxOfB = region.node(1).relay().region().memberId();
                byte[] forged = Delivery.newBuilder().setChannel(ch).addMessages(SequencedMessage.newBuilder()
                        .setChannel(ch).setPosition(io.meshgate.relay.fanout.DeliveryCodec.position(first.get("epoch").asText(), 2)).setId("forged-2")
                        .setDataJson("{\"text\":\"forged\"}").setTs(System.currentTimeMillis())).build().toByteArray();
                rogue.<byte[]>getTopic("meshgate.inbox." + inboxOfB).publish(forged);

                // Either B drops it (counted) or, without the seal, its subscriber gets it as seq 2.
                await("B dropped or delivered the forged delivery").atMost(LONG).until(() ->
                        RegionTests.metric(region.httpUrl(1), FORGED, Map.of()) >= 1 || messages(subB, ch).size() >= 2);

                RegionTests.publishAcked(pubA, ch, "real-2");
                await().atMost(LONG).until(() -> messages(subB, ch).size() >= 2);
                assertEquals(List.of("real-1", "real-2"), ids(messages(subB, ch)),
                        "the subscriber on B got exactly the real messages");
                RegionTests.assertContiguous("subscriber on B", messages(subB, ch), 1, 2);
                assertEquals(1.0, RegionTests.metric(region.httpUrl(1), FORGED, Map.of()), "forged deliveries counted");
                assertEquals(0.0, RegionTests.metric(region.httpUrl(0), FORGED, Map.of()), "A received nothing forged");
            } finally {
                rogue.getLifecycleService().terminate();
            }
        }
    }

    /**
     * A plain Hazelcast member, not started through the gateway, with the region's cluster name and its member list:
     * what an attacker on the cluster network runs. Waits until the region's members see it.
     */
    private static HazelcastInstance joinAsRogueMember(HazelcastInstance regionMember) {
        List<String> members = new ArrayList<>();
        for (Member m : regionMember.getCluster().getMembers()) {
            members.add(m.getAddress().getHost() + ":" + m.getAddress().getPort());
        }
        Config config = new Config().setClusterName(regionMember.getConfig().getClusterName());
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.socket.bind.any", "false");
        NetworkConfig network = config.getNetworkConfig().setPort(Ports.free()).setPortAutoIncrement(false);
        network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).setMembers(members);
        HazelcastInstance rogue = Hazelcast.newHazelcastInstance(config);
        int expected = members.size() + 1;
        await("the rogue member joined the region").atMost(LONG)
                .until(() -> regionMember.getCluster().getMembers().size() == expected);
        return rogue;
    }

    private static List<String> ids(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("id").asText()).toList();
    }
}
