package io.meshgate.edge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Reads a node's Prometheus {@code /metrics} the way a scraper would. */
public final class Metrics {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    /**
     * The sum of the samples of one Prometheus metric on a node's {@code /metrics} whose labels include
     * {@code labels}; 0 when there is none (a counter that never counted is not registered yet).
     */
    public static double value(String httpUrl, String name, Map<String, String> labels) {
        String body;
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl + "/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), "GET /metrics");
            body = response.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + httpUrl + "/metrics failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        double sum = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sampleName = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
            if (!sampleName.equals(name)) {
                continue;
            }
            Map<String, String> sampleLabels = new HashMap<>();
            if (brace >= 0) {
                String inner = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : inner.split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        sampleLabels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
                    }
                }
            }
            if (sampleLabels.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }
}
