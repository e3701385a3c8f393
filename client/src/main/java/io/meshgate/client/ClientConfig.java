package io.meshgate.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Everything a client runs with, validated once when it is built ({@link MeshgateClient.Builder} documents each
 * option and its default). Times are in milliseconds.
 *
 * @param tokens           called before every connect; returns null for no token (an insecure demo edge)
 * @param tokenIsFixed     a refused fixed token stops the client; a supplied one is asked again
 * @param regions          only these regions are considered (empty: every region {@code /v1/regions} lists)
 * @param eventQueueMessages messages and gaps waiting for the application before the client stops reading
 */
record ClientConfig(List<URI> seeds, Supplier<String> tokens, boolean tokenIsFixed, Transport transport, Clock clock,
                    RandomGenerator random, String clientId, Set<String> regions, HttpClient httpClient,
                    long backoffBaseMs, long backoffCapMs, long stableAfterMs, int failuresPerRegion,
                    int probes, long probeTimeoutMs, long requestTimeoutMs, long connectTimeoutMs, long pollWaitMs,
                    int outboxCapacity, int recentIds, int eventQueueMessages, long moveJitterMinMs) {

    ClientConfig {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("seeds: give at least one edge URL");
        }
        for (URI seed : seeds) {
            String scheme = seed.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("seeds: " + seed + " is not an http:// or https:// URL");
            }
        }
        if (clientId == null || !clientId.matches("[A-Za-z0-9_.:\\-]{1,64}")) {
            throw new IllegalArgumentException("clientId: 1 to 64 of [A-Za-z0-9_.:-], was " + clientId);
        }
        positive("backoff base", backoffBaseMs);
        if (backoffCapMs < backoffBaseMs) {
            throw new IllegalArgumentException("backoff cap (" + backoffCapMs + " ms) is below its base ("
                    + backoffBaseMs + " ms)");
        }
        positive("stableAfter", stableAfterMs);
        positive("failuresPerRegion", failuresPerRegion);
        positive("probes", probes);
        positive("probe timeout", probeTimeoutMs);
        positive("requestTimeout", requestTimeoutMs);
        positive("connectTimeout", connectTimeoutMs);
        if (pollWaitMs < 0 || pollWaitMs > 55_000) {
            throw new IllegalArgumentException("pollWait must be 0..55 s (the server caps it at 55), was "
                    + pollWaitMs + " ms");
        }
        positive("outboxCapacity", outboxCapacity);
        positive("recentIds", recentIds);
        positive("eventQueueMessages", eventQueueMessages);
        if (moveJitterMinMs < 0) {
            throw new IllegalArgumentException("moveJitterMin must be >= 0");
        }
        seeds = List.copyOf(seeds);
        regions = Set.copyOf(regions);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    Duration requestTimeout() {
        return Duration.ofMillis(requestTimeoutMs);
    }
}
