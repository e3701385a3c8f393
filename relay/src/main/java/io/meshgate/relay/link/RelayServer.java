package io.meshgate.relay.link;

import io.grpc.Server;
import io.grpc.ServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Starts and stops a node's relay gRPC server. Takes any {@link ServerBuilder}, so a node binds a Netty socket and
 * an embedded region can hand it an in-process builder.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final Server server;

    public RelayServer(ServerBuilder<?> builder, RelayService service) {
        // Every call carries the region its certificate proves; RelayService checks a Hello's claim against it.
        this.server = builder.addService(io.grpc.ServerInterceptors.intercept(service, new PeerIdentityInterceptor()))
                .build();
    }

    public RelayServer start() throws IOException {
        server.start();
        LOG.info("relay gRPC server listening on {}", server.getListenSockets());
        return this;
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
