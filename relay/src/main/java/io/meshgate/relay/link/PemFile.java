package io.meshgate.relay.link;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PEM blocks of one file, parsed with the JDK alone. Every failure is an {@link IllegalArgumentException} naming
 * the setting and the file, because an operator reading a start-up error needs to know which file to fix.
 */
final class PemFile {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    private record Block(String label, String body) {
    }

    private final String setting;
    private final Path path;
    private final List<Block> blocks;

    private PemFile(String setting, Path path, List<Block> blocks) {
        this.setting = setting;
        this.path = path;
        this.blocks = blocks;
    }

    /** Reads {@code path}, the value of the link TLS setting named {@code setting}. */
    static PemFile read(String setting, Path path) {
        String text;
        try {
            if (Files.isDirectory(path)) {
                throw new IllegalArgumentException(describe(setting, path) + ": is a directory, not a PEM file");
            }
            // Latin-1 decodes any bytes: a binary (DER) file reaches the "no PEM block" message, not a charset error.
            text = Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(describe(setting, path) + ": file does not exist", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(describe(setting, path) + ": cannot be read: " + e, e);
        }
        List<Block> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            blocks.add(new Block(m.group(1), m.group(2)));
        }
        return new PemFile(setting, path, blocks);
    }

    /** Every {@code CERTIFICATE} block, in file order; at least one. */
    List<X509Certificate> certificates() {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Block block : blocks) {
                if (block.label().equals("CERTIFICATE")) {
                    byte[] der = decode(block, certificates.size() + 1);
                    certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
                }
            }
        } catch (GeneralSecurityException e) {
            throw invalid("certificate " + (certificates.size() + 1) + " is not a valid X.509 certificate: "
                    + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw invalid("no -----BEGIN CERTIFICATE----- block found; is this a PEM certificate file?");
        }
        return certificates;
    }

    /**
     * The one private key block, which must be unencrypted PKCS#8 of {@code algorithm} ("RSA" or "EC"). Other key
     * encodings are refused here, not left to netty: netty parses PKCS#1 and SEC1 only when BouncyCastle happens to be
     * on the classpath, and a node must not start or fail depending on what else is on it.
     */
    PrivateKey privateKey(String algorithm) {
        List<Block> keys = blocks.stream().filter(b -> b.label().endsWith("PRIVATE KEY")).toList();
        if (keys.isEmpty()) {
            throw invalid("no -----BEGIN PRIVATE KEY----- block found; is this a PEM private key file?");
        }
        if (keys.size() > 1) {
            throw invalid(keys.size() + " private key blocks; expected exactly one");
        }
        Block key = keys.get(0);
        switch (key.label()) {
            case "PRIVATE KEY" -> { }
            case "RSA PRIVATE KEY", "EC PRIVATE KEY" -> throw invalid(key.label()
                    + " (PKCS#1/SEC1) is not accepted; convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in "
                    + path + " -out <new file>");
            case "ENCRYPTED PRIVATE KEY" -> throw invalid("the key is encrypted; link TLS needs an unencrypted "
                    + "PKCS#8 key (openssl pkcs8 -topk8 -nocrypt) in a file readable only by the node");
            default -> throw invalid("unsupported key block " + key.label() + "; expected PRIVATE KEY (PKCS#8)");
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(decode(key, 1)));
        } catch (GeneralSecurityException e) {
            throw invalid("not a PKCS#8 " + algorithm + " private key (the certificate's key type): " + e.getMessage());
        }
    }

    IllegalArgumentException invalid(String what) {
        return new IllegalArgumentException(describe(setting, path) + ": " + what);
    }

    Path path() {
        return path;
    }

    /** Canonical PEM of {@code der} blocks: what netty reads is exactly what was checked, minus anything else. */
    static byte[] encode(String label, List<byte[]> ders) {
        Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
        StringBuilder pem = new StringBuilder();
        for (byte[] der : ders) {
            pem.append("-----BEGIN ").append(label).append("-----\n")
                    .append(base64.encodeToString(der)).append("\n-----END ").append(label).append("-----\n");
        }
        return pem.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] decode(Block block, int ordinal) {
        try {
            return Base64.getMimeDecoder().decode(block.body());
        } catch (IllegalArgumentException e) {
            throw invalid(block.label() + " block " + ordinal + " is not valid base64: " + e.getMessage());
        }
    }

    private static String describe(String setting, Path path) {
        return "link TLS " + setting + " " + path;
    }
}
