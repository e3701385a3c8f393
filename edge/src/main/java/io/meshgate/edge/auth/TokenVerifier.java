package io.meshgate.edge.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a client's JWT into a {@link Principal} (protocol v1, "Tokens").
 *
 * <p>Only the algorithms that have a configured key are accepted, and the key type decides the algorithm, never the
 * token's header: {@code alg: none}, or an HS256 token where only RSA keys are configured (the classic trick of
 * using the public key as an HMAC secret), is refused before any signature check. Within one algorithm every
 * configured key is tried, so keys can be rotated by configuring old and new side by side.
 *
 * <p>Thread-safe and immutable after {@link #create}. {@link #verify} does CPU work only (no I/O, no locks), so the
 * transports call it on their I/O threads.
 */
public final class TokenVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
    /**
     * Longer strings are refused before decoding, so a hostile client cannot make an I/O thread base64-decode and
     * parse megabytes. Real tokens are a few hundred bytes; this leaves room for long pattern lists.
     */
    static final int MAX_TOKEN_CHARS = 8192;

    private final boolean insecure;
    private final long clockSkewSeconds;
    /** JWS {@code alg} name ("HS256", "RS256", "ES256") to one verifier per configured key of that algorithm. */
    private final Map<String, List<JWTVerifier>> verifiersByAlgorithm;

    private TokenVerifier(boolean insecure, long clockSkewSeconds, Map<String, List<JWTVerifier>> verifiersByAlgorithm) {
        this.insecure = insecure;
        this.clockSkewSeconds = clockSkewSeconds;
        this.verifiersByAlgorithm = verifiersByAlgorithm;
    }

    /**
     * Builds the verifiers for every configured key and logs the effective settings once.
     *
     * @throws IllegalArgumentException naming the setting, if a configured key cannot be used
     */
    public static TokenVerifier create(AuthSettings settings) {
        return create(settings, Clock.systemUTC());
    }

    /** With an injected clock, so tests can check expiry and skew without sleeping. */
    public static TokenVerifier create(AuthSettings settings, Clock clock) {
        List<Algorithm> algorithms = new ArrayList<>();
        if (settings.hs256Secret() != null) {
            algorithms.add(Algorithm.HMAC256(AuthSettings.hs256Key(settings.hs256Secret(), "auth.hs256Secret")));
        }
        List<String> rsaPems = settings.rsaPublicKeyPems();
        for (int i = 0; i < rsaPems.size(); i++) {
            algorithms.add(Algorithm.RSA256(PublicKeyPems.rsa(rsaPems.get(i), "auth.rsaPublicKeys[" + i + "]")));
        }
        List<String> ecPems = settings.ecPublicKeyPems();
        for (int i = 0; i < ecPems.size(); i++) {
            algorithms.add(Algorithm.ECDSA256(PublicKeyPems.p256(ecPems.get(i), "auth.ecPublicKeys[" + i + "]")));
        }

        Map<String, List<JWTVerifier>> verifiers = new HashMap<>();
        for (Algorithm algorithm : algorithms) {
            verifiers.computeIfAbsent(algorithm.getName(), name -> new ArrayList<>())
                    .add(verifier(algorithm, settings.clockSkewSeconds(), clock));
        }
        verifiers.replaceAll((name, list) -> List.copyOf(list));

        if (settings.insecureMode()) {
            LOG.warn("auth.mode=insecure: clients without a token are admitted and may use every channel. "
                    + "Local demo only; never expose this edge.");
        } else {
            LOG.info("token verification: HS256 secret {}, {} RSA and {} EC public keys, clock skew {} s",
                    settings.hs256Secret() == null ? "unset" : "set", settings.rsaPublicKeyPems().size(),
                    settings.ecPublicKeyPems().size(), settings.clockSkewSeconds());
        }
        return new TokenVerifier(settings.insecureMode(), settings.clockSkewSeconds(), Map.copyOf(verifiers));
    }

    private static JWTVerifier verifier(Algorithm algorithm, long clockSkewSeconds, Clock clock) {
        // build(Clock) is public on BaseVerification only, which is what JWT.require returns.
        JWTVerifier.BaseVerification verification = (JWTVerifier.BaseVerification) JWT.require(algorithm)
                .acceptLeeway(clockSkewSeconds)
                .withClaimPresence(TokenClaims.SUBJECT)
                .withClaimPresence(TokenClaims.EXPIRES);
        return verification.build(clock);
    }

    /**
     * Checks a token and returns who it names and what it allows.
     *
     * <p>In {@code insecure} mode a missing or empty token gives {@code Principal.insecure("anonymous")}; a token
     * that is given is still verified (and its claims apply) when keys are configured, otherwise it is only decoded,
     * unverified, for its {@code sub}, and the principal may use every channel.
     *
     * @param token the compact JWT, without any {@code Bearer } prefix; may be {@code null}
     * @throws TokenRejectedException with a short reason safe to send to the client
     */
    public Principal verify(String token) throws TokenRejectedException {
        if (token == null || token.isEmpty()) {
            if (insecure) {
                return Principal.insecure("anonymous");
            }
            throw new TokenRejectedException("missing token");
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            throw new TokenRejectedException("token too long");
        }
        DecodedJWT jwt;
        try {
            jwt = JWT.decode(token);
        } catch (JWTDecodeException e) {
            throw new TokenRejectedException("malformed token");
        }
        if (verifiersByAlgorithm.isEmpty()) {
            // Only reachable in insecure mode: jwt mode without a key is refused by AuthSettings.
            return Principal.insecure(TokenClaims.subject(jwt));
        }
        String algorithm = jwt.getAlgorithm();
        List<JWTVerifier> candidates = algorithm == null ? null : verifiersByAlgorithm.get(algorithm);
        if (candidates == null) {
            throw new TokenRejectedException("algorithm not accepted");
        }
        return TokenClaims.principal(checkSignatureAndTimes(jwt, candidates), clockSkewSeconds);
    }

    /** Whether this edge runs in the {@code insecure} demo mode. */
    public boolean insecure() {
        return insecure;
    }

    /**
     * java-jwt checks the signature before any claim, so a claim failure means some key did sign this token and
     * its reason is the one to report; a signature failure only means "try the next key".
     */
    private static DecodedJWT checkSignatureAndTimes(DecodedJWT jwt, List<JWTVerifier> candidates)
            throws TokenRejectedException {
        for (JWTVerifier verifier : candidates) {
            try {
                return verifier.verify(jwt);
            } catch (SignatureVerificationException e) {
                // Signed by another key, or forged: try the next key of this algorithm.
            } catch (TokenExpiredException e) {
                throw new TokenRejectedException("token expired");
            } catch (MissingClaimException e) {
                throw new TokenRejectedException("missing claim " + e.getClaimName());
            } catch (IncorrectClaimException e) {
                // The only claim checks configured are java-jwt's nbf and iat: both in the future.
                throw new TokenRejectedException("token not valid yet");
            } catch (JWTVerificationException e) {
                throw new TokenRejectedException("invalid token");
            }
        }
        throw new TokenRejectedException("bad signature");
    }
}
