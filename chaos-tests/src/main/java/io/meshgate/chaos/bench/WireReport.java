package io.meshgate.chaos.bench;

import java.util.List;
import java.util.Map;

/** The wire benchmark's figures ({@link WireBench}'s report map) as Markdown tables. */
final class WireReport {
    private WireReport() {
    }

    @SuppressWarnings("unchecked")
    private static void ratio(StringBuilder md, String what, String workload, Object mine, Object other) {
        if (other instanceof Map<?, ?> o
                && ((Map<String, Object>) o).get("saturationDeliveriesPerSecond") instanceof Number theirs
                && theirs.doubleValue() > 0) {
            md.append("\nRatio ").append(what).append(", ").append(workload).append(": **")
                    .append(Math.round(((Number) mine).doubleValue() / theirs.doubleValue() * 100) / 100.0)
                    .append("×** (saturation deliveries/s, same run)\n");
        }
    }

    /**
     * The node's own publish→ack latency, from its {@code meshgate_publish_latency_seconds} summary: the part of the
     * publisher's ack latency spent between the node taking the {@code pub} and the ack being handed to the socket.
     * The rest is the frame's way in and the ack's way out (sockets, I/O threads, the client process). Given as
     * "mean; p50 / p99": the mean is this step's alone (its sum and count differenced over the step), while the
     * quantiles are as the summary stands at the end of the step, over Micrometer's window of the last one to two
     * minutes, so they include earlier steps and the warm-up. "n/a" for servers without acks.
     */
    @SuppressWarnings("unchecked")
    static String nodePublishLatency(Map<String, Object> step) {
        if (!(step.get("nodeCounters") instanceof Map<?, ?> counters)) {
            return "n/a";
        }
        Double p50 = null;
        Double p99 = null;
        Double sum = null;
        Double count = null;
        for (Map.Entry<String, Object> e : ((Map<String, Object>) counters).entrySet()) {
            if (e.getKey().startsWith("meshgate_publish_latency_seconds_sum{") && e.getValue() instanceof Double v) {
                sum = v;
            } else if (e.getKey().startsWith("meshgate_publish_latency_seconds_count{")
                    && e.getValue() instanceof Double v) {
                count = v;
            } else if (e.getKey().startsWith("meshgate_publish_latency_seconds{") && e.getValue() instanceof Double v) {
                if (e.getKey().contains("quantile=\"0.5\"")) {
                    p50 = v;
                } else if (e.getKey().contains("quantile=\"0.99\"")) {
                    p99 = v;
                }
            }
        }
        if (p50 == null || p99 == null) {
            return "n/a";
        }
        String quantiles = Math.round(p50 * 1000) + " / " + Math.round(p99 * 1000);
        return sum != null && count != null && count > 0
                ? String.format(java.util.Locale.ROOT, "%.1f; %s", sum * 1000 / count, quantiles) : quantiles;
    }

    /** What a failing step's settle phase saw: late deliveries are a backlog, still missing ones a loss. */
    @SuppressWarnings("unchecked")
    private static String settled(Map<String, Object> step) {
        if (!(step.get("settle") instanceof Map<?, ?> raw)) {
            return "";
        }
        Map<String, Object> st = (Map<String, Object>) raw;
        return "; then " + st.get("lateDeliveries") + " late deliveries, still missing " + st.get("stillMissing")
                + ", still unacked " + st.get("stillUnacked") + ", last " + st.get("lastArrivalAfterPublishS")
                + " s after publishing";
    }

