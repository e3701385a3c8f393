package io.meshgate.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenRefreshTest {
    private static String jwt(String payload) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + ".sig";
    }

    @Test
    void expIsReadFromThePayloadAndAnythingElseMeansNoRefresh() {
        assertEquals(1763999999, TokenRefresh.expSeconds(jwt("{\"sub\":\"a\",\"exp\":1763999999}")));
        assertEquals(-1, TokenRefresh.expSeconds(jwt("{\"sub\":\"a\"}")));
        assertEquals(-1, TokenRefresh.expSeconds("not-a-jwt"));
        assertEquals(-1, TokenRefresh.expSeconds(null));
        assertEquals(-1, TokenRefresh.delayMs(-1, 0));
    }

    @Test
    void refreshComesAMinuteBeforeExpOrHalfwayThroughAShortLife() {
        long now = 1_000_000_000_000L;
        assertEquals(3_600_000 - 60_000, TokenRefresh.delayMs(now / 1000 + 3600, now));
        assertEquals(5_000, TokenRefresh.delayMs(now / 1000 + 10, now));
        assertEquals(0, TokenRefresh.delayMs(now / 1000 - 5, now), "already expired: at once");
    }
}
