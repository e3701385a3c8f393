package io.meshgate.chaos.client;

import io.meshgate.client.Ack;
import io.meshgate.client.ClientStoppedException;
import io.meshgate.client.ConnectionState;
import io.meshgate.client.Message;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.PublishRefusedException;
import io.meshgate.client.StateEvent;
import io.meshgate.client.SubscribeRefusedException;
import io.meshgate.client.Subscription;
import io.meshgate.client.Transport;
import io.meshgate.edge.auth.TokenMinter;
import io.meshgate.edge.testing.Ports;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client against one real region with HS256 tokens: connect, publish and receive, and the refusals. */
class ClientBasicsTest {
    private static final String SECRET = "client-secret-client-secret-client-secret-01";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static InJvmGateway gateway;
    private static URI edge;
    private static String token;

    @BeforeAll
    static void start() {
        int port = Ports.free();
        edge = URI.create(DeploymentYaml.url(port));
        gateway = InJvmGateway.start(new DeploymentYaml().region("eu-west", null, port).with("""
                auth:
                  hs256Secret: "%s"
                """.formatted(SECRET)));
        token = new TokenMinter(SECRET).mint("alice", List.of("chat:*"), List.of("chat:*"), Duration.ofHours(1));
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    @Test
    void connectsPublishesAndReceivesEachMessageOnceInOrder() throws Exception {
        try (RecordingSubscriber subscriber = new RecordingSubscriber(
                MeshgateClient.builder(edge).token(token).build(), "chat:basics");
             MeshgateClient publisher = MeshgateClient.builder(edge).token(token).clientId("pub").build()) {
            await("subscribed").atMost(WAIT).until(subscriber::subscribed);
            StateEvent connected = publisher.connect().get(30, TimeUnit.SECONDS);
            assertEquals("eu-west", connected.region());
            assertEquals(Transport.WEBSOCKET, connected.transport());

            List<CompletableFuture<Ack>> acks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                acks.add(publisher.publish("chat:basics", Map.of("i", i)));
            }
            List<Ack> answered = new ArrayList<>();
            for (CompletableFuture<Ack> ack : acks) {
                answered.add(ack.get(30, TimeUnit.SECONDS));
            }
            await("every message delivered").atMost(WAIT).until(() -> subscriber.received().size() >= 20);

            List<Message> got = subscriber.received();
            assertEquals(20, got.size(), "each message once");
            for (int i = 0; i < 20; i++) {
                assertEquals(answered.get(i).seq(), got.get(i).seq(), "in publish order, at the acked seq");
                assertEquals(answered.get(i).id(), got.get(i).id());
                assertEquals(i, got.get(i).data().path("i").asInt());
            }
            assertEquals("pub-000001", answered.get(0).id(), "ids are <client id>-<counter>");
            MeshgateClient client = subscriber.client();
            assertEquals(ConnectionState.CONNECTED, client.state());
            assertEquals("eu-west", client.region());
            assertEquals(List.of("eu-west"), List.copyOf(client.rtts().keySet()), "the measured RTTs are exposed");
        }
    }

    @Test
    void refusedPublishesAndSubscriptionsFailWithTheServersCode() throws Exception {
        try (MeshgateClient client = MeshgateClient.builder(edge).token(token).build()) {
            client.connect().get(30, TimeUnit.SECONDS);
            ExecutionException publish = assertThrows(ExecutionException.class,
                    () -> client.publish("news:world", Map.of("x", 1)).get(30, TimeUnit.SECONDS));
            assertEquals("forbidden", assertInstanceOf(PublishRefusedException.class, publish.getCause()).code());

            Subscription sub = client.subscribe("news:world", m -> { });
            ExecutionException subscribe = assertThrows(ExecutionException.class,
                    () -> sub.subscribed().get(30, TimeUnit.SECONDS));
            assertEquals("forbidden", assertInstanceOf(SubscribeRefusedException.class, subscribe.getCause()).code());
            assertTrue(sub.isClosed());

            assertEquals("chat:ok", client.publish("chat:ok", "still connected").get(30, TimeUnit.SECONDS).channel());
        }
    }

    @Test
    void aRefusedFixedTokenStopsTheClient() {
        List<StateEvent> states = new CopyOnWriteArrayList<>();
        try (MeshgateClient client = MeshgateClient.builder(edge).token("not-a-jwt").build()) {
            client.onState(states::add);
            CompletableFuture<Ack> pending = client.publish("chat:x", 1);
            ExecutionException connect = assertThrows(ExecutionException.class,
                    () -> client.connect().get(30, TimeUnit.SECONDS));
            assertEquals("unauthorized", assertInstanceOf(ClientStoppedException.class, connect.getCause()).reason());
            ExecutionException publish = assertThrows(ExecutionException.class,
                    () -> pending.get(30, TimeUnit.SECONDS));
            assertEquals("unauthorized", ((PublishRefusedException) publish.getCause()).code());
            await().atMost(WAIT).until(() -> !states.isEmpty()
                    && states.get(states.size() - 1).state() == ConnectionState.DISCONNECTED);
            StateEvent last = states.get(states.size() - 1);
            assertEquals(4001, last.closeCode());
            assertFalse(last.retrying(), "a fixed token that was refused is not tried again");
        }
    }

    @Test
    void aTokenSupplierIsAskedAgainAfterARefusal() throws Exception {
        List<String> tokens = new CopyOnWriteArrayList<>(List.of("expired-or-bad", token));
        try (MeshgateClient client = MeshgateClient.builder(edge)
                .tokenSupplier(() -> tokens.size() > 1 ? tokens.remove(0) : tokens.get(0)).build()) {
            assertEquals("eu-west", client.connect().get(30, TimeUnit.SECONDS).region());
            assertEquals(1, tokens.size(), "the refused token was replaced by the supplier's next one");
        }
    }
}
