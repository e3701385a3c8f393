package io.meshgate.chaos.bench;

import java.util.Locale;
import java.util.Map;

/** The Markdown section of scenario (e), cross-region; {@link BenchReport} writes the JSON of the same result. */
final class CrossRegionReport {
    private CrossRegionReport() {
    }

    static final String METHOD = "(e) cross-region: three regions (us-east, eu-west, ap-south) of one node each in"
            + " the load generator's JVM, joined by the real gRPC mesh with emulated latency (each link holds every"
            + " frame for half the RTT); channels homed in us-east (Rendezvous.home). Latency paths: one publisher"
            + " connection open loop at a fixed rate, data.t = due nanoTime, latency = arrival nanoTime - t at a"
            + " subscriber in eu-west and one in us-east; ts (set by the home's sequencer, same JVM clock) splits it"
            + " into publish->sequenced and sequenced->delivered at 1 ms resolution. 'minus floor' subtracts the"
            + " emulated delay the path cannot beat (see the floor column). Throughput: one publisher connection in"
            + " us-east and one subscriber connection in eu-west per channel, each publisher keeping a window of"
            + " unanswered publishes (closed loop); delivered/s and acked/s over the window after warm-up.";

    static void append(StringBuilder md, CrossRegionScenario.Result x) {
        md.append("## (e) Cross-region: three regions, emulated RTT ").append(x.mesh().get("emulatedRttMs"))
                .append(" ms, durability ").append(x.durability()).append("\n\n");
        md.append("Heartbeat RTTs the mesh measured, each region's own row (ms): before the first phase ")
                .append(x.heartbeatRttMsBefore()).append("; after the last ").append(x.heartbeatRttMsAfter())
                .append(". Links were up ").append(x.mesh().get("linksUpMillis"))
                .append(" ms after the first node started.\n\n");
        md.append("### Publish to deliver (open loop, one channel homed in us-east)\n\n");
        md.append("| publisher → home → subscriber | rate (msg/s) | samples | **raw p50 / p99 / p99.9 (ms)** |"
                + " emulated one-way (ms) | minus one-way p50 / p99 / p99.9 | emulated floor (ms) |"
                + " **minus floor p50 / p99 / p99.9** | publish→sequenced p50 / p99 |"
                + " sequenced→delivered p50 / p99 |"
                + " delivered / acked, out of order / missing / gaps |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (CrossRegionLatency.Result r : x.latency()) {
            for (CrossRegionLatency.Delivery d : r.deliveries()) {
                md.append("| ").append(r.publisherRegion()).append(" → ").append(r.home()).append(" → ")
                        .append(d.subscriberRegion()).append(d.subscriberRegion().equals(r.home()) ? " (home)" : "")
                        .append(" | ").append(fmt(r.ratePerSecond())).append(" | ").append(d.latency().count())
                        .append(" | **").append(three(d.latency())).append("** | ").append(fmt(d.emulatedOneWayMs()))
                        .append(" | ").append(three(d.minusOneWay())).append(" | ").append(fmt(d.emulatedFloorMs()))
                        .append(" | **").append(three(d.minusFloor())).append("** | ")
                        .append(two(d.publishToSequenced())).append(" | ").append(two(d.sequencedToDelivered()))
                        .append(" | ").append(d.delivered()).append(" / ").append(d.expected()).append(", ")
                        .append(d.outOfOrder()).append(" / ").append(d.missingSeqs()).append(" / ").append(d.gaps())
                        .append(d.connectionLost() ? ", connection lost" : "").append(" |\n");
            }
        }
        md.append("\n| publisher region: ack | published / acked / nacked | ack p50 / p99 / p99.9 (ms) |"
                + " emulated floor (ms) | minus floor p50 / p99 / p99.9 |\n|---|---|---|---|---|\n");
        for (CrossRegionLatency.Result r : x.latency()) {
            md.append("| ").append(r.publisherRegion()).append(" | ").append(r.published()).append(" / ")
                    .append(r.acked()).append(" / ").append(r.nacks().isEmpty() ? "0" : r.nacks().toString())
                    .append(" | ").append(three(r.ackLatency())).append(" | ").append(fmt(r.emulatedAckFloorMs()))
                    .append(" | ").append(three(r.ackMinusFloor())).append(" |\n");
        }
        md.append("\nThe first ").append(x.latency().isEmpty() ? 0 : x.latency().get(0).measuredFromMessage())
                .append(" messages of each path (the warm-up) are delivered but not measured.\n\n");
        for (CrossRegionLatency.Result r : x.latency()) {
            md.append("- ").append(r.name()).append(" (").append(r.channel()).append("): load generator JVM used ")
                    .append(r.cpuCoresUsed()).append(" cores while publishing; ").append(batches(r.serverCounters()))
                    .append("; server counters ")
                    .append(counters(r.serverCounters())).append("; errors: ")
                    .append(r.errors().isEmpty() ? "none" : String.join("; ", r.errors())).append('\n');
        }
        CrossRegionThroughput.Result t = x.throughput();
        md.append("\n### Throughput across one link (").append(t.publisherRegion()).append(" → ")
                .append(t.subscriberRegion()).append(", closed loop)\n\n| | |\n|---|---|\n");
        md.append("| channels (homed in ").append(t.publisherRegion()).append(") × window | ").append(t.channels())
                .append(" × ").append(t.window()).append(" (").append(t.subscribed()).append(" subscribed, ")
                .append(t.publisherConnections()).append(" publisher connections) |\n");
        md.append("| **delivered msg/s at ").append(t.subscriberRegion()).append("** (")
                .append(t.measuredWindowMillis()).append(" ms window) | **").append(fmt(t.deliveredPerSecond()))
                .append("** |\n");
        md.append("| acked msg/s | ").append(fmt(t.ackedPerSecond())).append(" |\n");
        md.append("| **ack latency p50 / p99 / p99.9 (ms)** | **").append(three(t.ackLatency())).append("** |\n");
        md.append("| publish→deliver at ").append(t.subscriberRegion()).append(" p50 / p99 / p99.9 (ms) | ")
                .append(three(t.deliverLatency())).append(" |\n");
        md.append("| published / acked / nacked / unanswered | ").append(t.published()).append(" / ").append(t.acked())
                .append(" / ").append(t.nacks().isEmpty() ? "0" : t.nacks().toString()).append(" / ")
                .append(t.unanswered()).append(" |\n");
        md.append("| delivered (of acked) / out of order / missing seqs / gaps / lost connections | ")
                .append(t.delivered()).append(" (").append(t.acked()).append(") / ").append(t.outOfOrder())
                .append(" / ").append(t.missingSeqs()).append(" / ").append(t.gaps()).append(" / ")
                .append(t.connectionsLost()).append(" |\n");
        md.append("| CPU used by the JVM (all regions and clients) while publishing | ").append(t.cpuCoresUsed())
                .append(" of ").append(Runtime.getRuntime().availableProcessors()).append(" cores |\n");
        md.append("| batching | ").append(batches(t.serverCounters())).append(" |\n");
        md.append("| server counters during the phase | ").append(counters(t.serverCounters())).append(" |\n");
        md.append("| errors | ").append(t.errors().isEmpty() ? "none" : String.join("; ", t.errors())
                .replace("|", "\\|")).append(" |\n\n");
    }

    private static String three(LatencyRecorder.Summary s) {
        return s.count() == 0 ? "no samples" : s.p50Ms() + " / " + s.p99Ms() + " / " + s.p999Ms();
    }

    private static String two(LatencyRecorder.Summary s) {
        return s.count() == 0 ? "no samples" : s.p50Ms() + " / " + s.p99Ms();
    }

    /** The home's sequencer batches during a phase: how many, and how many publishes each held on average. */
    private static String batches(Map<String, Long> counters) {
        String key = CrossRegionScenario.HOME + " meshgate.publish.batch.size";
        Long count = counters.get(key + " count");
        Long total = counters.get(key + " total");
        if (count == null || total == null || count == 0) {
            return "home sequencer: no batches counted";
        }
        return "home sequencer: " + count + " batches of " + fmt(Math.round(total * 10.0 / count) / 10.0)
                + " publishes on average";
    }

    private static String counters(Map<String, Long> counters) {
        return counters.isEmpty() ? "none moved" : counters.toString().replace("|", "\\|");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%,.1f", v);
    }
}
