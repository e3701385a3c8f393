package io.meshgate.edge.auth;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Test fixtures: a fixed clock, keys generated per run, PEM writing, and hand-built JWTs (header and payload as
 * literal JSON) so malformed and hostile tokens do not depend on the library under test to produce them.
 */
final class TestTokens {
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final String SECRET = "0123456789abcdef0123456789abcdef-test-secret";
    static final String OTHER_SECRET = "fedcba9876543210fedcba9876543210-other-secret";
    static final String HS256_HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

    private TestTokens() {
    }

    static Clock clockAt(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    static long nowPlusSeconds(long seconds) {
        return NOW.getEpochSecond() + seconds;
    }

    static KeyPair rsaKeyPair(int bits) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    static KeyPair ecKeyPair(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    /** The {@code -----BEGIN PUBLIC KEY-----} form {@code openssl pkey -pubout} writes: 64-column base64. */
    static String pem(PublicKey key) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
    }

    /** An HS256 token over exactly this header and payload JSON. */
    static String hs256(String secret, String headerJson, String payloadJson) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] signature = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static String hs256(String payloadJson) {
        return hs256(SECRET, HS256_HEADER, payloadJson);
    }

    /** A token with an empty signature, as {@code alg: none} tokens are written. */
    static String unsigned(String headerJson, String payloadJson) {
        return b64(headerJson) + "." + b64(payloadJson) + ".";
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Asserts the rejection reason, and that the reason quotes no part of the token. */
    static void assertRejected(TokenVerifier verifier, String token, String reason) {
        TokenRejectedException e = assertThrows(TokenRejectedException.class, () -> verifier.verify(token));
        assertEquals(reason, e.reason());
        if (token != null) {
            for (String part : token.split("\\.")) {
                if (part.length() >= 8) {
                    assertFalse(e.reason().contains(part), "reason echoes the token");
                }
            }
        }
    }
}
