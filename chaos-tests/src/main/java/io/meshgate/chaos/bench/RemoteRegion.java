package io.meshgate.chaos.bench;

import io.meshgate.regions.ops.PrometheusText;

import java.net.URI;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A region that is already running, given by its WebSocket URLs. Its heap is read from the first node's
 * {@code GET /metrics} ({@code jvm_memory_used_bytes{area="heap"}} summed over pools); idle connections all go to
 * that node, so the heap that grows is the heap that is read, whether or not other nodes share its JVM.
 *
 * <p>The load generator cannot make a remote JVM collect garbage, so without {@code serverPid} the reading is the
 * smallest of several samples and includes garbage; with it, {@code jcmd <pid> GC.run} runs first.
 */
final class RemoteRegion implements Target, HeapProbe {
    private final List<String> wsUrls;
    private final String metricsUrl;
    private final long serverPid;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    RemoteRegion(List<String> wsUrls, long serverPid) {
        this.wsUrls = List.copyOf(wsUrls);
        this.metricsUrl = Target.httpBase(wsUrls.get(0)) + "/metrics";
        this.serverPid = serverPid;
    }

    @Override
    public List<String> wsUrls() {
        return wsUrls;
    }

    @Override
    public List<String> idleUrls() {
        return List.of(wsUrls.get(0));
    }

    @Override
    public HeapProbe heap() {
        return this;
    }

    @Override
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", "remote");
        m.put("wsUrls", wsUrls);
        m.put("metricsUrl", metricsUrl);
        m.put("serverPid", serverPid == 0 ? null : serverPid);
        return m;
    }

    @Override
    public long usedHeapBytes() {
        if (serverPid != 0) {
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                forceGc();
                Sleep.millis(300);
                best = Math.min(best, metric("jvm_memory_used_bytes", Map.of("area", "heap")));
            }
            return best;
        }
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            best = Math.min(best, metric("jvm_memory_used_bytes", Map.of("area", "heap")));
            Sleep.millis(1000);
        }
        return best;
    }

    @Override
    public long connections() {
        return metric("meshgate_ws_connections", Map.of());
    }

    @Override
    public String method() {
        return serverPid != 0
                ? "GET " + metricsUrl + " jvm_memory_used_bytes{area=\"heap\"} summed over pools, smallest of 3"
                  + " readings each after `jcmd " + serverPid + " GC.run`"
                : "GET " + metricsUrl + " jvm_memory_used_bytes{area=\"heap\"} summed over pools, smallest of 5"
                  + " readings 1 s apart, NO forced GC (includes garbage: noisy, pass --server-pid to fix)";
    }

    @Override
    public boolean forcesGc() {
        return serverPid != 0;
    }

    @Override
    public void close() {
        // nothing of ours to stop
    }

    private void forceGc() {
        try {
            String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
            Process p = new ProcessBuilder(jcmd, Long.toString(serverPid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("jcmd " + serverPid + " GC.run did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("jcmd " + serverPid + " GC.run failed with exit code " + p.exitValue());
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException("could not run jcmd: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Sum of every sample of {@code name} that carries all of {@code labels}; 0 when there is none. */
    private long metric(String name, Map<String, String> labels) {
        String body;
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(metricsUrl))
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + metricsUrl + " answered " + response.statusCode());
            }
            body = response.body();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("GET " + metricsUrl + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return Math.round(PrometheusText.samples(body, name).stream()
                .filter(sample -> sample.labels().entrySet().containsAll(labels.entrySet()))
                .mapToDouble(PrometheusText.Sample::value).filter(Double::isFinite).sum());
    }
}
