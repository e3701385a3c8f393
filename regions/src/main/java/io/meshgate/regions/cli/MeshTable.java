package io.meshgate.regions.cli;

import io.meshgate.regions.ops.NodeStatus;

import java.io.PrintStream;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The mesh part of {@code status}: links per region and the RTT matrix, from what the nodes' metrics say. */
final class MeshTable {
    private MeshTable() {
    }

    /**
     * Prints both tables; true when every link that a region reported is up. Links are listed for the regions of
     * the asked nodes; the matrix (every node holds all of it) for every region.
     */
    static boolean print(List<String> regions, List<NodeStatus> statuses, PrintStream out) {
        boolean allUp = true;
        out.printf("%nMESH LINKS (as each region's nodes report them)%n");
        out.printf("%-12s %-12s %s%n", "REGION", "PEER", "LINK");
        for (String region : regions) {
            if (statuses.stream().noneMatch(s -> s.region().equals(region))) {
                continue; // not asked (status --node): that says nothing about its links
            }
            Optional<NodeStatus> reporter = statuses.stream()
                    .filter(s -> s.region().equals(region) && !s.linksUp().isEmpty()).findFirst();
            if (reporter.isEmpty()) {
                out.printf("%-12s %-12s %s%n", region, "-", "unknown (no node of the region answered)");
                continue;
            }
            for (Map.Entry<String, Boolean> link : reporter.get().linksUp().entrySet()) {
                allUp &= link.getValue();
                out.printf("%-12s %-12s %s%n", region, link.getKey(), link.getValue() ? "up" : "DOWN");
            }
        }
        // Every node holds the whole matrix; the one that knows the most entries shows it best.
        Optional<Map<String, Map<String, Double>>> matrix = statuses.stream().map(NodeStatus::rttMs)
                .filter(m -> !m.isEmpty()).max(Comparator.comparingLong(MeshTable::known));
        out.printf("%nRTT MATRIX (ms, heartbeat round trips; row = the measuring region)%n");
        if (matrix.isEmpty()) {
            out.println("unknown (no node answered with it)");
            return false;
        }
        StringBuilder header = new StringBuilder(String.format("%-12s", ""));
        regions.forEach(r -> header.append(String.format(" %10s", r)));
        out.println(header);
        for (String from : regions) {
            StringBuilder row = new StringBuilder(String.format("%-12s", from));
            for (String to : regions) {
                Double ms = matrix.get().getOrDefault(from, Map.of()).get(to);
                row.append(String.format(" %10s", from.equals(to) ? "-"
                        : ms == null || ms.isNaN() ? "?" : String.format("%.1f", ms)));
            }
            out.println(row);
        }
        return allUp;
    }

    private static long known(Map<String, Map<String, Double>> matrix) {
        return matrix.values().stream().flatMap(row -> row.values().stream()).filter(v -> !v.isNaN()).count();
    }
}
