package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.Proxy;

/**
 * A proxy and the address to connect to in order to go through it: in the JVM that is the proxy's own listen
 * address; in a container it is the host port Docker mapped to the proxy's port.
 */
public record ProxiedAddress(Proxy proxy, String host, int port) {
    /** {@code host:port}, as node configuration and URLs want it. */
    public String hostPort() {
        return host + ":" + port;
    }
}
