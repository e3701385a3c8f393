package io.meshgate.chaos.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wire report: a step's node counters read, idle connections of both servers side by side. */
class WireReportTest {

    @Test
    void nodePublishLatencyIsReadFromTheSummaryQuantilesInMilliseconds() {
        Map<String, Object> step = Map.of("nodeCounters", Map.of(
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.5\"}", 0.01519616,
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.99\"}", 0.130015232,
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.999\"}", 0.134,
                "meshgate_publish_latency_seconds_count{node=\"bench-1\",region=\"bench\"}", 10000.0,
                "meshgate_publish_latency_seconds_sum{node=\"bench-1\",region=\"bench\"}", 123.0));
        assertEquals("12.3; 15 / 130", WireReport.nodePublishLatency(step), "the step's mean, then the window's");
        Map<String, Object> noSum = Map.of("nodeCounters", Map.of(
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.5\"}", 0.01519616,
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.99\"}", 0.130015232));
        assertEquals("15 / 130", WireReport.nodePublishLatency(noSum), "no publish in the step: quantiles only");
    }

    @Test
    void aServerWithoutThatSummaryGetsNotApplicable() {
        assertEquals("n/a", WireReport.nodePublishLatency(Map.of("nodeCounters", Map.of())));
        assertEquals("n/a", WireReport.nodePublishLatency(Map.of()));
    }

    @Test
    void idleConnectionsOfBothServersAreReportedWithTheirRatio() {
        Map<String, Object> report = new java.util.LinkedHashMap<>();
        report.put("machine", Map.of("cores", 2));
        report.put("saturation", Map.of());
        report.put("idle", Map.of("connected", 15904, "rssBytesPerConnection", 7974));
        report.put("idleNats", Map.of("connected", 15904, "rssBytesPerConnection", 25124));
        String md = WireReport.markdown(report);
        org.junit.jupiter.api.Assertions.assertTrue(md.contains("## Idle connections on nats-server"), md);
        org.junit.jupiter.api.Assertions.assertTrue(
                md.contains("Meshgate / nats-server: 7,974 / 25,124 bytes = 0.32×"), md);
    }
}
