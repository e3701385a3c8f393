package io.meshgate.chaos.bench;

import io.meshgate.edge.server.EdgeNode;
import io.meshgate.regions.demo.DemoMesh;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every node's {@code meshgate.*} counters (mesh deliveries, refused frames, replica fetches and drops, publish
 * nacks and overflows, ...) and distribution summaries (as {@code count} and {@code total}, e.g. the sequencer's
 * batch sizes), read before and after a phase so the report says what the servers counted while it ran: a figure
 * is only worth quoting next to the errors that came with it.
 */
final class MeshCounters {
    private MeshCounters() {
    }

    /** {@code "<region> <name>{tags}"} to count, for every counter of every node. */
    static Map<String, Double> snapshot(SelfHostedMesh mesh) {
        Map<String, Double> out = new TreeMap<>();
        for (String region : DemoMesh.REGIONS) {
            EdgeNode node = mesh.node(region);
            for (Meter meter : node.meters().getMeters()) {
                if (!meter.getId().getName().startsWith("meshgate.")) {
                    continue;
                }
                String key = region + " " + meter.getId().getName() + tags(meter);
                if (meter instanceof Counter counter) {
                    out.merge(key, counter.count(), Double::sum);
                } else if (meter instanceof DistributionSummary summary) {
                    out.merge(key + " count", (double) summary.count(), Double::sum);
                    out.merge(key + " total", summary.totalAmount(), Double::sum);
                }
            }
        }
        return out;
    }

    /** What changed between two snapshots; counters that did not move are left out. */
    static Map<String, Long> delta(Map<String, Double> before, Map<String, Double> after) {
        Map<String, Long> out = new TreeMap<>();
        after.forEach((key, value) -> {
            long d = Math.round(value - before.getOrDefault(key, 0.0));
            if (d != 0) {
                out.put(key, d);
            }
        });
        return out;
    }

    /** The meter's own tags; the registry's common ones (region, node) are in the key already. */
    private static String tags(Meter meter) {
        String tags = meter.getId().getTags().stream()
                .filter(t -> !t.getKey().equals("region") && !t.getKey().equals("node"))
                .map(t -> t.getKey() + "=" + t.getValue())
                .collect(Collectors.joining(","));
        return tags.isEmpty() ? "" : "{" + tags + "}";
    }
}
