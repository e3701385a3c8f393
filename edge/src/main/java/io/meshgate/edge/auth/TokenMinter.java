package io.meshgate.edge.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Mints HS256 tokens in the protocol's claim format: the demo prints ready-made tokens at start with it, and tests
 * use it. Production tokens come from the operator's own issuer. Thread-safe.
 */
public final class TokenMinter {
    private final Algorithm algorithm;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException if the secret is shorter than {@value AuthSettings#MIN_HS256_SECRET_BYTES}
     *                                  bytes
     */
    public TokenMinter(String hs256Secret) {
        this(hs256Secret, Clock.systemUTC());
    }

    /** With an injected clock, so tests can mint tokens that are already expired or not yet valid. */
    TokenMinter(String hs256Secret, Clock clock) {
        Objects.requireNonNull(hs256Secret, "hs256Secret");
        this.algorithm = Algorithm.HMAC256(AuthSettings.hs256Key(hs256Secret, "hs256Secret"));
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param subscribe channel patterns the holder may subscribe to (see {@link ChannelPatterns})
     * @param publish   channel patterns the holder may publish to
     * @param ttl       time from now until {@code exp}; must be positive
     */
    public String mint(String subject, List<String> subscribe, List<String> publish, Duration ttl) {
        Objects.requireNonNull(subject, "subject");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        Instant now = clock.instant();
        return JWT.create()
                .withSubject(subject)
                .withIssuedAt(now)
                .withExpiresAt(now.plus(ttl))
                .withClaim(TokenClaims.SUBSCRIBE, List.copyOf(subscribe))
                .withClaim(TokenClaims.PUBLISH, List.copyOf(publish))
                .sign(algorithm);
    }
}
