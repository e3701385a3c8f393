package io.meshgate.regions.cli;

import io.meshgate.regions.config.GatewayConfig;

/** Where a configured node's edge answers, for the operator commands. */
final class NodeUrls {
    private NodeUrls() {
    }

    static String base(GatewayConfig config, GatewayConfig.NodeConfig node) {
        return (config.tls() != null ? "https://" : "http://") + node.host() + ":" + node.edgePort();
    }

    /** Where its {@code /admin/*} and {@code /metrics} answer: the admin listener when it has one (plain HTTP). */
    static String admin(GatewayConfig config, GatewayConfig.NodeConfig node) {
        if (node.adminPort() < 0) {
            return base(config, node);
        }
        String host = config.edge().guards().adminBindHost();
        return "http://" + (host.equals("0.0.0.0") ? "127.0.0.1" : host) + ":" + node.adminPort();
    }
}
