package io.meshgate.relay.link;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * Mutual TLS for relay links: each side presents its certificate and accepts only a peer whose certificate chains to
 * the configured CA. The files are read and checked once, in {@link #load}, so a bad file stops the node at start
 * with a message naming it, instead of failing every handshake later; the credentials are built from the checked
 * bytes, so a file replaced on disk afterwards changes nothing until the next load.
 *
 * <p>Credentials only work with the builders that take them: {@code NettyServerBuilder.forAddress(address, creds)}
 * or {@code Grpc.newServerBuilderForPort(port, creds)}, and {@code NettyChannelBuilder.forAddress(host, port, creds)}
 * or {@code Grpc.newChannelBuilderForAddress(host, port, creds)}. Channels verify the server's certificate against
 * the host they dial (SAN DNS name or IP address), so dial peers by the name their certificate carries.
 */
public final class LinkTls {
    private static final Logger LOG = LoggerFactory.getLogger(LinkTls.class);
    private static final byte[] KEY_CHECK = "meshgate link key check".getBytes(StandardCharsets.US_ASCII);

    private final ServerCredentials server;
    private final ChannelCredentials channel;

    private LinkTls(ServerCredentials server, ChannelCredentials channel) {
        this.server = server;
        this.channel = channel;
    }

    /**
     * Reads and checks the three files: certificates parse, this node's certificate is within its validity period,
     * the key is unencrypted PKCS#8 and belongs to that certificate.
     *
     * @throws IllegalArgumentException naming the setting and the file, and what is wrong with it
     */
    public static LinkTls load(LinkTlsSettings settings) {
        PemFile chainFile = PemFile.read("certChainPem", settings.certChainPem());
        List<X509Certificate> chain = chainFile.certificates();
        X509Certificate own = chain.get(0);
        checkValidity(chainFile, own);
        String algorithm = own.getPublicKey().getAlgorithm();
        if (!algorithm.equals("RSA") && !algorithm.equals("EC")) {
            throw chainFile.invalid("the certificate's key is " + algorithm + "; link TLS supports RSA and EC");
        }
        PemFile keyFile = PemFile.read("privateKeyPem", settings.privateKeyPem());
        PrivateKey key = keyFile.privateKey(algorithm);
        if (!belongTogether(key, own.getPublicKey())) {
            throw keyFile.invalid("is not the key of the certificate in " + chainFile.path());
        }
        List<X509Certificate> trust = PemFile.read("trustCaPem", settings.trustCaPem()).certificates();

        byte[] chainPem = PemFile.encode("CERTIFICATE", chain.stream().map(LinkTls::der).toList());
        byte[] keyPem = PemFile.encode("PRIVATE KEY", List.of(key.getEncoded()));
        byte[] trustPem = PemFile.encode("CERTIFICATE", trust.stream().map(LinkTls::der).toList());
        try {
            ServerCredentials server = TlsServerCredentials.newBuilder()
                    .keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(keyPem))
                    .trustManager(new ByteArrayInputStream(trustPem))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build();
            ChannelCredentials channel = TlsChannelCredentials.newBuilder()
                    .keyManager(new ByteArrayInputStream(chainPem), new ByteArrayInputStream(keyPem))
                    .trustManager(new ByteArrayInputStream(trustPem))
                    .build();
            LOG.info("link TLS: certificate {} (expires {}) from {}, trusting {} CA certificate(s) from {}",
                    own.getSubjectX500Principal(), own.getNotAfter().toInstant(), settings.certChainPem(),
                    trust.size(), settings.trustCaPem());
            return new LinkTls(server, channel);
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory PEM could not be read", e); // byte arrays do not fail
        }
    }

    /** For the relay's server: TLS with this node's certificate; a client without a trusted certificate is refused. */
    public ServerCredentials serverCredentials() {
        return server;
    }

    /** For links this node dials: presents this node's certificate and accepts only a trusted, matching server. */
    public ChannelCredentials channelCredentials() {
        return channel;
    }

    /** Plaintext, for links inside a trusted network or in tests; never mixes with TLS on one port. */
    public static ServerCredentials insecureServer() {
        return InsecureServerCredentials.create();
    }

    /** Plaintext, the counterpart of {@link #insecureServer()}. */
    public static ChannelCredentials insecureChannel() {
        return InsecureChannelCredentials.create();
    }

    private static void checkValidity(PemFile file, X509Certificate own) {
        try {
            own.checkValidity();
        } catch (CertificateExpiredException e) {
            throw file.invalid("certificate " + own.getSubjectX500Principal() + " expired at "
                    + own.getNotAfter().toInstant());
        } catch (CertificateNotYetValidException e) {
            throw file.invalid("certificate " + own.getSubjectX500Principal() + " is not valid before "
                    + own.getNotBefore().toInstant() + " (check this machine's clock)");
        }
    }

    /** Signs and verifies a fixed text: a key and a certificate from different pairs are a common deployment slip. */
    private static boolean belongTogether(PrivateKey key, PublicKey publicKey) {
        String algorithm = publicKey.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(KEY_CHECK);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(KEY_CHECK);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. an EC key on another curve than the certificate's
        }
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("a parsed certificate could not be encoded again", e);
        }
    }
}
