package io.meshgate.edge.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.List;

import static io.meshgate.edge.auth.TestTokens.CLOCK;
import static io.meshgate.edge.auth.TestTokens.NOW;
import static io.meshgate.edge.auth.TestTokens.SECRET;
import static io.meshgate.edge.auth.TestTokens.assertRejected;
import static io.meshgate.edge.auth.TestTokens.ecKeyPair;
import static io.meshgate.edge.auth.TestTokens.pem;
import static io.meshgate.edge.auth.TestTokens.rsaKeyPair;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RS256 and ES256 with keys generated for this run, written as PEM the way an operator would configure them. */
class TokenVerifierPublicKeyTest {
    private static KeyPair rsaOld;
    private static KeyPair rsaNew;
    private static KeyPair rsaUnknown;
    private static KeyPair ecOld;
    private static KeyPair ecNew;
    private static KeyPair ecUnknown;

    @BeforeAll
    static void generateKeys() throws Exception {
        rsaOld = rsaKeyPair(2048);
        rsaNew = rsaKeyPair(2048);
        rsaUnknown = rsaKeyPair(2048);
        ecOld = ecKeyPair("secp256r1");
        ecNew = ecKeyPair("secp256r1");
        ecUnknown = ecKeyPair("secp256r1");
    }

    private static TokenVerifier verifier(List<KeyPair> rsa, List<KeyPair> ec) {
        return TokenVerifier.create(new AuthSettings("jwt", null,
                rsa.stream().map(pair -> pem(pair.getPublic())).toList(),
                ec.stream().map(pair -> pem(pair.getPublic())).toList(),
                AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS), CLOCK);
    }

    private static String token(Algorithm algorithm, String subject, Instant expiresAt) {
        return JWT.create().withSubject(subject).withExpiresAt(expiresAt)
                .withClaim("subscribe", List.of("chat:*")).withClaim("publish", List.of("chat:room1"))
                .sign(algorithm);
    }

    private static String rs256(KeyPair pair, String subject) {
        return token(Algorithm.RSA256(null, (RSAPrivateKey) pair.getPrivate()), subject, NOW.plusSeconds(3600));
    }

    private static String es256(KeyPair pair, String subject) {
        return token(Algorithm.ECDSA256(null, (ECPrivateKey) pair.getPrivate()), subject, NOW.plusSeconds(3600));
    }

    @Test
    void rs256TokenIsAccepted() throws Exception {
        Principal principal = verifier(List.of(rsaOld), List.of()).verify(rs256(rsaOld, "alice"));
        assertEquals("alice", principal.subject());
        assertTrue(principal.canSubscribe("chat:room9"));
        assertTrue(principal.canPublish("chat:room1"));
    }

    @Test
    void es256TokenIsAccepted() throws Exception {
        Principal principal = verifier(List.of(), List.of(ecOld)).verify(es256(ecOld, "bob"));
        assertEquals("bob", principal.subject());
        assertTrue(principal.canSubscribe("chat:room9"));
    }

    @Test
    void tokenFromAnUnconfiguredKeyHasABadSignature() {
        assertRejected(verifier(List.of(rsaOld), List.of()), rs256(rsaUnknown, "mallory"), "bad signature");
        assertRejected(verifier(List.of(), List.of(ecOld)), es256(ecUnknown, "mallory"), "bad signature");
    }

    @Test
    void everyConfiguredKeyOfTheAlgorithmIsAccepted() throws Exception {
        TokenVerifier rotating = verifier(List.of(rsaOld, rsaNew), List.of(ecOld, ecNew));
        assertEquals("old-rsa", rotating.verify(rs256(rsaOld, "old-rsa")).subject());
        assertEquals("new-rsa", rotating.verify(rs256(rsaNew, "new-rsa")).subject());
        assertEquals("old-ec", rotating.verify(es256(ecOld, "old-ec")).subject());
        assertEquals("new-ec", rotating.verify(es256(ecNew, "new-ec")).subject());
        assertRejected(rotating, rs256(rsaUnknown, "mallory"), "bad signature");
        assertRejected(rotating, es256(ecUnknown, "mallory"), "bad signature");
    }

