package io.meshgate.relay.channel;

import java.io.Serializable;
import java.util.Objects;

/**
 * A sequenced message. Every field is final once the sequencer assigned it: the same object is stored in history,
 * fanned out to nodes and written to every subscriber.
 *
 * @param dataJson the message's data as compact JSON text, exactly as it goes on the wire
 * @param ts       milliseconds since the Unix epoch when the message was sequenced
 * @param seal     the region's HMAC over the other fields (see {@code io.meshgate.relay.history.StoreSeal}), set on a
 *                 message as it is stored in the region's history and checked when history is read; null on a
 *                 message that was never stored in this region (decoded from a delivery or another region's
 *                 reply). Never sent to clients, nodes or regions: it is this region's own attestation
 */
public record Message(String channel, String epoch, long seq, String id, String dataJson, long ts, byte[] seal)
        implements Serializable {

    /** An unsealed message. */
    public Message(String channel, String epoch, long seq, String id, String dataJson, long ts) {
        this(channel, epoch, seq, id, dataJson, ts, null);
    }

    /** The same message carrying {@code seal}. */
    public Message withSeal(byte[] seal) {
        return new Message(channel, epoch, seq, id, dataJson, ts, seal);
    }

    /**
     * Approximate heap cost, used to bound history by bytes. Strings are counted at two bytes a char; a seal at its
     * length plus an array header (48 bytes for HMAC-SHA256), so {@code history.maxBytes} counts it.
     */
    public long weightBytes() {
        return 64L + 2L * (channel.length() + epoch.length() + id.length() + dataJson.length())
                + (seal == null ? 0 : 16L + seal.length);
    }

    public Position position() {
        return new Position(epoch, seq);
    }

    /**
     * Equal when what a subscriber sees is equal; the seal is left out: it is a function of those fields and the
     * region's key, so a message read back from history equals the one that was sequenced, sealed or not.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Message that && seq == that.seq && ts == that.ts
                && Objects.equals(channel, that.channel) && Objects.equals(epoch, that.epoch)
                && Objects.equals(id, that.id) && Objects.equals(dataJson, that.dataJson);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channel, epoch, seq, id, dataJson, ts);
    }

    /** Without the seal, which would print as an array reference. */
    @Override
    public String toString() {
        return "Message[channel=" + channel + ", epoch=" + epoch + ", seq=" + seq + ", id=" + id + ", dataJson="
                + dataJson + ", ts=" + ts + (seal == null ? "" : ", sealed") + "]";
    }
}
