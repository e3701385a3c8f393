package io.meshgate.chaos.client;

import io.meshgate.chaos.HistoryChecker;
import io.meshgate.chaos.Resources;
import io.meshgate.client.ConnectionState;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.StateEvent;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region of two nodes; node 1 is drained while a subscriber and a publisher, both on it, are busy. Its {@code move}
 * names node 2: both clients must go there (a move is not a failure), the subscriber resuming from its position and
 * the publisher resending what was not acked, so the subscriber holds every acked message once, in order.
 */
class ClientMoveTest {
    private static final int MESSAGES = 300;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void aDrainMovesClientsToAnotherNodeWhereTheyResume() {
        int first = Ports.free();
        InJvmGateway gateway = resources.track(InJvmGateway.start(new DeploymentYaml()
                .region("eu-west", null, first, Ports.free()).with("""
                        auth:
                          mode: insecure
                        drain:
                          moveJitterMs: 300
                          timeoutMs: 5000
                        """)));
        URI node1 = URI.create(DeploymentYaml.url(first));
        RecordingSubscriber subscriber = resources.track(new RecordingSubscriber(MeshgateClient.builder(node1).build(),
                "chat:move"));
        await("subscribed").atMost(Duration.ofSeconds(30)).until(subscriber::subscribed);
        MeshgateClient publisherClient = MeshgateClient.builder(node1).clientId("mover").build();
        List<StateEvent> publisherStates = new CopyOnWriteArrayList<>();
        publisherClient.onState(publisherStates::add);
        WindowedPublisher publisher = resources.track(new WindowedPublisher(publisherClient, "chat:move", MESSAGES, 4));
        await("messages flowing").atMost(Duration.ofSeconds(30)).until(() -> publisher.ackedCount() >= 50);

        gateway.node("eu-west-1").drain("test");

        await("every publish acked").atMost(Duration.ofSeconds(60)).until(() -> publisher.ackedCount() == MESSAGES);
        await("subscriber caught up").atMost(Duration.ofSeconds(60))
                .until(() -> subscriber.received().size() >= MESSAGES);
        HistoryChecker.check(subscriber.received(), publisher.acked(), MESSAGES);
        assertEquals(List.of(), publisher.failures());
        for (List<StateEvent> states : List.of(subscriber.states(), publisherStates)) {
            List<String> nodes = states.stream().filter(e -> e.state() == ConnectionState.CONNECTED)
                    .map(StateEvent::node).toList();
            assertEquals(List.of("eu-west-1", "eu-west-2"), nodes, "moved once, to the node the move named");
            assertTrue(states.stream().anyMatch(e -> e.state() == ConnectionState.DISCONNECTED
                    && e.closeCode() == 4100 && e.reason().startsWith("moved")), "the close after move: " + states);
        }
    }
}
