package io.meshgate.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshgate.regions.ops.NodeClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway node as a separate OS process, started from the built {@code regions/target/gateway.jar} exactly as
 * an operator would, and killable with SIGKILL.
 */
final class GatewayProcess implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String node;
    private final int edgePort;
    private final Process process;
    private final Path log;

    private GatewayProcess(String node, int edgePort, Process process, Path log) {
        this.node = node;
        this.edgePort = edgePort;
        this.process = process;
        this.log = log;
    }

    static Path jar() {
        Path jar = Path.of("..", "regions", "target", "gateway.jar").toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the regions module first (mvn verify builds it"
                    + " before chaos-tests runs)");
        }
        return jar;
    }

    static GatewayProcess start(Path config, String node, int edgePort, Path logDir) {
        return start(config, node, edgePort, logDir, List.of());
    }

    /**
     * Starts a node with {@code prefix} before the {@code java} command (empty for none; {@code nice -n 19} for the
     * diagnostic restarts of {@link ChaosMesh#restart}).
     */
    static GatewayProcess start(Path config, String node, int edgePort, Path logDir, List<String> prefix) {
        // Every collection and safepoint with its wall-clock time, one file per process (%p), beside the node's log:
        // a scenario's longest ack gap can then be told apart from a stop-the-world pause of a starved 2-core machine.
        String gcLog = "-Xlog:gc,safepoint:file=" + logDir.resolve(node + "-gc-%p.log").toAbsolutePath()
                + ":time,uptime";
        List<String> command = new ArrayList<>(prefix);
        command.addAll(javaCommand("-Xmx384m", "-XX:+UseSerialGC", gcLog));
        // Diagnostic switch -Dchaos.jfr=true: a flight recording per process beside its log, to see what a node's
        // threads did during an ack gap (thread parks, monitor waits, safepoints, CPU load). Off by default.
        if (Boolean.getBoolean("chaos.jfr")) {
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + logDir.resolve(node + "-%p.jfr").toAbsolutePath());
        }
        command.addAll(List.of("-jar", jar().toString(), "node", "--config", config.toString(), "--node", node));
        Path log = logDir.resolve(node + ".log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            return new GatewayProcess(node, edgePort, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code gateway.jar drain --config FILE --node NAME}, as an operator runs it; returns its exit code and output.
     * The node then drains and stops by itself ({@link #awaitExit}).
     */
    static String drain(Path config, String node) {
        List<String> command = javaCommand("-Xmx64m");
        command.addAll(List.of("-jar", jar().toString(), "drain", "--config", config.toString(), "--node", node));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes()).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("gateway.jar drain --node " + node + " exited " + process.exitValue()
                        + ": " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<String> javaCommand(String... flags) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(flags));
        if (Runtime.version().feature() >= 24) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        return command;
    }

    /** Waits up to {@code limit} for the process to end by itself (after a drain); true when it did. */
    boolean awaitExit(Duration limit) {
        try {
            return process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String name() {
        return node;
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + edgePort + "/v1/ws";
    }

    String httpUrl() {
        return "http://127.0.0.1:" + edgePort;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The value of a gauge or counter in this node's /metrics (summed over tags), or -1 when unreachable. */
    double metric(String name) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl() + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return NodeClient.gauge(response.body(), name);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The node's {@code /admin/mesh} view (links, RTTs); an empty object while it does not answer. */
    JsonNode meshView() {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(httpUrl() + "/admin/mesh"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        }
    }

    /**
     * Calls the node's {@code /admin/faults} (from loopback, which needs no admin token when none is configured) with
     * {@code method} ({@code GET}, {@code POST} or {@code DELETE}) and {@code query} (without {@code ?}, may be
     * empty); returns the answer.
     */
    HttpResponse<String> faults(String method, String query) throws IOException, InterruptedException {
        URI uri = URI.create(httpUrl() + "/admin/faults" + (query.isEmpty() ? "" : "?" + query));
        return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The RTT in ms this node's region measures to {@code peer} ({@code /admin/mesh}'s matrix); -1 while unknown. */
    double rttMs(String peer) {
        JsonNode view = meshView();
        JsonNode rtt = view.path("rttMs").path(view.path("region").asText()).path(peer);
        return rtt.isNumber() ? rtt.asDouble() : -1;
    }

    /** True when the node's region has a link to each of its {@code peers} other regions, and every one is up. */
    boolean allLinksUp(int peers) {
        JsonNode links = meshView().path("links");
        if (links.size() != peers) {
            return false;
        }
        for (JsonNode link : links) {
            if (!link.path("up").asBoolean()) {
                return false;
            }
        }
        return true;
    }

    /** SIGKILL: no drain, no goodbye to the cluster. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return node + " log (tail):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40),
                    lines.size()));
        } catch (IOException e) {
            return node + " log unreadable: " + e;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }
}
