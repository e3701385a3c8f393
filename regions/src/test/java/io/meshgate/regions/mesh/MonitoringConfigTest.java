package io.meshgate.regions.mesh;

import io.meshgate.edge.server.EdgeNode;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/grafana/meshgate.json and deploy/prometheus/alerts.yaml name only metrics that running nodes export: a
 * real three-region mesh is started and every node's {@code /metrics} is scraped; a metric a panel or rule names and
 * no node exports would be an empty panel or a rule that never fires.
 */
class MonitoringConfigTest {
    private static final Pattern METRIC = Pattern.compile("meshgate_[a-z0-9_]+");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void everyMetricTheDashboardAndAlertsNameIsExportedByARunningNode() throws Exception {
        Set<String> named = new TreeSet<>();
        for (Path file : new Path[] {Path.of("..", "deploy", "grafana", "meshgate.json"),
                Path.of("..", "deploy", "prometheus", "alerts.yaml")}) {
            Matcher m = METRIC.matcher(Files.readString(file));
            while (m.find()) {
                named.add(m.group());
            }
        }
        assertTrue(named.size() >= 15, "the dashboard and rules cover the gateway: " + named);
        assertTrue(named.containsAll(Set.of("meshgate_mesh_rehome_events_total", "meshgate_mesh_term_changes_total",
                "meshgate_publish_ack_gap_seconds", "meshgate_mesh_replication_lag_seconds",
                "meshgate_mesh_link_transitions_total", "meshgate_mesh_region_transitions_total")), named.toString());

        Set<String> exported = new TreeSet<>();
        try (MeshCluster mesh = new MeshCluster(1, null)) {
            for (EdgeNode node : mesh.nodes) {
                String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(node.httpUrl() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                        .map(l -> l.split("[{ ]", 2)[0]).forEach(exported::add);
                assertTrue(metrics.lines().filter(l -> l.startsWith("# HELP meshgate_"))
                        .allMatch(l -> l.split(" ", 4).length == 4), "every meshgate metric has # HELP text");
            }
        }
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        assertEquals(Set.of(), missing, "named by the dashboard or alerts but exported by no node");
    }
}
