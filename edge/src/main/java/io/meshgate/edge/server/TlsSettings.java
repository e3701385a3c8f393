package io.meshgate.edge.server;

import java.nio.file.Path;

/**
 * The edge's certificate: either PEM files (a certificate chain and a PKCS#8 private key, as issued by most CAs and
 * cert-manager) or a PKCS#12 keystore. With TLS the edge serves https:// and wss:// only.
 */
public record TlsSettings(Path certChainPem, Path privateKeyPem, Path keystore, String keystorePassword) {

    public static TlsSettings pem(Path certChain, Path privateKey) {
        return new TlsSettings(certChain, privateKey, null, null);
    }

    public static TlsSettings pkcs12(Path keystore, String password) {
        return new TlsSettings(null, null, keystore, password);
    }
}
