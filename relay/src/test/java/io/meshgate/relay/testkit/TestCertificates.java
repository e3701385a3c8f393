package io.meshgate.relay.testkit;

import io.meshgate.relay.link.LinkTlsSettings;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A throwaway certificate authority that issues node certificates as PEM files, the way an operator would hand them
 * to a node. {@code TestCertificates.authority(dir, "mesh").issue("eu-west-1")} gives a node's
 * {@link LinkTlsSettings}; by default the node certificate is EC P-256, names 127.0.0.1 and localhost, allows both
 * serverAuth and clientAuth, and is valid from an hour ago for a day (an hour of slack for skewed clocks).
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** The key pair of a node certificate. */
    public enum KeyType { EC_P256, RSA_2048 }

    /** What a node certificate carries; start from {@link #loopback()}. */
    public record Leaf(KeyType keyType, List<String> dnsNames, List<String> ipAddresses, Instant notBefore,
                       Instant notAfter) {
        public static Leaf loopback() {
            Instant now = Instant.now();
            return new Leaf(KeyType.EC_P256, List.of("localhost"), List.of("127.0.0.1"),
                    now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
        }

        public Leaf withKeyType(KeyType type) {
            return new Leaf(type, dnsNames, ipAddresses, notBefore, notAfter);
        }

        public Leaf withNames(List<String> dns, List<String> ips) {
            return new Leaf(keyType, dns, ips, notBefore, notAfter);
        }

        public Leaf validBetween(Instant from, Instant until) {
            return new Leaf(keyType, dnsNames, ipAddresses, from, until);
        }
    }

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCertificate;
    private final Path caPem;

    private TestCertificates(Path dir, KeyPair caKeys, X509Certificate caCertificate, Path caPem) {
        this.dir = dir;
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
        this.caPem = caPem;
    }

    /** A new self-signed CA named {@code name}; writes {@code <name>-ca.crt} into {@code dir}. */
    public static TestCertificates authority(Path dir, String name) {
        try {
            KeyPair keys = generate(KeyType.EC_P256);
            X500Name subject = new X500Name("CN=" + name + " test CA");
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, nextSerial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(2))), subject,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, keys);
            Path pem = write(dir.resolve(name + "-ca.crt"), "CERTIFICATE", certificate.getEncoded());
            return new TestCertificates(dir, keys, certificate, pem);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("test CA " + name + " could not be created", e);
        }
    }

    /** The CA certificate PEM, what every node trusts. */
    public Path caPem() {
        return caPem;
    }

    /** A node certificate with the {@link Leaf#loopback()} defaults. */
    public LinkTlsSettings issue(String node) {
        return issue(node, Leaf.loopback());
    }

    /** Writes {@code <node>.crt} and {@code <node>.key} (PKCS#8) and returns them with this CA as the trust. */
    public LinkTlsSettings issue(String node, Leaf leaf) {
        return issue(node, new X500Name("CN=" + node), leaf);
    }

    /**
     * A node certificate whose subject names {@code regions} as {@code OU} attributes, the way a relay peer proves
     * the region its {@code Hello} claims ({@code CN=eu-west-1,OU=eu-west}).
     */
    public LinkTlsSettings issueForRegions(String node, String... regions) {
        StringBuilder subject = new StringBuilder("CN=" + node);
        for (String region : regions) {
            subject.append(",OU=").append(region);
        }
        return issue(node, new X500Name(subject.toString()), Leaf.loopback());
    }

    private LinkTlsSettings issue(String node, X500Name subject, Leaf leaf) {
        try {
            KeyPair keys = generate(leaf.keyType());
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(caCertificate, nextSerial(),
                    Date.from(leaf.notBefore()), Date.from(leaf.notAfter()), subject,
                    keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(leaf.keyType() == KeyType.RSA_2048
                    ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            builder.addExtension(Extension.subjectAlternativeName, false, names(leaf));
            builder.addExtension(Extension.authorityKeyIdentifier, false,
                    extensions.createAuthorityKeyIdentifier(caCertificate));
            builder.addExtension(Extension.subjectKeyIdentifier, false,
                    extensions.createSubjectKeyIdentifier(keys.getPublic()));
            X509Certificate certificate = sign(builder, caKeys);
            Path cert = write(dir.resolve(node + ".crt"), "CERTIFICATE", certificate.getEncoded());
            Path key = write(dir.resolve(node + ".key"), "PRIVATE KEY", keys.getPrivate().getEncoded());
            return new LinkTlsSettings(cert, key, caPem);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("certificate for " + node + " could not be issued", e);
        }
    }

    /** A fresh key pair of {@code type}, for tests that need a key no certificate belongs to. */
    public static KeyPair generate(KeyType type) throws GeneralSecurityException {
        if (type == KeyType.RSA_2048) {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            return rsa.generateKeyPair();
        }
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        return ec.generateKeyPair();
    }

    /** Writes one PEM block; the JDK's encodings are what PEM wants (X.509 DER, PKCS#8 DER for private keys). */
    public static Path write(Path file, String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        try {
            return Files.writeString(file, "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n",
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static GeneralNames names(Leaf leaf) {
        List<GeneralName> names = new ArrayList<>();
        leaf.dnsNames().forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
        leaf.ipAddresses().forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger nextSerial() {
        return BigInteger.valueOf(SERIAL.incrementAndGet());
    }
}
