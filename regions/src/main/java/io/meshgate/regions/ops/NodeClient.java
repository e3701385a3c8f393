package io.meshgate.regions.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** Reads a node's status and makes its admin calls (drain, undrain), over its edge or admin port. */
public final class NodeClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    public NodeStatus status(String region, String node, String baseUrl) {
        try {
            HttpResponse<String> ready = get(baseUrl + "/readyz");
            String reason = null;
            if (ready.statusCode() != 200) {
                JsonNode body = JSON.readTree(ready.body());
                reason = body.path("reason").asText("not ready (HTTP " + ready.statusCode() + ")");
            }
            String metrics = get(baseUrl + "/metrics").body();
            return new NodeStatus(region, node, baseUrl, reason, gauge(metrics, "meshgate_region_members"),
                    gauge(metrics, "meshgate_ws_connections"), gauge(metrics, "meshgate_feed_channels"),
                    gauge(metrics, "meshgate_publish_inflight"), linksUp(metrics), rttMatrix(metrics));
        } catch (IOException e) {
            return NodeStatus.unreachable(region, node, baseUrl, "unreachable (" + why(e) + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return NodeStatus.unreachable(region, node, baseUrl, "interrupted");
        }
    }

    private static Map<String, Boolean> linksUp(String metrics) {
        Map<String, Boolean> out = new TreeMap<>();
        for (PrometheusText.Sample s : PrometheusText.samples(metrics, "meshgate_mesh_link_up")) {
            out.put(s.labels().getOrDefault("peer", "?"), s.value() == 1.0);
        }
        return out;
    }

    private static Map<String, Map<String, Double>> rttMatrix(String metrics) {
        Map<String, Map<String, Double>> out = new TreeMap<>();
        for (PrometheusText.Sample s : PrometheusText.samples(metrics, "meshgate_mesh_rtt_matrix_seconds")) {
            out.computeIfAbsent(s.labels().getOrDefault("from", "?"), f -> new TreeMap<>())
                    .put(s.labels().getOrDefault("to", "?"), s.value() * 1000.0);
        }
        return out;
    }

    /**
     * Calls one of the node's {@code /admin/*} endpoints; returns its answer (HTTP status and body).
     *
     * @param pathAndQuery for example {@code /admin/undrain?reason=...}, already percent-encoded
     */
    public HttpResponse<String> admin(String baseUrl, String method, String pathAndQuery, String adminToken)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (adminToken != null && !adminToken.isEmpty()) {
            request.header("Authorization", "Bearer " + adminToken);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Why a node could not be reached, in words (a refused connection has no message of its own). */
    public static String why(IOException e) {
        return e instanceof java.net.ConnectException ? "connection refused"
                : e instanceof java.net.http.HttpTimeoutException ? "timed out"
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** Sum of a metric's samples in Prometheus text, -1 when absent. */
    public static long gauge(String metrics, String name) {
        return PrometheusText.sum(metrics, name);
    }
}