    @Test
    void claimFailureUnderTheSecondKeyIsReportedNotMaskedAsBadSignature() {
        TokenVerifier rotating = verifier(List.of(rsaOld, rsaNew), List.of());
        String expired = token(Algorithm.RSA256(null, (RSAPrivateKey) rsaNew.getPrivate()), "alice",
                NOW.minusSeconds(3600));
        assertRejected(rotating, expired, "token expired");
    }

    @Test
    void allThreeAlgorithmsCanBeConfiguredTogether() throws Exception {
        TokenVerifier all = TokenVerifier.create(new AuthSettings("jwt", SECRET, List.of(pem(rsaOld.getPublic())),
                List.of(pem(ecOld.getPublic())), 30), CLOCK);
        assertEquals("r", all.verify(rs256(rsaOld, "r")).subject());
        assertEquals("e", all.verify(es256(ecOld, "e")).subject());
        assertEquals("h", all.verify(new TokenMinter(SECRET, CLOCK)
                .mint("h", List.of(), List.of(), java.time.Duration.ofMinutes(1))).subject());
    }

    @Test
    void algorithmWithoutAConfiguredKeyIsRejected() {
        assertRejected(verifier(List.of(), List.of(ecOld)), rs256(rsaOld, "alice"), "algorithm not accepted");
        assertRejected(verifier(List.of(rsaOld), List.of()), es256(ecOld, "alice"), "algorithm not accepted");
    }

    @Test
    void hmacSignedWithThePublicKeyIsRejected() {
        // The key-confusion attack: use the (public) RSA PEM as an HMAC secret and claim HS256.
        String publicPem = pem(rsaOld.getPublic());
        String forged = JWT.create().withSubject("mallory").withExpiresAt(NOW.plusSeconds(3600))
                .withClaim("subscribe", List.of("*"))
                .sign(Algorithm.HMAC256(publicPem.getBytes(StandardCharsets.UTF_8)));
        assertRejected(verifier(List.of(rsaOld), List.of()), forged, "algorithm not accepted");
    }

    @Test
    void unusableKeysAreRefusedAtCreateNamingTheSetting() throws Exception {
        assertCreateFails(new AuthSettings("jwt", null, List.of(pem(rsaOld.getPublic()), "-----BEGIN PUBLIC KEY-----\n"
                        + "AAAA\n-----END PUBLIC KEY-----"), List.of(), 30),
                "auth.rsaPublicKeys[1] is not a valid RSA public key");
        assertCreateFails(new AuthSettings("jwt", null, List.of(pem(ecOld.getPublic())), List.of(), 30),
                "auth.rsaPublicKeys[0] is not a valid RSA public key");
        assertCreateFails(new AuthSettings("jwt", null, List.of(), List.of(pem(rsaOld.getPublic())), 30),
                "auth.ecPublicKeys[0] is not a valid EC public key");
        assertCreateFails(new AuthSettings("jwt", null, List.of("ssh-rsa AAAAB3Nza"), List.of(), 30),
                "auth.rsaPublicKeys[0] must be a PEM block from -----BEGIN PUBLIC KEY----- to "
                        + "-----END PUBLIC KEY-----");
        assertCreateFails(new AuthSettings("jwt", null, List.of(pem(rsaKeyPair(1024).getPublic())), List.of(), 30),
                "auth.rsaPublicKeys[0] must be an RSA key of at least 2048 bits, was 1024");
        assertCreateFails(new AuthSettings("jwt", null, List.of(), List.of(pem(ecKeyPair("secp384r1").getPublic())),
                30), "auth.ecPublicKeys[0] must be a P-256 (secp256r1) key for ES256");
    }

    private static void assertCreateFails(AuthSettings settings, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TokenVerifier.create(settings, CLOCK));
        assertEquals(message, e.getMessage());
    }
}
