package io.meshgate.chaos.client;

import com.fasterxml.jackson.databind.JsonNode;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import io.meshgate.chaos.Resources;
import io.meshgate.chaos.faults.ProxiedAddress;
import io.meshgate.chaos.faults.Toxiproxies;
import io.meshgate.chaos.faults.ToxiproxyHandle;
import io.meshgate.client.Ack;
import io.meshgate.client.ConnectionState;
import io.meshgate.client.MeshgateClient;
import io.meshgate.client.StateEvent;
import io.meshgate.edge.testing.Ports;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publish the server sequenced but whose ack never reached the client (a fault proxy drops everything coming back),
 * then the connection breaks. After reconnecting the client must send it again with the same id, get the original
 * ack (G4), and the channel must hold the message once: an observer connected directly to the node sees it once,
 * and the next publish takes the very next seq.
 */
class ClientRetryTest {
    @RegisterExtension
    final Resources resources = new Resources();

    @Test
    void anUnackedPublishIsRetriedWithItsIdAndAppearsOnce() throws Exception {
        ToxiproxyHandle toxiproxy = resources.track(Toxiproxies.start());
        int edge = Ports.free();
        ProxiedAddress via = toxiproxy.proxy("edge", "127.0.0.1", edge);
        resources.track(InJvmGateway.start(new DeploymentYaml().region("eu-west", "http://" + via.hostPort(), edge).with("""
                auth:
                  mode: insecure
                """)));
        WsClient observer = resources.track(WsClient.connect("ws://127.0.0.1:" + edge + "/v1/ws", null));
        observer.send("{\"op\":\"sub\",\"ch\":\"chat:once\"}");
        assertNotNull(observer.awaitOp("subscribed"));

        MeshgateClient client = resources.track(MeshgateClient.builder(URI.create("http://" + via.hostPort()))
                .clientId("retry").build());
        List<StateEvent> states = new CopyOnWriteArrayList<>();
        client.onState(states::add);
        client.connect().get(30, TimeUnit.SECONDS);

        via.proxy().toxics().timeout("drop-answers", ToxicDirection.DOWNSTREAM, 0);
        CompletableFuture<Ack> ack = client.publish("chat:once", Map.of("text", "once"));
        JsonNode sequenced = observer.awaitOp("msg");
        assertNotNull(sequenced, "the server sequenced the publish");
        assertFalse(ack.isDone(), "its ack was dropped on the way back");

        via.proxy().toxics().get("drop-answers").remove();
        via.proxy().disable(); // closes the client's connection
        via.proxy().enable();

        Ack original = ack.get(30, TimeUnit.SECONDS);
        assertEquals(sequenced.path("id").asText(), original.id(), "retried with the same id");
        assertEquals(sequenced.path("seq").asLong(), original.seq(), "and answered with the original ack");
        assertTrue(states.stream().filter(e -> e.state() == ConnectionState.CONNECTED).count() >= 2,
                "the ack came over a new connection: " + states);

        Ack next = client.publish("chat:once", Map.of("text", "next")).get(30, TimeUnit.SECONDS);
        assertEquals(original.seq() + 1, next.seq(), "the retry created no second message");
        JsonNode following = observer.awaitOp("msg");
        assertEquals(next.id(), following.path("id").asText());
        assertEquals(next.seq(), following.path("seq").asLong(), "the observer saw the retried message once");
    }
}
