package io.meshgate.chaos.bench;

import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes one run's figures as {@code bench-<timestamp>.md} (for people) and {@code bench-<timestamp>.json} (for
 * tools) with the same content: parameters, machine, exact command, results and how each was measured.
 */
final class BenchReport {
    static final DateTimeFormatter FILE_STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final Instant started;

    BenchReport(Instant started, Map<String, Object> command, Map<String, Object> machine,
                Map<String, Object> parameters) {
        this.started = started;
        root.put("benchmark", "meshgate load generator");
        root.put("formatVersion", 1);
        root.put("startedAt", started.toString());
        root.put("command", command);
        root.put("machine", machine);
        root.put("parameters", parameters);
    }

    void target(Map<String, Object> target) {
        root.putIfAbsent("target", target);
    }

    void result(String scenario, Object result) {
        results.put(scenario, result);
    }

    /** Writes both files; returns the Markdown one. */
    Path write(Path dir, Instant finished) throws IOException {
        root.put("finishedAt", finished.toString());
        root.put("loadAverageAtEnd", MachineInfo.loadAverage());
        root.put("results", results);
        root.put("method", method());
        Files.createDirectories(dir);
        String base = "bench-" + FILE_STAMP.format(started);
        Path json = dir.resolve(base + ".json");
        Path md = dir.resolve(base + ".md");
        Files.writeString(json, BenchClient.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
        Files.writeString(md, markdown(), StandardCharsets.UTF_8);
        return md;
    }

    private static List<String> method() {
        return List.of(
                "(a)/(b): open-loop publishing at a fixed rate; each message's data.t is System.nanoTime() at the"
                        + " moment it was due. Publishers and subscribers are in the load generator's JVM, so"
                        + " latency = arrival nanoTime - t (same clock), measured on the subscriber's listener"
                        + " thread before JSON handling of the next frame; messages due during warm-up are not"
                        + " measured.",
                "(a)/(b): deliveries/s = deliveries arriving between the end of warm-up and the end of publishing,"
                        + " divided by that window. At a fixed publish rate it can only equal the offered load"
                        + " (rate x subscribers per channel) or fall short of it; falling short, or a growing p99,"
                        + " means saturation.",
                "(a)/(b): load is spread round-robin over the region's nodes (publishers start on the second node), so"
                        + " most deliveries cross nodes through the region's fan-out.",
                "(c): after a warm-up (200 connections opened and closed), server heap after full GC before and"
                        + " while N idle connections (connect + connected, then nothing but ping/pong) are held by a"
                        + " separate client JVM; bytes per connection = heap delta / connections the server counts"
                        + " (meshgate_ws_connections); +/- = difference of two baseline readings / N (drift over"
                        + " the run shows as heap after close minus heap before).",
                ClientScenario.METHOD,
                CrossRegionReport.METHOD);
    }

    private String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Meshgate benchmark, ").append(root.get("startedAt")).append("\n\n");
        Map<?, ?> command = (Map<?, ?>) root.get("command");
        md.append("Command: `").append(command.get("maven")).append("`\n\n");
        md.append("Load generator arguments: `").append(command.get("args")).append("`\n\n");
        md.append("Java command: `").append(command.get("java")).append("`\n\n");
        md.append("Target: ").append(root.get("target")).append("\n\n");
        md.append("Finished: ").append(root.get("finishedAt")).append(". Results are figures, not verdicts: see ")
                .append("chaos-tests/README.md for how to read them.\n\n");

        Object a = results.get("fanout");
        Object b = results.get("channels");
        if (a != null || b != null) {
            md.append("## Publish to deliver\n\n");
            md.append("| | (a) 1 channel x many subscribers | (b) many channels x 1 subscriber |\n|---|---|---|\n");
            row(md, "scenario", a, b, r -> r.channels() + " channel(s) x " + r.subscribersPerChannel()
                    + " subscriber(s)");
            row(md, "subscribed / connections", a, b, r -> r.subscribed() + " / " + r.subscriberConnections()
                    + " (+" + r.publisherConnections() + " publishers)");
            row(md, "publish rate offered / achieved (msg/s)", a, b,
                    r -> fmt(r.offeredRatePerSecond()) + " / " + fmt(r.achievedPublishRatePerSecond()));
            row(md, "**deliveries/s** (steady window) / offered", a, b,
                    r -> "**" + fmt(r.deliveriesPerSecond()) + "** / " + fmt(r.expectedDeliveriesPerSecond()));
            row(md, "**latency p50 / p99 / p99.9 (ms)**", a, b, r -> "**" + r.latency().p50Ms() + " / "
                    + r.latency().p99Ms() + " / " + r.latency().p999Ms() + "**");
            row(md, "latency p90 / max / mean (ms)", a, b, r -> r.latency().p90Ms() + " / " + r.latency().maxMs()
                    + " / " + r.latency().meanMs());
            row(md, "latency samples", a, b, r -> Long.toString(r.latency().count()));
            row(md, "ack latency p50 / p99 / p99.9 (ms)", a, b, r -> r.ackLatency().p50Ms() + " / "
                    + r.ackLatency().p99Ms() + " / " + r.ackLatency().p999Ms());
            row(md, "published / acked / nacked", a, b, r -> r.published() + " / " + r.acked() + " / "
                    + (r.nacks().isEmpty() ? "0" : r.nacks().toString()));
            row(md, "delivered / expected", a, b, r -> r.delivered() + " / " + r.expectedDeliveries() + " ("
                    + fmt(100 * r.deliveredFraction()) + " %)");
            row(md, "out of order / missing seqs / gaps / lost connections", a, b, r -> r.outOfOrder() + " / "
                    + r.missingSeqs() + " / " + r.gaps() + " / " + r.connectionsLost());
            row(md, "measured window (ms) / connect+subscribe (ms)", a, b, r -> r.measuredWindowMillis() + " / "
                    + r.connectMillis());
            row(md, "errors", a, b, r -> r.errors().isEmpty() ? "none" : String.join("; ", r.errors())
                    .replace("|", "\\|"));
            md.append('\n');
        }
        if (results.get("quiet") instanceof QuietChannelsScenario.Result q) {
            md.append("## (d) Region heap per quiet channel\n\n| | |\n|---|---|\n");
            md.append("| **bytes per channel** (region-wide: primary and backup copy) | **").append(q.bytesPerChannel())
                    .append("** |\n");
            md.append("| channels / published / failed | ").append(q.channels()).append(" / ").append(q.published())
                    .append(" / ").append(q.failed()).append(" |\n");
            md.append("| heap before / after (MiB) | ").append(mib(q.heapBeforeBytes())).append(" / ")
                    .append(mib(q.heapAfterBytes())).append(" |\n");
            md.append("| publish time (ms) | ").append(q.publishMillis()).append(" |\n");
            md.append("| method | ").append(q.method()).append(q.gcForced() ? "" : " (no forced GC: upper bound)")
                    .append(" |\n\n");
        }
        if (results.get("client") instanceof ClientScenario.Result f) {
            ClientScenario.append(md, f);
        }
        if (results.get("cross-region") instanceof CrossRegionScenario.Result x) {
            CrossRegionReport.append(md, x);
        }
        Object c = results.get("idle");
        if (c instanceof IdleConnectionsScenario.Result r) {
            md.append("## (c) Server heap per idle WebSocket connection\n\n| | |\n|---|---|\n");
            md.append("| **bytes per connection** | **").append(r.bytesPerConnection()).append("** (")
                    .append(r.kibPerConnection()).append(" KiB), +/- ").append(r.bytesPerConnectionUncertainty())
                    .append(" |\n");
            md.append("| connections requested / attempted / connected | ").append(r.requested()).append(" / ")
                    .append(r.attempted()).append(" / ").append(r.clientConnected()).append(" |\n");
            md.append("| server-counted connections before / held / after close | ")
                    .append(r.serverConnectionsBefore()).append(" / ").append(r.serverConnectionsHeld())
                    .append(" / ").append(r.serverConnectionsAfterClose()).append(" |\n");
            md.append("| server heap before / with connections / after close (MiB) | ")
                    .append(mib(r.heapBeforeBytes())).append(" / ").append(mib(r.heapWithConnectionsBytes()))
                    .append(" / ").append(mib(r.heapAfterCloseBytes())).append(" |\n");
            md.append("| baseline noise (two readings 2 s apart, bytes) | ").append(r.baselineNoiseBytes())
                    .append(" |\n");
            md.append("| connect time (ms) | ").append(r.connectMillis()).append(" |\n");
            md.append("| client JVM heap per connection (not the server's; for sizing the client) | ")
                    .append(r.clientHeapBytesPerConnection()).append(" |\n");
            md.append("| method | ").append(r.method()).append(" |\n");
            if (r.cappedBecause() != null) {
                md.append("| capped | ").append(r.cappedBecause()).append(" |\n");
            }
            md.append("| notes | ").append(r.notes().isEmpty() ? "none" : String.join("; ", r.notes())).append(" |\n\n");
        }
        results.forEach((name, value) -> {
            if (value instanceof Map<?, ?> failure) {
                md.append("## ").append(name).append(": FAILED\n\n").append(failure.get("failed")).append("\n\n");
            }
        });
        md.append("## How it was measured\n\n");
        for (String line : method()) {
            md.append("- ").append(line).append('\n');
        }
        md.append("\n## Machine\n\n");
        ((Map<?, ?>) root.get("machine")).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v)
                .append('\n'));
        md.append("- loadAverageAtEnd: ").append(root.get("loadAverageAtEnd")).append('\n');
        md.append("\n## Parameters\n\n");
        ((Map<?, ?>) root.get("parameters")).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v)
                .append('\n'));
        return md.toString();
    }

    private static void row(StringBuilder md, String label, Object a, Object b,
                            Function<PublishDeliverScenario.Result, String> cell) {
        md.append("| ").append(label).append(" | ").append(cell(a, cell)).append(" | ").append(cell(b, cell))
                .append(" |\n");
    }

    private static String cell(Object result, Function<PublishDeliverScenario.Result, String> cell) {
        if (result instanceof PublishDeliverScenario.Result r) {
            return cell.apply(r);
        }
        return result == null ? "not run" : "failed";
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(java.util.Locale.ROOT, "%,.0f", v) : String.format(java.util.Locale.ROOT, "%,.1f", v);
    }

    private static String mib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1048576.0);
    }
}
