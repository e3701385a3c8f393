package io.meshgate.relay.link;

import java.nio.file.Path;

/**
 * Where a node's link TLS material lives. All three are PEM files; {@link LinkTls#load} reads and checks them.
 *
 * @param certChainPem this node's certificate first, then any intermediates ({@code BEGIN CERTIFICATE} blocks).
 *                     The certificate must name the host peers dial (SAN DNS name or IP address) and allow both
 *                     serverAuth and clientAuth, because every node is a server to some peers and a client to others
 * @param privateKeyPem the private key of that certificate: unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC
 * @param trustCaPem    the CA certificates a peer's certificate must chain to, in both directions
 */
public record LinkTlsSettings(Path certChainPem, Path privateKeyPem, Path trustCaPem) {
    public LinkTlsSettings {
        require(certChainPem, "certChainPem");
        require(privateKeyPem, "privateKeyPem");
        require(trustCaPem, "trustCaPem");
    }

    private static void require(Path path, String name) {
        if (path == null) {
            throw new IllegalArgumentException("link TLS setting " + name + " is missing");
        }
    }
}
