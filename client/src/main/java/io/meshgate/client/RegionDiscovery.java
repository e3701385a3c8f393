package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Region choice over the network: {@code GET /v1/regions} from the first seed that answers, then {@code GET /v1/ping}
 * of every healthy region {@code probes} times, one probe after the other per region and all regions at once, into a
 * {@link RegionRanking}. When no region answers a probe, the ranking holds only the answering seed's own region, at
 * the seed's URL: the seed is known to answer, and a deployment whose advertised URLs are unreachable from here is
 * still usable through it. Asynchronous; holds no state between calls.
 */
final class RegionDiscovery {
    private static final Logger LOG = LoggerFactory.getLogger(RegionDiscovery.class);

    private final HttpClient http;
    private final List<URI> seeds;
    private final Set<String> only;
    private final int probes;
    private final Duration probeTimeout;
    private final Duration requestTimeout;

    RegionDiscovery(HttpClient http, ClientConfig config) {
        this.http = http;
        this.seeds = config.seeds();
        this.only = config.regions();
        this.probes = config.probes();
        this.probeTimeout = Duration.ofMillis(config.probeTimeoutMs());
        this.requestTimeout = config.requestTimeout();
    }

    /** Fetches, probes and ranks; fails when no seed answers or no wanted region is listed. */
    CompletableFuture<RegionRanking> rank() {
        return fetch(0, new ArrayList<>()).thenCompose(listing -> {
            List<ListedRegion> wanted = listing.regions().stream()
                    .filter(r -> only.isEmpty() || only.contains(r.name())).toList();
            if (wanted.isEmpty()) {
                throw new IllegalStateException(listing.seed() + " lists no region among " + only);
            }
            List<ListedRegion> healthy = wanted.stream().filter(ListedRegion::healthy).toList();
            Map<String, CompletableFuture<List<Long>>> probing = new HashMap<>();
            healthy.forEach(r -> probing.put(r.name(), probeSeries(r.httpUrl(), new ArrayList<>())));
            return CompletableFuture.allOf(probing.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
                Map<String, List<Long>> samples = new HashMap<>();
                probing.forEach((name, future) -> samples.put(name, future.join()));
                RegionRanking ranking = RegionRanking.rank(healthy, samples);
                LOG.debug("regions from {}: {}; ranked {}", listing.seed(), wanted, ranking.rtts());
                return ranking.isEmpty() ? fallback(listing) : ranking;
            });
        });
    }

    /** True when {@code GET httpUrl/v1/ping} answers 2xx within the probe time-out. */
    CompletableFuture<Boolean> answersPing(String httpUrl) {
        return probe(httpUrl).thenApply(rtt -> rtt >= 0);
    }

    private record Listing(URI seed, String self, List<ListedRegion> regions) {
    }

    private CompletableFuture<Listing> fetch(int index, List<String> failures) {
        if (index >= seeds.size()) {
            return CompletableFuture.failedFuture(new IllegalStateException("no seed answered /v1/regions: "
                    + failures));
        }
        URI seed = seeds.get(index);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base(seed.toString()) + "/v1/regions"))
                .timeout(requestTimeout).GET().build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("HTTP " + response.statusCode());
                    }
                    return parse(seed, response.body());
                })
                .handle((listing, error) -> {
                    if (error == null) {
                        return CompletableFuture.completedFuture(listing);
                    }
                    failures.add(seed + ": " + Failures.describe(error));
                    return fetch(index + 1, failures);
                })
                .thenCompose(f -> f);
    }

    private static Listing parse(URI seed, String body) {
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            List<ListedRegion> regions = new ArrayList<>();
            for (JsonNode r : root.path("regions")) {
                regions.add(new ListedRegion(r.path("name").asText(), r.path("ws").asText(),
                        base(r.path("http").asText()), r.path("healthy").asBoolean(true)));
            }
            return new Listing(seed, root.path("self").asText(), regions);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable /v1/regions answer: " + Failures.describe(e), e);
        }
    }

    /** The seed's own region at the seed's URL. */
    private RegionRanking fallback(Listing listing) {
        if (!only.isEmpty() && !only.contains(listing.self())) {
            throw new IllegalStateException("no region among " + only + " answered its probes");
        }
        String http = base(listing.seed().toString());
        LOG.warn("no region answered its probes; connecting to {} ({}) directly", http, listing.self());
        return RegionRanking.only(new RankedRegion(listing.self(), wsUrl(http), http, null));
    }

    /** {@code probes} probes one after the other (each on the connection the previous one opened); the successful RTTs. */
    private CompletableFuture<List<Long>> probeSeries(String httpUrl, List<Long> results) {
        if (results.size() >= probes) {
            return CompletableFuture.completedFuture(results.stream().filter(rtt -> rtt >= 0).toList());
        }
        return probe(httpUrl).thenCompose(rtt -> {
            results.add(rtt);
            return probeSeries(httpUrl, results);
        });
    }

    /** One probe: its RTT in nanoseconds, or -1 when it failed or took longer than the probe time-out. */
    private CompletableFuture<Long> probe(String httpUrl) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(httpUrl + "/v1/ping")).timeout(probeTimeout).GET()
                .build();
        long start = System.nanoTime();
        return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .orTimeout(probeTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    long rtt = System.nanoTime() - start;
                    boolean ok = error == null && response.statusCode() / 100 == 2 && rtt <= probeTimeout.toNanos();
                    return ok ? rtt : -1L;
                });
    }

    static String base(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    static String wsUrl(String httpUrl) {
        String base = base(httpUrl);
        return (base.startsWith("https://") ? "wss://" + base.substring(8) : "ws://" + base.substring(7)) + "/v1/ws";
    }

    static String httpUrl(String wsUrl) {
        String base = wsUrl.endsWith("/v1/ws") ? wsUrl.substring(0, wsUrl.length() - "/v1/ws".length()) : wsUrl;
        return base.startsWith("wss://") ? "https://" + base.substring(6) : "http://" + base.substring(5);
    }
}
