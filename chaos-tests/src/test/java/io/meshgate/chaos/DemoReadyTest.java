package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code java -jar gateway.jar demo} as a user starts it: the moment its banner says it is ready, publishes from
 * every region on channels homed all over the mesh are acknowledged (never {@code unavailable}), and every region
 * reads every one of them back.
 */
class DemoReadyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String BANNER = "Meshgate demo: three regions joined by the relay mesh";
    private static final String[] REGIONS = {"us-east", "eu-west", "ap-south"};
    /** Enough channels that, hashed over three regions, each region is home to some. */
    private static final int CHANNELS = 9;

    private Process demo;

    @AfterEach
    void stop() throws InterruptedException {
        if (demo != null && demo.isAlive()) {
            demo.destroyForcibly();
            demo.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void publishesAcrossRegionsSucceedTheMomentTheBannerPrints() throws Exception {
        int[] base = freeDemoPorts();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC"));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", GatewayProcess.jar().toString(), "demo", "--port", String.valueOf(base[0]),
                "--cluster-port", String.valueOf(base[1])));
        demo = new ProcessBuilder(command).redirectErrorStream(true).start();

        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch banner = new CountDownLatch(1);
        // Reads the demo's output all along (a full pipe would block its logging) and signals the banner.
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(demo.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    if (line.contains(BANNER)) {
                        banner.countDown();
                    }
                }
            } catch (IOException e) {
                output.add("(output unreadable: " + e + ")");
            }
        }, "demo-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!banner.await(100, TimeUnit.MILLISECONDS)) {
            if (!demo.isAlive() || System.nanoTime() > deadline) {
                fail("no banner (" + (demo.isAlive() ? "150 s passed" : "the demo exited") + "):\n"
                        + String.join("\n", output));
            }
        }
        // The very first thing after the banner: one publish per region per channel, each must be acked.
        for (int c = 0; c < CHANNELS; c++) {
            for (int r = 0; r < REGIONS.length; r++) {
                String channel = "chat:ready" + c;
                HttpResponse<String> reply = publish(edge(base[0], r), channel, REGIONS[r] + "-" + c);
                assertEquals(200, reply.statusCode(), "publish on " + channel + " in " + REGIONS[r]
                        + " right after the banner: " + reply.body() + "\n" + String.join("\n", output));
                assertEquals("ack", JSON.readTree(reply.body()).path("op").asText(), reply.body());
            }
        }
        for (int r = 0; r < REGIONS.length; r++) {
            for (int c = 0; c < CHANNELS; c++) {
                List<String> ids = readAll(edge(base[0], r), "chat:ready" + c);
                assertEquals(List.of("us-east-" + c, "eu-west-" + c, "ap-south-" + c), ids,
                        "chat:ready" + c + " as read in " + REGIONS[r]);
            }
        }
        for (int r = 0; r < REGIONS.length; r++) {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(edge(base[0], r) + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            List<String> emptyHelp = metrics.lines().filter(l -> l.startsWith("# HELP ")
                    && l.substring("# HELP ".length()).trim().split(" ", 2).length < 2).toList();
            assertEquals(List.of(), emptyHelp, "every metric says what it is, in " + REGIONS[r]);
        }
        synchronized (output) {
            List<String> dumps = output.stream().filter(l -> l.matches(".*[A-Z][A-Za-z]+Settings\\[.*")).toList();
            assertEquals(List.of(), dumps, "no raw record dumps in the demo's log");
        }
    }

    private static HttpResponse<String> publish(String httpUrl, String channel, String id) throws Exception {
        String body = JSON.createObjectNode().put("ch", channel).put("id", id).put("data", id).toString();
        return HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl + "/v1/publish")).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> readAll(String httpUrl, String channel) throws Exception {
        HttpResponse<String> reply = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl + "/v1/poll?ch="
                        + URLEncoder.encode(channel + "@:0", StandardCharsets.UTF_8) + "&wait=5"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, reply.statusCode(), reply.body());
        List<String> ids = new ArrayList<>();
        long seq = 0;
        for (JsonNode msg : JSON.readTree(reply.body()).path("messages")) {
            assertTrue(msg.path("seq").asLong() > seq, "seqs increase: " + reply.body());
            seq = msg.path("seq").asLong();
            ids.add(msg.path("id").asText());
        }
        return ids;
    }

    private static String edge(int base, int region) {
        return "http://127.0.0.1:" + (base + 10 * region);
    }

    /**
     * A first edge port and a first cluster port such that every port the demo derives from them is free: edges
     * P, P+10, P+20, relays P+1000.., members C, C+10, C+20.
     */
    private static int[] freeDemoPorts() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int edge = ThreadLocalRandom.current().nextInt(20_000, 28_000);
            int cluster = ThreadLocalRandom.current().nextInt(30_000, 38_000);
            List<Integer> all = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                all.addAll(List.of(edge + 10 * r, edge + 1000 + 10 * r, cluster + 10 * r));
            }
            if (all.stream().allMatch(DemoReadyTest::free)) {
                return new int[] {edge, cluster};
            }
        }
        throw new IOException("no free set of demo ports found");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
