package io.meshgate.chaos.bench;

import java.util.List;
import java.util.Map;

/** The wire benchmark's figures ({@link WireBench}'s report map) as Markdown tables. */
final class WireReport {
    private WireReport() {
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
            Object nats = sat.get(e.getKey().replaceFirst("^meshgate / ", "nats / "));
            Object mine = ((Map<String, Object>) e.getValue()).get("saturationDeliveriesPerSecond");
            if (e.getKey().startsWith("meshgate / ") && nats != null && mine != null
                    && ((Map<String, Object>) nats).get("saturationDeliveriesPerSecond") instanceof Number theirs
                    && theirs.doubleValue() > 0) {
                md.append("\nRatio Meshgate / nats-server, ").append(e.getKey().substring(11)).append(": **")
                        .append(Math.round(((Number) mine).doubleValue() / theirs.doubleValue() * 100) / 100.0)
                        .append("×** (saturation deliveries/s, same run)\n");
            }
        }
        for (Map.Entry<String, Object> e : sat.entrySet()) {
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            List<Map<String, Object>> steps = (List<Map<String, Object>>) m.get("steps");
            if (steps == null) {
                continue;
            }
            md.append("\n### ").append(e.getKey()).append("\n\n")
                    .append("| offered msg/s | offered deliveries/s | pass | delivered/s | deliver p50 / p99 ms "
                            + "| ack p50 / p99 ms | server CPU µs/delivery | RSS MiB | why not |\n")
                    .append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
            for (Map<String, Object> s : steps) {
                md.append("| ").append(s.get("offeredMsgPerSecond")).append(" | ")
                        .append(s.get("offeredDeliveriesPerSecond")).append(" | ").append(s.get("pass")).append(" | ")
                        .append(s.get("deliveriesPerSecond")).append(" | ").append(s.get("deliverP50Ms"))
                        .append(" / ").append(s.get("deliverP99Ms")).append(" | ")
                        .append(s.containsKey("ackP50Ms") ? s.get("ackP50Ms") + " / " + s.get("ackP99Ms")
                                : "n/a (no acks)").append(" | ").append(s.get("serverCpuMicrosPerDelivery"))
                        .append(" | ").append(((Number) s.get("serverRssKiB")).longValue() / 1024).append(" | ")
                        .append(s.getOrDefault("why", "")).append(" |\n");
            }
        }
        Object idle = report.get("idle");
        if (idle != null) {
            md.append("\n## Idle connections on one node\n\n");
            ((Map<String, Object>) idle).forEach((k, v) -> md.append("- ").append(k).append(": ").append(v)
                    .append('\n'));
        }
        return md.toString();
    }
}
