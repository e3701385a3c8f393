package io.meshgate.edge.auth;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads the public keys of the configuration: {@code -----BEGIN PUBLIC KEY-----} PEM (X.509 SubjectPublicKeyInfo),
 * the form {@code openssl pkey -pubout} writes. Failures are {@link IllegalArgumentException}s naming the setting,
 * e.g. {@code auth.ecPublicKeys[0]}, and never quote the key.
 */
final class PublicKeyPems {
    private static final String BEGIN = "-----BEGIN PUBLIC KEY-----";
    private static final String END = "-----END PUBLIC KEY-----";
    /** Shorter RSA keys are factorable with ordinary means; NIST has disallowed them since 2013. */
    static final int MIN_RSA_BITS = 2048;
    private static final ECParameterSpec P256 = namedCurve("secp256r1");

    private PublicKeyPems() {
    }

    static RSAPublicKey rsa(String pem, String key) {
        RSAPublicKey rsa = (RSAPublicKey) parse(pem, "RSA", key);
        if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
            throw new IllegalArgumentException(key + " must be an RSA key of at least " + MIN_RSA_BITS
                    + " bits, was " + rsa.getModulus().bitLength());
        }
        return rsa;
    }

    /** ES256 is ECDSA on P-256 only (RFC 7518, section 3.4): a key on another curve could never verify. */
    static ECPublicKey p256(String pem, String key) {
        ECPublicKey ec = (ECPublicKey) parse(pem, "EC", key);
        ECParameterSpec params = ec.getParams();
        boolean isP256 = params.getCurve().equals(P256.getCurve())
                && params.getGenerator().equals(P256.getGenerator())
                && params.getOrder().equals(P256.getOrder());
        if (!isP256) {
            throw new IllegalArgumentException(key + " must be a P-256 (secp256r1) key for ES256");
        }
        return ec;
    }

    private static PublicKey parse(String pem, String algorithm, String key) {
        String text = pem.strip();
        if (!text.startsWith(BEGIN) || !text.endsWith(END)) {
            throw new IllegalArgumentException(key + " must be a PEM block from " + BEGIN + " to " + END);
        }
        String base64 = text.substring(BEGIN.length(), text.length() - END.length()).replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException(key + " is not a valid " + algorithm + " public key", e);
        }
    }

    private static ECParameterSpec namedCurve(String name) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec(name));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            // Every Java 17 runtime ships secp256r1 (SunEC); without it ES256 cannot work at all.
            throw new IllegalStateException("curve " + name + " is not available in this JVM", e);
        }
    }
}
