package io.meshgate.edge.auth;

import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.interfaces.Claim;
import com.auth0.jwt.interfaces.DecodedJWT;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the protocol's claims from a decoded token with strict types: {@code sub} a non-empty string,
 * {@code subscribe} and {@code publish} arrays of strings (missing means none). A wrong type is a rejection, not a
 * default, so that a malformed grant never silently turns into a different one. {@code exp} is checked by java-jwt.
 */
final class TokenClaims {
    static final String SUBJECT = "sub";
    static final String EXPIRES = "exp";
    static final String SUBSCRIBE = "subscribe";
    static final String PUBLISH = "publish";

    private TokenClaims() {
    }

    /** The principal a verified token grants, authorised until {@code exp} plus {@code clockSkewSeconds}. */
    static Principal principal(DecodedJWT jwt, long clockSkewSeconds) throws TokenRejectedException {
        long exp = jwt.getExpiresAtAsInstant().getEpochSecond(); // present: the verifier requires it
        return new Principal(subject(jwt), patterns(jwt, SUBSCRIBE), patterns(jwt, PUBLISH), false, exp,
                Math.multiplyExact(exp + clockSkewSeconds, 1000L));
    }

    static String subject(DecodedJWT jwt) throws TokenRejectedException {
        Claim claim = jwt.getClaim(SUBJECT);
        if (claim.isMissing()) {
            throw new TokenRejectedException("missing claim sub");
        }
        String subject = claim.asString();
        if (subject == null || subject.isEmpty()) {
            throw new TokenRejectedException("claim sub must be a non-empty string");
        }
        return subject;
    }

    private static ChannelPatterns patterns(DecodedJWT jwt, String name) throws TokenRejectedException {
        Claim claim = jwt.getClaim(name);
        if (claim.isMissing()) {
            return ChannelPatterns.none();
        }
        List<Object> items;
        try {
            items = claim.asList(Object.class);
        } catch (JWTDecodeException e) {
            items = null;
        }
        if (items == null) {
            throw wrongType(name);
        }
        List<String> patterns = new ArrayList<>(items.size());
        for (Object item : items) {
            if (!(item instanceof String pattern)) {
                throw wrongType(name);
            }
            patterns.add(pattern);
        }
        return ChannelPatterns.of(patterns);
    }

    private static TokenRejectedException wrongType(String name) {
        return new TokenRejectedException("claim " + name + " must be an array of strings");
    }
}
