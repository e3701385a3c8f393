package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * When to ask the application for a fresh token: the server closes a WebSocket with 4001 at the token's {@code exp}
 * (plus its clock skew) unless the client sent {@code refresh} first (PROTOCOL.md, WebSocket step 7). The client
 * reads {@code exp} from the token's payload without verifying it (it is the server's token to check) and refreshes
 * a minute before it, or halfway through a shorter remaining lifetime. Stateless.
 */
final class TokenRefresh {
    private static final long LEAD_MS = 60_000;

    private TokenRefresh() {
    }

    /** The token's {@code exp} in Unix seconds; -1 when there is none or the token is not a readable JWT. */
    static long expSeconds(String token) {
        if (token == null) {
            return -1;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return -1;
        }
        try {
            JsonNode payload = Json.MAPPER.readTree(new String(Base64.getUrlDecoder().decode(parts[1]),
                    StandardCharsets.UTF_8));
            JsonNode exp = payload == null ? null : payload.get("exp");
            return exp != null && exp.canConvertToLong() ? exp.asLong() : -1;
        } catch (IllegalArgumentException | java.io.IOException e) {
            return -1;
        }
    }

    /** Milliseconds from {@code nowMs} until the refresh of a token expiring at {@code expSeconds}; -1 for never. */
    static long delayMs(long expSeconds, long nowMs) {
        if (expSeconds < 0) {
            return -1;
        }
        long remaining = expSeconds * 1000 - nowMs;
        return Math.max(0, remaining - Math.min(LEAD_MS, remaining / 2));
    }
}
