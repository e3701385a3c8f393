package io.meshgate.relay.fanout;

import io.meshgate.relay.region.ClusterSecret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Seals an encoded delivery for a node's inbox topic and opens one, with HMAC-SHA256 under the region's
 * {@link ClusterSecret}: a member of the region's Hazelcast cluster that does not hold the secret cannot put a
 * delivery on an inbox that the receiving node accepts.
 *
 * <p>An inbox payload is {@code [VERSION][32-byte tag][encoded Delivery]}; the tag is the HMAC of a fixed label, the
 * version byte and the encoded delivery. The sender seals once per delivery (one channel's messages) whatever the
 * number of receiving nodes; each receiving node opens it once, before any of its subscribers sees it. A sealed
 * delivery is not bound to its receiver or to a time: a member can replay a genuine delivery it observed, which
 * carries only real messages, and receivers drop seqs they already delivered.
 *
 * <p>Threads: {@link #seal} runs on whichever thread fans out (sequencer, reconciler, replica writer) and
 * {@link #open} on Hazelcast event threads; each thread uses its own {@link Mac}, so both may run concurrently.
 */
public final class DeliverySeal {
    static final byte VERSION = 1;
    static final int TAG_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation: the same secret may key other MACs later without a tag of one passing for another. */
    private static final byte[] LABEL = "meshgate.inbox.delivery\0".getBytes(StandardCharsets.UTF_8);

    private final ThreadLocal<Mac> macs;

    public DeliverySeal(ClusterSecret secret) {
        SecretKeySpec key = new SecretKeySpec(secret.key(), ALGORITHM);
        newMac(key); // fail at construction, not on the first delivery, if the JVM lacks the algorithm
        this.macs = ThreadLocal.withInitial(() -> newMac(key));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        }
    }

    /** The inbox payload for an encoded delivery. */
    public byte[] seal(byte[] delivery) {
        byte[] sealed = new byte[1 + TAG_BYTES + delivery.length];
        sealed[0] = VERSION;
        System.arraycopy(tag(delivery, 0, delivery.length), 0, sealed, 1, TAG_BYTES);
        System.arraycopy(delivery, 0, sealed, 1 + TAG_BYTES, delivery.length);
        return sealed;
    }

    /**
     * The encoded delivery inside an inbox payload, or null when the payload is not a delivery sealed with this
     * region's secret (unsealed, another version, truncated, or a tag that does not match).
     */
    public byte[] open(byte[] payload) {
        if (payload == null || payload.length < 1 + TAG_BYTES || payload[0] != VERSION) {
            return null;
        }
        byte[] expected = tag(payload, 1 + TAG_BYTES, payload.length - 1 - TAG_BYTES);
        // Constant time: how much of a guessed tag matched must not show in how long the check took.
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(payload, 1, 1 + TAG_BYTES))) {
            return null;
        }
        return Arrays.copyOfRange(payload, 1 + TAG_BYTES, payload.length);
    }

    private byte[] tag(byte[] bytes, int offset, int length) {
        Mac mac = macs.get();
        mac.update(LABEL);
        mac.update(VERSION);
        mac.update(bytes, offset, length);
        return mac.doFinal();
    }
}
