package io.meshgate.edge.delivery;

import io.meshgate.edge.protocol.EncodedMessage;
import io.meshgate.relay.channel.Message;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes messages into their shared frames, once per node: live fan-out encodes each message once for all its
 * subscribers, and the most recently encoded frames are kept so that catch-up pages and long-poll answers, which
 * read the same messages again from history, reuse them instead of encoding per reader.
 *
 * <p>Bound: at most {@code maxBytes} of frames are kept (least recently used leave first); a frame that is still
 * queued for a socket stays alive through that queue only. Threads: any; one lock around the map, held for a lookup
 * or an insert, never while encoding.
 */
public final class MessageFrames {
    private record Key(String channel, String epoch, long seq, String id) {
    }

    private final long maxBytes;
    private final Counter encoded;
    private final Map<Key, EncodedMessage> recent = new LinkedHashMap<>(256, 0.75f, true);
    private long bytes;

    public MessageFrames(long maxBytes, MeterRegistry meters) {
        this.maxBytes = maxBytes;
        this.encoded = meters.counter("meshgate.delivery.frames_encoded");
    }

    /** The shared frame of {@code m}, encoded now only if this node has not kept it. */
    public EncodedMessage of(Message m) {
        Key key = new Key(m.channel(), m.epoch(), m.seq(), m.id());
        synchronized (recent) {
            EncodedMessage kept = recent.get(key);
            if (kept != null) {
                return kept;
            }
        }
        EncodedMessage fresh = EncodedMessage.of(m);
        encoded.increment();
        synchronized (recent) {
            EncodedMessage raced = recent.putIfAbsent(key, fresh);
            if (raced != null) {
                return raced;
            }
            bytes += fresh.frameBytes();
            var it = recent.values().iterator();
            while (bytes > maxBytes && it.hasNext()) {
                bytes -= it.next().frameBytes();
                it.remove();
            }
        }
        return fresh;
    }

    public List<EncodedMessage> of(List<Message> messages) {
        return messages.stream().map(this::of).toList();
    }
}