    @SuppressWarnings("unchecked")
    static String markdown(Map<String, Object> report) {
        StringBuilder md = new StringBuilder("# Wire benchmark (issue 10)\n\n");
        Map<String, Object> machine = (Map<String, Object>) report.get("machine");
        md.append("Started ").append(report.get("started")).append(", ended ").append(report.get("ended"))
                .append(". Machine: ").append(machine.get("cores")).append(" cores, ").append(machine.get("cpu"))
                .append(", ").append(machine.get("jvm")).append("; load average ")
                .append(machine.get("loadAverageAtStart")).append(" at start, ").append(machine.get("loadAverageAtEnd"))
                .append(" at end. Flags: ").append(report.get("flags")).append(". nats-server: ")
                .append(report.get("natsServer")).append(".\n\n");
        Map<String, Object> sat = (Map<String, Object>) report.get("saturation");
        md.append("## Saturation (highest offered rate with every message delivered in order)\n\n")
                .append("| server / workload | saturation msg/s | deliveries/s | server RSS peak |\n")
                .append("| --- | --- | --- | --- |\n");
        for (Map.Entry<String, Object> e : sat.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            md.append("| ").append(e.getKey()).append(" | ")
                    .append(m.containsKey("failed") ? "failed: " + m.get("failed") : m.get("saturationRate"))
                    .append(" | ").append(m.getOrDefault("saturationDeliveriesPerSecond", "")).append(" | ")
                    .append(m.containsKey("rssPeakKiB") ? ((Number) m.get("rssPeakKiB")).longValue() / 1024 + " MiB"
                            : "").append(" |\n");
        }
        for (Map.Entry<String, Object> e : sat.entrySet()) {
            Object mine = ((Map<String, Object>) e.getValue()).get("saturationDeliveriesPerSecond");
            if (!e.getKey().startsWith("meshgate / ") || mine == null) {
                continue;
            }
            String workload = e.getKey().substring(11);
            ratio(md, "Meshgate / nats-server", workload, mine, sat.get("nats / " + workload));
            ratio(md, "Meshgate / bare Undertow ceiling", workload, mine, sat.get("ceiling / " + workload));
        }
        for (Map.Entry<String, Object> e : sat.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            List<Map<String, Object>> steps = (List<Map<String, Object>>) m.get("steps");
            if (steps == null) {
                continue;
            }
            md.append("\n### ").append(e.getKey()).append("\n\n")
                    .append("| offered msg/s | offered deliveries/s | pass | delivered/s | deliver p50 / p99 ms "
                            + "| ack p50 / p99 ms (nats: PONG) | node pub→ack ms: step mean; p50 / p99 (last 1–2 min) | server CPU µs/delivery | RSS MiB "
                            + "| why not |\n")
                    .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for (Map<String, Object> s : steps) {
                md.append("| ").append(s.get("offeredMsgPerSecond")).append(" | ")
                        .append(s.get("offeredDeliveriesPerSecond")).append(" | ").append(s.get("pass")).append(" | ")
                        .append(s.get("deliveriesPerSecond")).append(" | ").append(s.get("deliverP50Ms"))
                        .append(" / ").append(s.get("deliverP99Ms")).append(" | ")
                        .append(s.containsKey("ackP50Ms") ? s.get("ackP50Ms") + " / " + s.get("ackP99Ms")
                                : "n/a (no acks)").append(" | ").append(nodePublishLatency(s)).append(" | ")
                        .append(s.get("serverCpuMicrosPerDelivery"))
                        .append(" | ").append(((Number) s.get("serverRssKiB")).longValue() / 1024).append(" | ")
                        .append(s.getOrDefault("why", "")).append(settled(s)).append(" |\n");
            }
            if (m.get("warmup") instanceof Map<?, ?> wu) {
                md.append("\nWarm-up before the steps (not measured): ").append(wu.get("offeredMsgPerSecond"))
                        .append(" msg/s for ").append(m.get("warmupSeconds")).append(" s, ")
                        .append(Boolean.TRUE.equals(wu.get("pass")) ? "passed" : "did not pass: " + wu.get("why"))
                        .append(settled((Map<String, Object>) wu)).append(".\n");
            }
        }
        Object idle = report.get("idle");
        if (idle != null) {
            md.append("\n## Idle connections on one node\n\n");
            ((Map<String, Object>) idle).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v)
                    .append('\n'));
        }
        Object idleNats = report.get("idleNats");
        if (idleNats != null) {
            md.append("\n## Idle connections on nats-server\n\n");
            ((Map<String, Object>) idleNats).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v)
                    .append('\n'));
            if (idle instanceof Map<?, ?> ours && ours.get("rssBytesPerConnection") instanceof Number a
                    && ((Map<?, ?>) idleNats).get("rssBytesPerConnection") instanceof Number b && b.longValue() > 0) {
                md.append(String.format(java.util.Locale.ROOT,
                        "%nRSS per idle connection, Meshgate / nats-server: %,d / %,d bytes = %.2f×%n",
                        a.longValue(), b.longValue(), a.doubleValue() / b.doubleValue()));
            }
        }
        return md.toString();
    }
}
