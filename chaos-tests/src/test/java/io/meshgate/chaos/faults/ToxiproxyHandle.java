package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.ToxiproxyClient;

import java.io.IOException;

/**
 * A running Toxiproxy (a container, or the in-JVM {@link FaultProxyServer}) and the client to drive it. Tests create
 * proxies with {@link #proxy}, which knows how each backend's proxies are reached, and inject faults through the
 * returned {@link eu.rekawek.toxiproxy.Proxy}: toxics, {@code disable()}, {@code enable()}.
 */
public interface ToxiproxyHandle extends AutoCloseable {
    /** Which backend this is, for logs and failure messages. */
    String description();

    ToxiproxyClient client();

    /**
     * The host to put in a proxy's {@code listen} address when creating proxies through {@link #client()} directly:
     * {@code 127.0.0.1} in the JVM, {@code 0.0.0.0} in a container (whose proxy ports are also limited to the few it
     * exposes; {@link #proxy} picks one).
     */
    String listenHost();

    /**
     * Creates a proxy named {@code name} to an upstream on this machine, and says where clients connect to reach the
     * upstream through it. In a container the upstream is reached through Testcontainers' host port forwarding, which
     * needs the upstream to be listening already.
     */
    ProxiedAddress proxy(String name, String upstreamHost, int upstreamPort) throws IOException;

    /** Stops the backend; every proxy and connection through it ends. */
    @Override
    void close();
}
