package io.meshgate.edge.auth;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChannelPatternsTest {

    @Test
    void exactNameAllowsOnlyThatName() {
        ChannelPatterns patterns = ChannelPatterns.of(List.of("chat:room1"));
        assertTrue(patterns.allows("chat:room1"));
        assertFalse(patterns.allows("chat:room10"));
        assertFalse(patterns.allows("chat:room"));
        assertFalse(patterns.allows("CHAT:room1"));
    }

    @Test
    void trailingStarIsAPrefix() {
        ChannelPatterns patterns = ChannelPatterns.of(List.of("chat:*"));
        assertTrue(patterns.allows("chat:room1"));
        assertTrue(patterns.allows("chat:a.b-c_d"));
        assertTrue(patterns.allows("chat:"));
        assertFalse(patterns.allows("chat"));
        assertFalse(patterns.allows("news:chat:room1"));
    }

    @Test
    void starAloneAllowsEveryChannel() {
        ChannelPatterns patterns = ChannelPatterns.of(List.of("news", "*"));
        assertTrue(patterns.allows("anything"));
        assertTrue(patterns.allows("chat:room1"));
        assertEquals(ChannelPatterns.all(), patterns);
        assertTrue(ChannelPatterns.all().allows("x"));
    }

    @Test
    void noneAndEmptyAllowNothing() {
        assertFalse(ChannelPatterns.none().allows("chat:room1"));
        assertFalse(ChannelPatterns.of(List.of()).allows("chat:room1"));
        assertSame(ChannelPatterns.none(), ChannelPatterns.of(List.of()));
        assertFalse(ChannelPatterns.all().allows(null));
        assertFalse(ChannelPatterns.of(List.of("a")).allows(null));
    }

    @Test
    void severalPatternsAreAlternatives() {
        ChannelPatterns patterns = ChannelPatterns.of(List.of("chat:room1", "news:*", "ops:status"));
        assertTrue(patterns.allows("chat:room1"));
        assertTrue(patterns.allows("news:eu"));
        assertTrue(patterns.allows("ops:status"));
        assertFalse(patterns.allows("chat:room2"));
        assertFalse(patterns.allows("ops:status2"));
    }

    @Test
    void regexLookingPatternsAreLiteral() {
        assertFalse(ChannelPatterns.of(List.of("chat.room")).allows("chatXroom"));
        assertTrue(ChannelPatterns.of(List.of("chat.room")).allows("chat.room"));
        assertFalse(ChannelPatterns.of(List.of("a+")).allows("aa"));
        assertFalse(ChannelPatterns.of(List.of("chat:[0-9]")).allows("chat:1"));
        assertFalse(ChannelPatterns.of(List.of("chat:room?")).allows("chat:room"));
        assertFalse(ChannelPatterns.of(List.of("^chat$")).allows("chat"));
        // ".*" is the prefix "." followed by the wildcard, not "anything".
        ChannelPatterns dotStar = ChannelPatterns.of(List.of(".*"));
        assertFalse(dotStar.allows("chat:room1"));
        assertTrue(dotStar.allows(".hidden"));
    }

    @Test
    void starNotAtTheEndIsAnOrdinaryCharacter() {
        ChannelPatterns patterns = ChannelPatterns.of(List.of("chat:*:x"));
        assertFalse(patterns.allows("chat:a:x"));
        assertFalse(patterns.allows("chat:"));
    }

    @Test
    void nullPatternIsRefused() {
        assertThrows(NullPointerException.class, () -> ChannelPatterns.of(java.util.Arrays.asList("a", null)));
    }

    @Test
    void equalityFollowsContent() {
        assertEquals(ChannelPatterns.of(List.of("a", "b:*")), ChannelPatterns.of(List.of("b:*", "a", "a")));
        assertEquals(ChannelPatterns.of(List.of("a", "b:*")).hashCode(),
                ChannelPatterns.of(List.of("b:*", "a")).hashCode());
    }

    @Test
    void principalDelegatesToItsPatterns() {
        Principal principal = new Principal("alice", ChannelPatterns.of(List.of("chat:*")),
                ChannelPatterns.of(List.of("chat:room1")), false);
        assertTrue(principal.canSubscribe("chat:room2"));
        assertFalse(principal.canPublish("chat:room2"));
        assertTrue(principal.canPublish("chat:room1"));
        Principal insecure = Principal.insecure("bob");
        assertTrue(insecure.insecure());
        assertTrue(insecure.canSubscribe("any") && insecure.canPublish("any"));
    }
}
