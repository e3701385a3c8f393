package io.meshgate.relay.mesh;

/** Where a region's relay can be dialed: a node's advertised relay host and port. */
public record PeerAddress(String host, int port) {
    @Override
    public String toString() {
        return host + ":" + port;
    }
}
