package io.meshgate.chaos.client;

import io.meshgate.edge.testing.Ports;

/**
 * Writes a deployment configuration for {@link InJvmGateway}: regions of nodes on 127.0.0.1 (node {@code i} of
 * region {@code r} is named {@code r-i}), relay and cluster ports free, edge ports given so tests know them before
 * anything starts, and the rest of the file as the test wants it.
 */
final class DeploymentYaml {
    private final StringBuilder yaml = new StringBuilder("regions:\n");

    /** A region; {@code publicUrl} (what {@code /v1/regions} advertises) may be null for the first node's own URL. */
    DeploymentYaml region(String name, String publicUrl, int... edgePorts) {
        yaml.append("  - name: ").append(name).append('\n');
        if (publicUrl != null) {
            yaml.append("    publicUrl: \"").append(publicUrl).append("\"\n");
        }
        yaml.append("    nodes:\n");
        for (int i = 0; i < edgePorts.length; i++) {
            yaml.append("      - {name: ").append(name).append('-').append(i + 1)
                    .append(", host: 127.0.0.1, edgePort: ").append(edgePorts[i])
                    .append(", relayPort: ").append(Ports.free())
                    .append(", clusterPort: ").append(Ports.free()).append("}\n");
        }
        return this;
    }

    /** The configuration with {@code rest} (auth, drain, ...) after the regions. */
    String with(String rest) {
        return yaml + rest;
    }

    static String url(int port) {
        return "http://127.0.0.1:" + port;
    }
}
