package io.meshgate.relay.testkit;

import io.meshgate.relay.link.LinkTlsSettings;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * A client key manager that presents its certificate whatever CAs the server asks for, as a hostile client would.
 * Stock key managers offer only a certificate issued by a CA the server names, so with them a test of "the server
 * refuses a certificate from another CA" never sends that certificate and proves less than it claims.
 */
public final class InsistentKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "node";

    private final X509Certificate certificate;
    private final PrivateKey key;

    private InsistentKeyManager(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** The first certificate and the PKCS#8 key of {@code node}, as written by {@link TestCertificates}. */
    public static InsistentKeyManager of(LinkTlsSettings node) throws IOException {
        try (PEMParser cert = new PEMParser(Files.newBufferedReader(node.certChainPem()));
             PEMParser pkcs8 = new PEMParser(Files.newBufferedReader(node.privateKeyPem()))) {
            return new InsistentKeyManager(
                    new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) cert.readObject()),
                    new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) pkcs8.readObject()));
        } catch (CertificateException e) {
            throw new IOException("unreadable test certificate " + node.certChainPem(), e);
        }
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return ALIAS;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return ALIAS;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null; // a client only
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return new X509Certificate[] {certificate};
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return key;
    }
}
