package io.meshgate.client;

/**
 * A change of the connection's state. Which fields are set depends on the state:
 * <ul>
 *   <li>{@code CONNECTING}: region, url, transport;</li>
 *   <li>{@code CONNECTED}: region, url, transport, node and session (both null on long-poll, which has neither);</li>
 *   <li>{@code DISCONNECTED}: region, url, transport, reason, closeCode (-1 when there was no close frame) and
 *       retrying (false when the client stopped, e.g. a fixed token that was refused);</li>
 *   <li>{@code CLOSED}: reason.</li>
 * </ul>
 */
public record StateEvent(ConnectionState state, String region, String url, Transport transport, String node,
                         String session, String reason, int closeCode, boolean retrying) {
    static StateEvent connecting(String region, String url, Transport transport) {
        return new StateEvent(ConnectionState.CONNECTING, region, url, transport, null, null, null, -1, true);
    }

    static StateEvent connected(String region, String url, Transport transport, String node, String session) {
        return new StateEvent(ConnectionState.CONNECTED, region, url, transport, node, session, null, -1, true);
    }

    static StateEvent disconnected(String region, String url, Transport transport, String reason, int closeCode,
                                   boolean retrying) {
        return new StateEvent(ConnectionState.DISCONNECTED, region, url, transport, null, null, reason, closeCode,
                retrying);
    }

    static StateEvent closed(String reason) {
        return new StateEvent(ConnectionState.CLOSED, null, null, null, null, null, reason, -1, false);
    }
}
