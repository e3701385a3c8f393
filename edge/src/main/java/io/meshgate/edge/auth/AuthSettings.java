package io.meshgate.edge.auth;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How the edge checks client tokens (protocol v1, "Tokens"). Every problem is an {@link IllegalArgumentException}
 * naming the configuration key, thrown here at start rather than at the first client.
 *
 * <p>In {@value #MODE_JWT} mode at least one key source must be set. The key material itself (PEM decoding, key
 * size, curve) is checked once, by {@link TokenVerifier#create}, with messages of the same form
 * (e.g. {@code auth.rsaPublicKeys[1] is not a valid RSA public key}). {@link #toString()} never shows the secret.
 *
 * @param mode              {@value #MODE_JWT} (production: every client needs a valid token) or
 *                          {@value #MODE_INSECURE} (local demo only: a client without a token may use every
 *                          channel)
 * @param hs256Secret       shared secret for HS256, at least {@value #MIN_HS256_SECRET_BYTES} bytes as UTF-8;
 *                          {@code null} or empty when unused
 * @param rsaPublicKeyPems  RS256 public keys, each a {@code -----BEGIN PUBLIC KEY-----} PEM (X.509
 *                          SubjectPublicKeyInfo) of at least 2048 bits; several keys allow rotation. {@code null}
 *                          means none
 * @param ecPublicKeyPems   ES256 public keys, each a P-256 {@code -----BEGIN PUBLIC KEY-----} PEM; several keys
 *                          allow rotation. {@code null} means none
 * @param clockSkewSeconds  leeway when checking {@code exp}, {@code nbf} and {@code iat}, between 0 and
 *                          {@value #MAX_CLOCK_SKEW_SECONDS}; {@value #DEFAULT_CLOCK_SKEW_SECONDS} by default, which
 *                          absorbs ordinary NTP drift between the token issuer and the edges without keeping
 *                          expired tokens alive for long
 */
public record AuthSettings(String mode, String hs256Secret, List<String> rsaPublicKeyPems,
                           List<String> ecPublicKeyPems, long clockSkewSeconds) {

    public static final String MODE_JWT = "jwt";
    public static final String MODE_INSECURE = "insecure";
    public static final long DEFAULT_CLOCK_SKEW_SECONDS = 30;
    public static final long MAX_CLOCK_SKEW_SECONDS = 300;
    /** HS256 keys shorter than the 256-bit hash output weaken the MAC (RFC 7518, section 3.2). */
    public static final int MIN_HS256_SECRET_BYTES = 32;

    public AuthSettings {
        if (!MODE_JWT.equals(mode) && !MODE_INSECURE.equals(mode)) {
            throw new IllegalArgumentException(
                    "auth.mode must be \"" + MODE_JWT + "\" or \"" + MODE_INSECURE + "\", was " + mode);
        }
        if (hs256Secret != null && hs256Secret.isEmpty()) {
            hs256Secret = null;
        }
        if (hs256Secret != null) {
            hs256Key(hs256Secret, "auth.hs256Secret");
        }
        rsaPublicKeyPems = checkPems(rsaPublicKeyPems, "auth.rsaPublicKeys");
        ecPublicKeyPems = checkPems(ecPublicKeyPems, "auth.ecPublicKeys");
        if (clockSkewSeconds < 0 || clockSkewSeconds > MAX_CLOCK_SKEW_SECONDS) {
            throw new IllegalArgumentException("auth.clockSkewSeconds must be between 0 and "
                    + MAX_CLOCK_SKEW_SECONDS + ", was " + clockSkewSeconds);
        }
        if (MODE_JWT.equals(mode) && hs256Secret == null && rsaPublicKeyPems.isEmpty()
                && ecPublicKeyPems.isEmpty()) {
            throw new IllegalArgumentException("auth.mode=jwt needs at least one key: set auth.hs256Secret, "
                    + "auth.rsaPublicKeys or auth.ecPublicKeys");
        }
    }

    /** Production settings with one HS256 secret and the default clock skew. */
    public static AuthSettings hs256(String secret) {
        return new AuthSettings(MODE_JWT, secret, List.of(), List.of(), DEFAULT_CLOCK_SKEW_SECONDS);
    }

    /** The local demo: no keys, every client admitted. */
    public static AuthSettings insecure() {
        return new AuthSettings(MODE_INSECURE, null, List.of(), List.of(), DEFAULT_CLOCK_SKEW_SECONDS);
    }

    boolean insecureMode() {
        return MODE_INSECURE.equals(mode);
    }

    @Override
    public String toString() {
        return "AuthSettings[mode=" + mode
                + ", hs256Secret=" + (hs256Secret == null ? "unset" : "set")
                + ", rsaPublicKeys=" + rsaPublicKeyPems.size()
                + ", ecPublicKeys=" + ecPublicKeyPems.size()
                + ", clockSkewSeconds=" + clockSkewSeconds + "]";
    }

    /** The HMAC key bytes of a secret, refusing short ones; {@code key} names the setting in the message. */
    static byte[] hs256Key(String secret, String key) {
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_HS256_SECRET_BYTES) {
            throw new IllegalArgumentException(key + " must be at least " + MIN_HS256_SECRET_BYTES
                    + " bytes, was " + bytes.length);
        }
        return bytes;
    }

    private static List<String> checkPems(List<String> pems, String key) {
        if (pems == null) {
            return List.of();
        }
        for (int i = 0; i < pems.size(); i++) {
            String pem = pems.get(i);
            if (pem == null || pem.isBlank()) {
                throw new IllegalArgumentException(key + "[" + i + "] is empty");
            }
        }
        return List.copyOf(pems);
    }
}
