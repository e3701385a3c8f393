package io.meshgate.relay.channel;

import java.io.Serializable;

/**
 * A sequenced message. Every field is final once the sequencer assigned it: the same object is stored in history,
 * fanned out to nodes and written to every subscriber.
 *
 * @param dataJson the message's data as compact JSON text, exactly as it goes on the wire
 * @param ts       milliseconds since the Unix epoch when the message was sequenced
 */
public record Message(String channel, String epoch, long seq, String id, String dataJson, long ts)
        implements Serializable {

    /** Approximate heap cost, used to bound history by bytes. Strings are counted at two bytes a char. */
    public long weightBytes() {
        return 64L + 2L * (channel.length() + epoch.length() + id.length() + dataJson.length());
    }

    public Position position() {
        return new Position(epoch, seq);
    }
}
