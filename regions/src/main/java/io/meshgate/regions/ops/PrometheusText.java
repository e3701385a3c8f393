package io.meshgate.regions.ops;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads samples out of Prometheus text exposition, which is what every node already serves on {@code /metrics}:
 * the operator commands need no endpoint of their own, and what they print is what a monitoring system sees.
 */
public final class PrometheusText {
    /** One sample: its labels and value (NaN when the node does not know it yet). */
    public record Sample(Map<String, String> labels, double value) {
    }

    private PrometheusText() {
    }

    public static List<Sample> samples(String metrics, String name) {
        List<Sample> out = new ArrayList<>();
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{")) {
                int close = line.lastIndexOf('}');
                if (close > 0) {
                    out.add(new Sample(labels(line.substring(name.length() + 1, close)), value(line)));
                }
            } else if (line.startsWith(name + " ")) {
                out.add(new Sample(Map.of(), value(line)));
            }
        }
        return out;
    }

    /** Sum of a metric's samples, -1 when absent. */
    public static long sum(String metrics, String name) {
        List<Sample> samples = samples(metrics, name);
        return samples.isEmpty() ? -1 : (long) samples.stream().mapToDouble(Sample::value).sum();
    }

    private static double value(String line) {
        String text = line.substring(line.lastIndexOf(' ') + 1);
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** {@code a="x",b="y"}; label values here are region and peer names, so no escapes need decoding. */
    private static Map<String, String> labels(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                String value = pair.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                out.put(pair.substring(0, eq).trim(), value);
            }
        }
        return out;
    }
}
