package io.meshgate.edge.auth;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static io.meshgate.edge.auth.TestTokens.SECRET;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AuthSettingsTest {

    private static String failure(String mode, String secret, List<String> rsa, List<String> ec, long skew) {
        return assertThrows(IllegalArgumentException.class, () -> new AuthSettings(mode, secret, rsa, ec, skew))
                .getMessage();
    }

    @Test
    void unknownModeNamesAuthMode() {
        assertEquals("auth.mode must be \"jwt\" or \"insecure\", was JWT",
                failure("JWT", SECRET, List.of(), List.of(), 30));
        assertTrue(failure(null, SECRET, List.of(), List.of(), 30).startsWith("auth.mode "));
    }

    @Test
    void shortSecretNamesAuthHs256SecretWithoutShowingIt() {
        String message = failure("jwt", "short-secret-value", List.of(), List.of(), 30);
        assertEquals("auth.hs256Secret must be at least 32 bytes, was 18", message);
        assertFalse(message.contains("short-secret-value"));
        // The limit counts UTF-8 bytes: 16 two-byte characters are enough.
        new AuthSettings("jwt", "é".repeat(16), List.of(), List.of(), 30);
    }

    @Test
    void jwtModeNeedsAKeySource() {
        assertEquals("auth.mode=jwt needs at least one key: set auth.hs256Secret, auth.rsaPublicKeys or "
                + "auth.ecPublicKeys", failure("jwt", null, null, null, 30));
        assertTrue(failure("jwt", "", List.of(), List.of(), 30).contains("auth.hs256Secret"));
    }

    @Test
    void clockSkewOutOfRangeNamesAuthClockSkewSeconds() {
        assertEquals("auth.clockSkewSeconds must be between 0 and 300, was -1",
                failure("jwt", SECRET, List.of(), List.of(), -1));
        assertEquals("auth.clockSkewSeconds must be between 0 and 300, was 301",
                failure("jwt", SECRET, List.of(), List.of(), 301));
    }

    @Test
    void emptyKeyEntriesNameTheirListAndIndex() {
        assertEquals("auth.rsaPublicKeys[0] is empty", failure("jwt", SECRET, List.of(" "), List.of(), 30));
        assertEquals("auth.ecPublicKeys[1] is empty",
                failure("jwt", SECRET, List.of(), Arrays.asList("-----BEGIN PUBLIC KEY-----", null), 30));
    }

    @Test
    void insecureModeNeedsNoKeysAndMissingValuesNormalise() {
        AuthSettings settings = new AuthSettings("insecure", "", null, null, 0);
        assertNull(settings.hs256Secret());
        assertEquals(List.of(), settings.rsaPublicKeyPems());
        assertEquals(List.of(), settings.ecPublicKeyPems());
        assertEquals(AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS, AuthSettings.insecure().clockSkewSeconds());
        assertEquals(30, AuthSettings.DEFAULT_CLOCK_SKEW_SECONDS);
    }

    @Test
    void toStringNeverShowsTheSecret() {
        String text = AuthSettings.hs256(SECRET).toString();
        assertFalse(text.contains(SECRET));
        assertTrue(text.contains("hs256Secret=set"));
    }
}
