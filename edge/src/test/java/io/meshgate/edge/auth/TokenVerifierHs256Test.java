package io.meshgate.edge.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.edge.auth.TestTokens.CLOCK;
import static io.meshgate.edge.auth.TestTokens.HS256_HEADER;
import static io.meshgate.edge.auth.TestTokens.NOW;
import static io.meshgate.edge.auth.TestTokens.OTHER_SECRET;
import static io.meshgate.edge.auth.TestTokens.SECRET;
import static io.meshgate.edge.auth.TestTokens.assertRejected;
import static io.meshgate.edge.auth.TestTokens.clockAt;
import static io.meshgate.edge.auth.TestTokens.hs256;
import static io.meshgate.edge.auth.TestTokens.nowPlusSeconds;
import static io.meshgate.edge.auth.TestTokens.unsigned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenVerifierHs256Test {
    private final TokenVerifier verifier = TokenVerifier.create(AuthSettings.hs256(SECRET), CLOCK);
    private final TokenMinter minter = new TokenMinter(SECRET, CLOCK);

    @Test
    void validTokenGrantsItsClaims() throws Exception {
        String token = minter.mint("alice", List.of("chat:*"), List.of("chat:room1"), Duration.ofHours(1));

        Principal principal = verifier.verify(token);

        assertEquals("alice", principal.subject());
        assertFalse(principal.insecure());
        assertTrue(principal.canSubscribe("chat:room7"));
        assertFalse(principal.canSubscribe("news:eu"));
        assertTrue(principal.canPublish("chat:room1"));
        assertFalse(principal.canPublish("chat:room7"));
        assertFalse(verifier.insecure());
    }

    @Test
    void protocolExamplePayloadIsAccepted() throws Exception {
        long exp = nowPlusSeconds(60);
        Principal principal = verifier.verify(hs256("{\"sub\":\"alice\",\"exp\":" + exp
                + ",\"subscribe\":[\"chat:*\"],\"publish\":[\"chat:room1\"]}"));
        // Authorised until exp plus the clock skew: a WebSocket is closed 4001 then unless it refreshed.
        assertEquals(new Principal("alice", ChannelPatterns.of(List.of("chat:*")),
                ChannelPatterns.of(List.of("chat:room1")), false, exp,
                (exp + AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS) * 1000), principal);
    }

    @Test
    void missingPatternClaimsAllowNothing() throws Exception {
        Principal principal = verifier.verify(hs256("{\"sub\":\"bob\",\"exp\":" + nowPlusSeconds(60) + "}"));
        assertFalse(principal.canSubscribe("chat:room1"));
        assertFalse(principal.canPublish("chat:room1"));
    }

    @Test
    void expiredTokenIsRejected() {
        String token = new TokenMinter(SECRET, clockAt(NOW.minus(Duration.ofHours(2))))
                .mint("alice", List.of("*"), List.of("*"), Duration.ofHours(1));
        assertRejected(verifier, token, "token expired");
    }

    @Test
    void expiryAllowsTheConfiguredClockSkewAndNoMore() throws Exception {
        String token = hs256("{\"sub\":\"alice\",\"exp\":" + NOW.getEpochSecond() + "}");
        long skew = AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS;

        TokenVerifier withinSkew = TokenVerifier.create(AuthSettings.hs256(SECRET), clockAt(NOW.plusSeconds(skew - 1)));
        assertEquals("alice", withinSkew.verify(token).subject());

        TokenVerifier pastSkew = TokenVerifier.create(AuthSettings.hs256(SECRET), clockAt(NOW.plusSeconds(skew + 1)));
        assertRejected(pastSkew, token, "token expired");

        AuthSettings noSkew = new AuthSettings("jwt", SECRET, List.of(), List.of(), 0);
        assertRejected(TokenVerifier.create(noSkew, clockAt(NOW.plusSeconds(1))), token, "token expired");
    }

    @Test
    void tokenNotValidYetIsRejected() {
        String token = hs256("{\"sub\":\"alice\",\"exp\":" + nowPlusSeconds(3600)
                + ",\"nbf\":" + nowPlusSeconds(600) + "}");
        assertRejected(verifier, token, "token not valid yet");
    }

    @Test
    void badSignatureIsRejected() {
        String otherKey = new TokenMinter(OTHER_SECRET, CLOCK).mint("alice", List.of("*"), List.of("*"),
                Duration.ofHours(1));
        assertRejected(verifier, otherKey, "bad signature");
    }

    @Test
    void tamperedPayloadIsRejected() {
        String token = minter.mint("alice", List.of("chat:room1"), List.of(), Duration.ofHours(1));
        String[] parts = token.split("\\.");
        String widened = TestTokens.b64("{\"sub\":\"alice\",\"exp\":" + nowPlusSeconds(3600)
                + ",\"subscribe\":[\"*\"],\"publish\":[\"*\"]}");
        assertRejected(verifier, parts[0] + "." + widened + "." + parts[2], "bad signature");
    }

    @Test
    void algNoneIsRejected() {
        String payload = "{\"sub\":\"mallory\",\"exp\":" + nowPlusSeconds(3600) + ",\"subscribe\":[\"*\"]}";
        assertRejected(verifier, unsigned("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload), "algorithm not accepted");
        assertRejected(verifier, unsigned("{\"alg\":\"None\"}", payload), "algorithm not accepted");
        assertRejected(verifier, unsigned("{\"alg\":\"NONE\"}", payload), "algorithm not accepted");
        assertRejected(verifier, unsigned("{\"typ\":\"JWT\"}", payload), "algorithm not accepted");
        String libraryNone = JWT.create().withSubject("mallory").withExpiresAt(NOW.plusSeconds(3600))
                .sign(Algorithm.none());
        assertRejected(verifier, libraryNone, "algorithm not accepted");
    }

    @Test
    void algNoneHeaderWithAValidHmacSignatureIsStillRejected() {
        // The header decides nothing: a valid HS256 signature under a header claiming "none" is refused too.
        String payload = "{\"sub\":\"mallory\",\"exp\":" + nowPlusSeconds(3600) + "}";
        assertRejected(verifier, hs256(SECRET, "{\"alg\":\"none\"}", payload), "algorithm not accepted");
    }

    @Test
    void otherAlgorithmsAreRejected() {
        String payload = "{\"sub\":\"alice\",\"exp\":" + nowPlusSeconds(3600) + "}";
        assertRejected(verifier, hs256(SECRET, "{\"alg\":\"HS512\"}", payload), "algorithm not accepted");
        assertRejected(verifier, hs256(SECRET, "{\"alg\":\"RS256\"}", payload), "algorithm not accepted");
    }

    @Test
    void missingSubIsRejected() {
        assertRejected(verifier, hs256("{\"exp\":" + nowPlusSeconds(60) + "}"), "missing claim sub");
    }

    @Test
    void missingExpIsRejected() {
        assertRejected(verifier, hs256("{\"sub\":\"alice\"}"), "missing claim exp");
    }

    @Test
    void claimsOfTheWrongTypeAreRejected() {
        long exp = nowPlusSeconds(60);
        assertRejected(verifier, hs256("{\"sub\":42,\"exp\":" + exp + "}"), "claim sub must be a non-empty string");
        assertRejected(verifier, hs256("{\"sub\":\"\",\"exp\":" + exp + "}"),
                "claim sub must be a non-empty string");
        assertRejected(verifier, hs256("{\"sub\":[\"alice\"],\"exp\":" + exp + "}"),
                "claim sub must be a non-empty string");
        assertRejected(verifier, hs256("{\"sub\":\"alice\",\"exp\":" + exp + ",\"subscribe\":\"chat:*\"}"),
                "claim subscribe must be an array of strings");
        assertRejected(verifier, hs256("{\"sub\":\"alice\",\"exp\":" + exp + ",\"subscribe\":null}"),
                "claim subscribe must be an array of strings");
        assertRejected(verifier, hs256("{\"sub\":\"alice\",\"exp\":" + exp + ",\"publish\":[\"a\",7]}"),
                "claim publish must be an array of strings");
        assertRejected(verifier, hs256("{\"sub\":\"alice\",\"exp\":" + exp + ",\"publish\":[{\"ch\":\"a\"}]}"),
                "claim publish must be an array of strings");
        assertRejected(verifier, hs256("{\"sub\":\"alice\",\"exp\":\"tomorrow\"}"), "malformed token");
    }

    @Test
    void garbageIsRejected() {
        assertRejected(verifier, null, "missing token");
        assertRejected(verifier, "", "missing token");
        assertRejected(verifier, "garbage", "malformed token");
        assertRejected(verifier, "a.b.c", "malformed token");
        assertRejected(verifier, "..", "malformed token");
        assertRejected(verifier, "Bearer " + minter.mint("a", List.of(), List.of(), Duration.ofHours(1)),
                "malformed token");
        assertRejected(verifier, TestTokens.b64("{\"alg\":\"HS256\"}") + "." + TestTokens.b64("not json") + ".sig",
                "malformed token");
        assertRejected(verifier, "x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1), "token too long");
    }

    @Test
    void minterRefusesShortSecretsAndNonPositiveTtl() {
        IllegalArgumentException shortSecret =
                assertThrows(IllegalArgumentException.class, () -> new TokenMinter("too-short"));
        assertEquals("hs256Secret must be at least 32 bytes, was 9", shortSecret.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> minter.mint("alice", List.of(), List.of(), Duration.ZERO));
    }

    @Test
    void mintedTokensCarryTheProtocolClaims() {
        String token = minter.mint("alice", List.of("chat:*"), List.of("chat:room1"), Duration.ofMinutes(5));
        var decoded = JWT.decode(token);
        assertEquals("HS256", decoded.getAlgorithm());
        assertEquals("alice", decoded.getSubject());
        assertEquals(NOW.plusSeconds(300), decoded.getExpiresAtAsInstant());
        assertEquals(List.of("chat:*"), decoded.getClaim("subscribe").asList(String.class));
        assertEquals(List.of("chat:room1"), decoded.getClaim("publish").asList(String.class));
    }
}
