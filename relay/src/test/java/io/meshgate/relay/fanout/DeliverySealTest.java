package io.meshgate.relay.fanout;

import io.meshgate.relay.region.ClusterSecret;
import io.meshgate.relay.region.HazelcastSettings;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealing and opening inbox payloads, and which secret a member gets from its bind. */
class DeliverySealTest {
    private static final String SECRET = "region-secret-region-secret-0123456789";
    private static final byte[] DELIVERY = "an encoded delivery".getBytes(StandardCharsets.UTF_8);

    private final DeliverySeal seal = new DeliverySeal(ClusterSecret.of(SECRET));

    @Test
    void aSealedDeliveryOpensToItsBytesUnderTheSameSecret() {
        byte[] sealed = seal.seal(DELIVERY);
        assertEquals(1 + DeliverySeal.TAG_BYTES + DELIVERY.length, sealed.length);
        assertArrayEquals(DELIVERY, seal.open(sealed));
        assertArrayEquals(DELIVERY, new DeliverySeal(ClusterSecret.of(SECRET)).open(sealed), "another node");
        assertArrayEquals(new byte[0], seal.open(seal.seal(new byte[0])));
    }

    @Test
    void anythingNotSealedWithTheRegionsSecretDoesNotOpen() {
        byte[] sealed = seal.seal(DELIVERY);
        assertNull(seal.open(DELIVERY), "an unsealed delivery, as a node before this change sent it");
        assertNull(new DeliverySeal(ClusterSecret.of(SECRET + "!")).open(sealed), "another secret");
        for (int i = 0; i < sealed.length; i++) {
            byte[] tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assertNull(seal.open(tampered), "byte " + i + " flipped");
        }
        assertNull(seal.open(Arrays.copyOf(sealed, sealed.length - 1)), "truncated");
        assertNull(seal.open(Arrays.copyOf(sealed, DeliverySeal.TAG_BYTES)), "shorter than a tag");
        assertNull(seal.open(new byte[0]));
        assertNull(seal.open(null));
    }

    @Test
    void aSecretShorterThan32BytesIsRefusedNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ClusterSecret.of("short"));
        assertTrue(e.getMessage().contains("cluster.secret"), e.getMessage());
        assertFalse(ClusterSecret.of(SECRET).toString().contains(SECRET), "the secret is never printed");
    }

    @Test
    void beyondLoopbackAMemberNeedsAConfiguredSecretOnLoopbackItGetsOneFromTheClusterName() {
        HazelcastSettings privateBind = new HazelcastSettings("meshgate-x", "10.0.0.7", 5701,
                List.of("10.0.0.7:5701"), 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ClusterSecret.forBind(privateBind));
        assertTrue(e.getMessage().contains("cluster.secret"), e.getMessage());
        assertEquals(ClusterSecret.of(SECRET), ClusterSecret.forBind(privateBind.withSecret(ClusterSecret.of(SECRET))));

        HazelcastSettings loopback = new HazelcastSettings("meshgate-x", "127.0.0.1", 5701,
                List.of("127.0.0.1:5701"), 1);
        ClusterSecret derived = ClusterSecret.forBind(loopback);
        assertFalse(derived.configured());
        assertEquals(derived, ClusterSecret.forBind(loopback), "every process of the region derives the same key");
        assertFalse(derived.equals(ClusterSecret.forBind(new HazelcastSettings("meshgate-y", "127.0.0.1", 5701,
                List.of("127.0.0.1:5701"), 1))), "another cluster, another key");
    }
}
