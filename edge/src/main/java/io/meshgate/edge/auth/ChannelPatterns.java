package io.meshgate.edge.auth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A list of channel patterns, as carried by a token's {@code subscribe} and {@code publish} claims: an exact channel
 * name, or a prefix ending in {@code '*'} ({@code "chat:*"} allows {@code "chat:room1"}), or {@code "*"} alone for
 * every channel. Patterns are literal text, never regular expressions: {@code "chat.room"} allows only itself, and a
 * {@code '*'} anywhere but at the end is an ordinary character (which no valid channel name contains).
 *
 * <p>Immutable and thread-safe.
 */
public final class ChannelPatterns {
    private static final ChannelPatterns NONE = new ChannelPatterns(false, Set.of(), List.of());
    private static final ChannelPatterns ALL = new ChannelPatterns(true, Set.of(), List.of());

    private final boolean all;
    private final Set<String> exact;
    private final List<String> prefixes;

    private ChannelPatterns(boolean all, Set<String> exact, List<String> prefixes) {
        this.all = all;
        this.exact = exact;
        this.prefixes = prefixes;
    }

    /** Parses patterns; a {@code null} element is a programming error (token claims are type-checked before). */
    public static ChannelPatterns of(List<String> patterns) {
        Set<String> exact = new LinkedHashSet<>();
        Set<String> prefixes = new LinkedHashSet<>();
        for (String pattern : patterns) {
            Objects.requireNonNull(pattern, "pattern");
            if (pattern.equals("*")) {
                return ALL;
            }
            if (pattern.endsWith("*")) {
                prefixes.add(pattern.substring(0, pattern.length() - 1));
            } else {
                exact.add(pattern);
            }
        }
        if (exact.isEmpty() && prefixes.isEmpty()) {
            return NONE;
        }
        return new ChannelPatterns(false, Set.copyOf(exact), List.copyOf(prefixes));
    }

    /** Allows no channel: what a token without the claim gets. */
    public static ChannelPatterns none() {
        return NONE;
    }

    /** Allows every channel, like the pattern {@code "*"}. */
    public static ChannelPatterns all() {
        return ALL;
    }

    /** Whether {@code channel} matches one of the patterns; {@code null} matches nothing. */
    public boolean allows(String channel) {
        if (channel == null) {
            return false;
        }
        if (all || exact.contains(channel)) {
            return true;
        }
        for (String prefix : prefixes) {
            if (channel.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChannelPatterns that
                && all == that.all && exact.equals(that.exact) && prefixes.equals(that.prefixes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(all, exact, prefixes);
    }

    @Override
    public String toString() {
        if (all) {
            return "[*]";
        }
        List<String> patterns = new ArrayList<>(exact);
        prefixes.forEach(prefix -> patterns.add(prefix + "*"));
        return patterns.toString();
    }
}
