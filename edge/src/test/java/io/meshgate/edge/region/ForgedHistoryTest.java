package io.meshgate.edge.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.meshgate.edge.testing.Ports;
import io.meshgate.edge.testing.TestRegion;
import io.meshgate.edge.testing.WsClient;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.ChannelStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.meshgate.edge.region.RegionTests.LONG;
import static io.meshgate.edge.region.RegionTests.isOp;
import static io.meshgate.edge.region.RegionTests.messages;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, residual risk of item 1: a rogue member on the region's cluster network (it joined with the cluster name,
 * without the region's secret) rewrites a message in a channel's stored history in {@code meshgate.channels}. A
 * WebSocket subscriber that resumes from before it must never get the forged data: it gets {@code gap} for that
 * seq (G5) and the genuine messages after it, and the reading node counts it in
 * {@code meshgate_history_forged_total}.
 */
class ForgedHistoryTest {
    private static final String FORGED = "meshgate_history_forged_total";

    @Test
    void aMessageAMemberWithoutTheSecretWroteIntoHistoryIsServedAsAGap() throws Exception {
        String ch = "forged.history";
        String token = RegionTests.token();
        try (TestRegion region = TestRegion.nodes(2).start();
             WsClient pubA = WsClient.connect(region.wsUrl(0), token)) {
            for (String id : List.of("real-1", "real-2", "real-3")) {
                RegionTests.publishAcked(pubA, ch, id);
            }
            HazelcastInstance rogue = joinAsRogueMember(region.node(1).relay().region().hazelcast());
            String epoch;
            try {
                // Rewrite seq 2's data in the stored state, keeping everything else, its seal included.
                IMap<String, Object> channels = rogue.getMap(ChannelStore.MAP_NAME);
                Object state = channels.get(ch);
                Field historyField = state.getClass().getDeclaredField("history");
                historyField.setAccessible(true);
                @SuppressWarnings("unchecked")
                ArrayDeque<Message> history = (ArrayDeque<Message>) historyField.get(state);
                List<Message> rewritten = new ArrayList<>();
                for (Message m : history) {
                    rewritten.add(m.seq() != 2 ? m : new Message(m.channel(), m.epoch(), m.seq(), m.id(),
                            "{\"text\":\"forged\"}", m.ts(), m.seal()));
                }
                history.clear();
                history.addAll(rewritten);
                channels.put(ch, state);
                epoch = rewritten.get(0).epoch();
            } finally {
                rogue.getLifecycleService().terminate();
            }

            try (WsClient subB = WsClient.connect(region.wsUrl(1), token)) {
                RegionTests.subscribe(subB, RegionTests.sub(ch, epoch, 1), ch);
                await("the resumed subscriber got seq 3").atMost(LONG).until(() ->
                        messages(subB, ch).stream().anyMatch(m -> m.get("seq").asLong() == 3));
                for (JsonNode m : messages(subB, ch)) {
                    assertFalse("forged".equals(m.path("data").path("text").asText()), "the subscriber got the forged data: " + m);
                }
                List<JsonNode> gaps = subB.received().stream().filter(f -> isOp(f, "gap")).toList();
                assertEquals(1, gaps.size(), "one gap for the forged seq: " + subB.received());
                assertEquals("real-3", messages(subB, ch).get(messages(subB, ch).size() - 1).get("id").asText());
                double counted = RegionTests.metric(region.httpUrl(0), FORGED, Map.of())
                        + RegionTests.metric(region.httpUrl(1), FORGED, Map.of());
                assertTrue(counted >= 1, "forged history counted, was " + counted);
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

}
