package io.meshgate.chaos.faults;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import org.testcontainers.Testcontainers;
import org.testcontainers.toxiproxy.ToxiproxyContainer;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backend where Docker exists: Toxiproxy itself in a Testcontainers container. Its proxies listen on the ports
 * the container exposes (8666 to 8697, so at most 32 proxies), reached through Docker's mapped ports; upstreams on
 * this machine are reached as {@code host.testcontainers.internal} through Testcontainers' port forwarding.
 */
final class ContainerToxiproxy implements ToxiproxyHandle {
    /** The proxy ports {@link ToxiproxyContainer} exposes. */
    private static final int FIRST_PROXY_PORT = 8666;
    private static final int LAST_PROXY_PORT = 8697;
    private static final String HOST_SEEN_FROM_CONTAINER = "host.testcontainers.internal";

    private final ToxiproxyContainer container;
    private final ToxiproxyClient client;
    private final AtomicInteger nextProxyPort = new AtomicInteger(FIRST_PROXY_PORT);

    private ContainerToxiproxy(ToxiproxyContainer container) {
        this.container = container;
        this.client = new ToxiproxyClient(container.getHost(), container.getControlPort());
    }

    static ContainerToxiproxy start(String image) {
        // Access to the host lets exposeHostPorts work for upstreams that start after the container.
        ToxiproxyContainer container = new ToxiproxyContainer(DockerImageName.parse(image)).withAccessToHost(true);
        container.start();
        return new ContainerToxiproxy(container);
    }

    @Override
    public String description() {
        return "Toxiproxy container " + container.getDockerImageName() + " at " + container.getHost() + ":" + container.getControlPort();
    }

    @Override
    public ToxiproxyClient client() {
        return client;
    }

    @Override
    public String listenHost() {
        return "0.0.0.0";
    }

    @Override
    public ProxiedAddress proxy(String name, String upstreamHost, int upstreamPort) throws IOException {
        int proxyPort = nextProxyPort.getAndIncrement();
        if (proxyPort > LAST_PROXY_PORT) {
            throw new IllegalStateException("the Toxiproxy container exposes only ports " + FIRST_PROXY_PORT + "-" + LAST_PROXY_PORT);
        }
        Proxy proxy = client.createProxy(name, listenHost() + ":" + proxyPort, upstreamSeenFromContainer(upstreamHost, upstreamPort));
        return new ProxiedAddress(proxy, container.getHost(), container.getMappedPort(proxyPort));
    }

    private static String upstreamSeenFromContainer(String host, int port) throws IOException {
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
            return host + ":" + port;
        }
        Testcontainers.exposeHostPorts(port);
        return HOST_SEEN_FROM_CONTAINER + ":" + port;
    }

    @Override
    public void close() {
        container.stop();
    }
}
