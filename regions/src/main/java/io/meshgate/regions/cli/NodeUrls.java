package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;

/** Where a configured node's edge answers, for the operator commands. */
final class NodeUrls {
    private NodeUrls() {
    }

    static String base(GatewayConfig config, GatewayConfig.NodeConfig node) {
        return (config.tls() != null ? "https://" : "http://") + node.host() + ":" + node.edgePort();
    }
}
