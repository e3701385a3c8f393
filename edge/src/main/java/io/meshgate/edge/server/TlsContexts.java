package io.meshgate.edge.server;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;

/** Builds the edge's {@link SSLContext}; every failure names the file and what is wrong with it. */
public final class TlsContexts {
    private static final char[] NO_PASSWORD = new char[0];

    private TlsContexts() {
    }

    public static SSLContext create(TlsSettings tls) {
        try {
            KeyStore keys = tls.keystore() != null ? readPkcs12(tls) : fromPem(tls);
            char[] password = tls.keystore() != null && tls.keystorePassword() != null
                    ? tls.keystorePassword().toCharArray() : NO_PASSWORD;
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls: the certificate and key cannot be used: " + e.getMessage(), e);
        }
    }

    private static KeyStore readPkcs12(TlsSettings tls) throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            store.load(in, tls.keystorePassword() == null ? NO_PASSWORD : tls.keystorePassword().toCharArray());
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.keystoreFile " + tls.keystore() + " cannot be read (wrong "
                    + "password or not PKCS#12?): " + e.getMessage(), e);
        }
        return store;
    }

    private static KeyStore fromPem(TlsSettings tls) throws GeneralSecurityException {
        Certificate[] chain;
        try (InputStream in = Files.newInputStream(tls.certChainPem())) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            chain = certs.toArray(Certificate[]::new);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("tls.certFile " + tls.certChainPem() + " is not a PEM certificate"
                    + " chain: " + e.getMessage(), e);
        }
        if (chain.length == 0) {
            throw new IllegalArgumentException("tls.certFile " + tls.certChainPem() + " holds no certificate");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        store.setKeyEntry("edge", privateKey(tls), NO_PASSWORD, chain);
        return store;
    }

    private static PrivateKey privateKey(TlsSettings tls) {
        String pem;
        try {
            pem = Files.readString(tls.privateKeyPem(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException("tls.keyFile " + tls.privateKeyPem() + " cannot be read: "
                    + e.getMessage(), e);
        }
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new IllegalArgumentException("tls.keyFile " + tls.privateKeyPem() + " is a PKCS#1/SEC1 key; convert"
                    + " it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tls.keyFile " + tls.privateKeyPem()
                    + " has no unencrypted -----BEGIN PRIVATE KEY----- block");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + 27, end));
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("tls.keyFile " + tls.privateKeyPem() + " is not an RSA, EC or Ed25519 key");
    }
}
