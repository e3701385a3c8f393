package io.meshgate.edge.auth;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.meshgate.edge.auth.TestTokens.CLOCK;
import static io.meshgate.edge.auth.TestTokens.OTHER_SECRET;
import static io.meshgate.edge.auth.TestTokens.SECRET;
import static io.meshgate.edge.auth.TestTokens.assertRejected;
import static io.meshgate.edge.auth.TestTokens.nowPlusSeconds;
import static io.meshgate.edge.auth.TestTokens.unsigned;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InsecureModeTest {
    private final TokenVerifier noKeys = TokenVerifier.create(AuthSettings.insecure(), CLOCK);
    private final TokenVerifier withSecret = TokenVerifier.create(
            new AuthSettings("insecure", SECRET, List.of(), List.of(), 30), CLOCK);

    @Test
    void noTokenIsAnAnonymousPrincipalAllowedEverything() throws Exception {
        for (String token : new String[] {null, ""}) {
            Principal principal = noKeys.verify(token);
            assertEquals(Principal.insecure("anonymous"), principal);
            assertTrue(principal.insecure());
            assertTrue(principal.canSubscribe("chat:room1") && principal.canPublish("chat:room1"));
        }
        assertTrue(noKeys.insecure());
        assertEquals(Principal.insecure("anonymous"), withSecret.verify(null));
    }

    @Test
    void withoutKeysAGivenTokenIsOnlyReadForItsSubject() throws Exception {
        // Unsigned and restricted: the subject is taken, the restriction is not (nothing was proven).
        String token = unsigned("{\"alg\":\"none\"}", "{\"sub\":\"demo-user\",\"subscribe\":[]}");
        Principal principal = noKeys.verify(token);
        assertEquals("demo-user", principal.subject());
        assertTrue(principal.insecure());
        assertTrue(principal.canPublish("chat:room1"));
    }

    @Test
    void withoutKeysAnUnreadableTokenIsStillRejected() {
        assertRejected(noKeys, "garbage", "malformed token");
        assertRejected(noKeys, unsigned("{\"alg\":\"none\"}", "{\"exp\":" + nowPlusSeconds(60) + "}"),
                "missing claim sub");
    }

    @Test
    void withKeysAGivenTokenIsVerifiedAndItsClaimsApply() throws Exception {
        String token = new TokenMinter(SECRET, CLOCK).mint("alice", List.of("chat:*"), List.of(),
                Duration.ofMinutes(5));
        Principal principal = withSecret.verify(token);
        assertEquals("alice", principal.subject());
        assertFalse(principal.insecure());
        assertTrue(principal.canSubscribe("chat:room1"));
        assertFalse(principal.canPublish("chat:room1"));

        String forged = new TokenMinter(OTHER_SECRET, CLOCK).mint("alice", List.of("*"), List.of("*"),
                Duration.ofMinutes(5));
        assertRejected(withSecret, forged, "bad signature");
        assertRejected(withSecret, unsigned("{\"alg\":\"none\"}", "{\"sub\":\"x\",\"exp\":" + nowPlusSeconds(60)
                + "}"), "algorithm not accepted");
    }
}
