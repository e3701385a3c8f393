package io.meshgate.chaos.bench;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The wire report's reading of a step's node counters. */
class WireReportTest {

    @Test
    void nodePublishLatencyIsReadFromTheSummaryQuantilesInMilliseconds() {
        Map<String, Object> step = Map.of("nodeCounters", Map.of(
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.5\"}", 0.01519616,
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.99\"}", 0.130015232,
                "meshgate_publish_latency_seconds{node=\"bench-1\",region=\"bench\",quantile=\"0.999\"}", 0.134,
                "meshgate_publish_latency_seconds_count{node=\"bench-1\",region=\"bench\"}", 10000.0));
        assertEquals("15 / 130", WireReport.nodePublishLatency(step));
    }

    @Test
    void aServerWithoutThatSummaryGetsNotApplicable() {
        assertEquals("n/a", WireReport.nodePublishLatency(Map.of("nodeCounters", Map.of())));
        assertEquals("n/a", WireReport.nodePublishLatency(Map.of()));
    }
}
