package io.meshgate.relay.link;

import io.grpc.ServerCredentials;
import io.meshgate.relay.region.BindAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the relay port's credentials from where it binds: mutual TLS whenever the port is reachable from beyond
 * this machine, plaintext only on loopback. Anything else is refused before the port opens, because a plaintext
 * relay port hands history reads, forwarded publishes and mesh links to whoever reaches it.
 */
public final class RelayCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(RelayCredentials.class);

    private RelayCredentials() {
    }

    /**
     * @param bindHost the address the relay port binds
     * @param tls      the node's link TLS files, or null for none
     * @throws IllegalStateException naming the missing setting when {@code bindHost} is not loopback and
     *                               {@code tls} is null
     */
    public static ServerCredentials forBind(String bindHost, LinkTlsSettings tls) {
        if (tls != null) {
            return LinkTls.load(tls).serverCredentials();
        }
        if (!BindAddress.isLoopback(bindHost)) {
            throw new IllegalStateException("the relay port binds " + bindHost + ", which is not loopback, and"
                    + " mesh.tls.certChainFile is not set: set mesh.tls.certChainFile, mesh.tls.privateKeyFile and"
                    + " mesh.tls.trustCaFile (mutual TLS), or bind 127.0.0.1");
        }
        LOG.warn("relay port on {} is PLAINTEXT (no mesh.tls): acceptable only because it binds loopback", bindHost);
        return LinkTls.insecureServer();
    }
}
