package io.meshgate.chaos.bench;

/** Just enough of the Prometheus text format to sum one metric's samples. */
final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * Sums the samples of metric {@code name} (exact name, with or without labels) whose label set contains
     * {@code labelFilter} (empty matches all). Comment lines are skipped. Zero when there is none.
     */
    static long sum(String body, String name, String labelFilter) {
        double total = 0;
        for (String line : body.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            String labels = "";
            if (rest.startsWith("{")) {
                int close = rest.indexOf('}');
                if (close < 0) {
                    continue;
                }
                labels = rest.substring(1, close);
                rest = rest.substring(close + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // another metric whose name starts with this one
            }
            if (!labelFilter.isEmpty() && !labels.contains(labelFilter)) {
                continue;
            }
            String[] parts = rest.trim().split("\\s+");
            try {
                double value = Double.parseDouble(parts[0]);
                if (Double.isFinite(value)) {
                    total += value;
                }
            } catch (NumberFormatException ignored) {
                // NaN or a malformed line: not a reading
            }
        }
        return Math.round(total);
    }
}
