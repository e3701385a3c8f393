package io.meshgate.chaos.client;

import io.meshgate.chaos.HistoryChecker;
import io.meshgate.chaos.Resources;
import io.meshgate.client.ConnectionState;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.Message;
import io.meshgate.client.StateEvent;
import io.meshgate.client.Subscription;
import io.meshgate.client.Transport;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A region reached only through a reverse proxy that refuses WebSocket upgrades with 403. The client, on its default
 * transport, must see two WebSocket failures while the region answers pings, switch to long-poll, and then work as
 * before: subscribe (also while a poll is held), publish, and receive every message once, in order.
 */
class ClientLongPollTest {
    private static final int MESSAGES = 30;

    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void fallsBackToLongPollWhereWebSocketIsBlocked() throws Exception {
        int edge = Ports.free();
        int proxyPort = Ports.free();
        URI behindProxy = URI.create(DeploymentYaml.url(proxyPort));
        resources.track(InJvmGateway.start(new DeploymentYaml().region("eu-west", behindProxy.toString(), edge).with("""
                auth:
                  mode: insecure
                """)));
        WebSocketBlockingProxy proxy = resources.track(WebSocketBlockingProxy.start(proxyPort, URI.create(DeploymentYaml.url(edge))));

        RecordingSubscriber subscriber = resources.track(new RecordingSubscriber(MeshgateClient.builder(behindProxy).build(),
                "chat:lp"));
        await("subscribed over long-poll").atMost(Duration.ofSeconds(30)).until(subscriber::subscribed);
        MeshgateClient client = subscriber.client();
        assertEquals(Transport.LONG_POLL, client.transport());
        List<Transport> attempts = subscriber.states().stream().filter(e -> e.state() == ConnectionState.CONNECTING)
                .map(StateEvent::transport).toList();
        assertEquals(List.of(Transport.WEBSOCKET, Transport.WEBSOCKET, Transport.LONG_POLL), attempts,
                "two WebSocket attempts, then long-poll");
        assertTrue(proxy.refusedUpgrades() >= 2);

        WindowedPublisher publisher = resources.track(new WindowedPublisher(MeshgateClient.builder(behindProxy)
                .transport(Transport.LONG_POLL).clientId("lp-pub").build(), "chat:lp", MESSAGES, 5));
        await("every publish acked over HTTP").atMost(Duration.ofSeconds(60))
                .until(() -> publisher.ackedCount() == MESSAGES);
        await("every message polled").atMost(Duration.ofSeconds(60))
                .until(() -> subscriber.received().size() >= MESSAGES);
        HistoryChecker.check(subscriber.received(), publisher.acked(), MESSAGES);
        assertEquals(List.of(), publisher.failures());

        // A second channel while a poll of the first is held: it must join without waiting out that poll.
        List<Message> second = new CopyOnWriteArrayList<>();
        Subscription sub = client.subscribe("chat:lp2", second::add);
        sub.subscribed().get(10, TimeUnit.SECONDS);
        String id = client.publish("chat:lp2", Map.of("x", 1)).get(30, TimeUnit.SECONDS).id();
        await("the second channel polled too").atMost(Duration.ofSeconds(10)).until(() -> second.size() == 1);
        assertEquals(id, second.get(0).id());
        assertEquals(Transport.LONG_POLL, client.transport());
    }
}
