package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.testing.WsClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gateway.jar drain --region} and {@code undrain --region} against three one-node regions, each its own
 * process, run as an operator runs them: the drained region's clients are moved to another region, its process
 * keeps running out of service, a repeat changes nothing, and undrain puts it back.
 */
class RegionDrainTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void drainARegionKeepingItRunningThenUndrainIt() throws Exception {
        try (ChaosMesh mesh = ChaosMesh.start("region-drain", dir, 1, Set.of(), null, Map.of())) {
            GatewayProcess euWest = mesh.node("eu-west-1");
            String token = mesh.token();
            WsClient client = WsClient.connect(euWest.wsUrl(), token);
            client.send("{\"op\":\"sub\",\"ch\":\"ops:drain\"}");
            assertNotNull(client.awaitOp("subscribed"));

            awaitAllHealthy(euWest);
            Cli drained = cli("drain", "--config", mesh.config().toString(), "--region", "eu-west", "--reason",
                    "kernel patch");
            assertEquals(0, drained.code(), drained.output());
            assertTrue(drained.output().contains("node eu-west-1") && drained.output().contains("now out of service"),
                    drained.output());
            JsonNode move = client.awaitOp("move");
            assertNotNull(move, "move: " + client.received());
            assertEquals("drain", move.path("reason").asText());
            assertEquals("ap-south", move.path("region").asText(), "first other region by name");
            assertEquals(mesh.node("ap-south-1").wsUrl(), move.path("url").asText());
            assertEquals(4100, client.closeCode().get(20, TimeUnit.SECONDS));
            assertTrue(get(euWest.httpUrl() + "/readyz").body().contains("out of service"));
            assertTrue(euWest.isAlive(), "the process keeps running");
            String log = Files.readString(dir.resolve("eu-west-1.log"));
            assertTrue(log.contains("by /127.0.0.1") && log.contains("\"kernel patch\""), "who and why are logged");

            Cli again = cli("drain", "--config", mesh.config().toString(), "--region", "eu-west");
            assertEquals(0, again.code(), again.output());
            assertTrue(again.output().contains("already out of service"), again.output());

            Cli back = cli("undrain", "--config", mesh.config().toString(), "--region", "eu-west", "--reason",
                    "patched");
            assertEquals(0, back.code(), back.output());
            assertTrue(back.output().contains("back in service"), back.output());
            await().atMost(Duration.ofSeconds(20)).until(() -> get(euWest.httpUrl() + "/readyz").statusCode() == 200);
            WsClient stays = WsClient.connect(euWest.wsUrl(), token);
            stays.send("{\"op\":\"sub\",\"ch\":\"ops:drain\"}");
            assertNotNull(stays.awaitOp("subscribed"), stays.received().toString());

            assertEquals(2, cli("undrain", "--config", mesh.config().toString()).code(), "usage");
        }
    }

    record Cli(int code, String output) {
    }

    /** A region counts as healthy (and sequences) once it has been live for mesh.failbackHoldMs. */
    static void awaitAllHealthy(GatewayProcess seenFrom) {
        await().atMost(Duration.ofSeconds(60)).until(() -> get(seenFrom.httpUrl() + "/v1/regions").body()
                .split("\"healthy\":true", -1).length - 1 == ChaosMesh.REGIONS.size());
    }

    static Cli cli(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx64m", "-jar", GatewayProcess.jar().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        return new Cli(process.exitValue(), output);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
