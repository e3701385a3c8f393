package io.meshgate.relay.history;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Everything the region knows about one channel: its sequencer (epoch, head), its history, the ids it has seen and
 * the members of the region that have subscribers. Only ever touched by entry processors on the partition thread
 * that owns the key (or its backup), so it needs no locks.
 */
public final class ChannelState implements Serializable {
    private static final long serialVersionUID = 1L;

    private String epoch;
    private long head;
    /**
     * The highest seq that may be delivered and acked: with {@code durability: region} the home holds messages above
     * it until another region has stored them. Equal to {@code head} everywhere else.
     */
    private long durable;
    private final ArrayDeque<Message> history = new ArrayDeque<>();
    private long historyBytes;
    /** id → position, oldest first; outlives history for the dedup window. */
    private final LinkedHashMap<String, DedupEntry> recentIds = new LinkedHashMap<>();
    private final Set<UUID> routes = new HashSet<>();

    record DedupEntry(String epoch, long seq, long ts) implements Serializable {
    }

    public ChannelState(String epoch) {
        this.epoch = epoch;
    }

    public String epoch() {
        return epoch;
    }

    public long head() {
        return head;
    }

    public long durable() {
        return durable;
    }

    /** A replica takes the epoch of the home's messages; the epoch is the home's, not this region's. */
    void adoptEpoch(String homeEpoch) {
        this.epoch = homeEpoch;
    }

    public Set<UUID> routes() {
        return Collections.unmodifiableSet(routes);
    }

    boolean addRoute(UUID member) {
        return routes.add(member);
    }

    boolean removeRoute(UUID member) {
        return routes.remove(member);
    }

    boolean removeRoutes(Set<UUID> members) {
        return routes.removeAll(members);
    }

    /** The position an id was sequenced at, if it is still remembered. */
    Position positionOf(String id) {
        DedupEntry entry = recentIds.get(id);
        return entry == null ? null : new Position(entry.epoch(), entry.seq());
    }

    /** The stored message with this seq, if history still holds it. */
    Message messageAt(long seq) {
        Message first = history.peekFirst();
        if (first == null || seq < first.seq() || seq > head) {
            return null;
        }
        // History is contiguous, so the offset from the first held seq is the index.
        long offset = seq - first.seq();
        if (offset < history.size() / 2) {
            Iterator<Message> it = history.iterator();
            for (long i = 0; i < offset; i++) {
                it.next();
            }
            return it.next();
        }
        Iterator<Message> it = history.descendingIterator();
        for (long i = head - seq; i > 0; i--) {
            it.next();
        }
        return it.next();
    }

    /** Appends the next message as durable; the caller assigned {@code head + 1}. */
    void append(Message message, HistoryLimits limits, long now) {
        append(message, limits, now, true);
    }

    /** Appends the next message; when not {@code durable}, it waits for {@link #markDurable} before readers see it. */
    void append(Message message, HistoryLimits limits, long now, boolean durable) {
        if (message.seq() != head + 1) {
            throw new IllegalStateException("seq " + message.seq() + " does not follow head " + head);
        }
        head = message.seq();
        history.addLast(message);
        historyBytes += message.weightBytes();
        recentIds.put(message.id(), new DedupEntry(message.epoch(), message.seq(), message.ts()));
        if (durable) {
            this.durable = head;
        }
        trim(limits, now);
    }

    /** Raises the durable mark to {@code seq} (never past the head, never down); returns the previous mark. */
    long markDurable(long seq) {
        long before = durable;
        durable = Math.max(durable, Math.min(seq, head));
        return before;
    }

    /**
     * A replica that cannot continue contiguously (it was not told of messages up to {@code seq}) starts over after
     * {@code seq}: readers of older seqs get a gap here and are served from the home instead.
     */
    void resetTo(long seq) {
        while (!history.isEmpty()) {
            historyBytes -= history.removeFirst().weightBytes();
        }
        head = seq;
        durable = seq;
    }

    /** Drops what the limits no longer allow. Returns true when anything was dropped. */
    boolean trim(HistoryLimits limits, long now) {
        boolean changed = false;
        long oldestKept = now - limits.ttlMs();
        while (!history.isEmpty() && (history.size() > limits.maxMessages() || historyBytes > limits.maxBytes()
                || history.peekFirst().ts() < oldestKept)) {
            historyBytes -= history.removeFirst().weightBytes();
            changed = true;
        }
        long oldestId = now - limits.dedupWindowMs();
        Iterator<Map.Entry<String, DedupEntry>> ids = recentIds.entrySet().iterator();
        while (ids.hasNext()) {
            Map.Entry<String, DedupEntry> oldest = ids.next();
            boolean expired = oldest.getValue().ts() < oldestId && heldSeqAbove(oldest.getValue().seq());
            if (!expired && recentIds.size() <= limits.maxDedupIds()) {
                break;
            }
            ids.remove();
            changed = true;
        }
        return changed;
    }

    /** True when history no longer holds this seq, so forgetting its id cannot break G4 "while history holds it". */
    private boolean heldSeqAbove(long seq) {
        Message first = history.peekFirst();
        return first == null || first.seq() > seq;
    }

    /**
     * The messages after {@code afterSeq}, at most {@code max}, contiguous, skipping ones older than the TTL that a
     * trim has not removed yet. When history no longer starts right after {@code afterSeq}, the result names the gap.
     */
    Range read(long afterSeq, int max, long ttlMs, long now) {
        return read(afterSeq, max, ttlMs, now, false);
    }

    /** Like {@link #read(long, int, long, long)}; {@code raw} also returns messages not yet durable. */
    Range read(long afterSeq, int max, long ttlMs, long now, boolean raw) {
        long limit = raw ? head : durable;
        List<Message> out = new ArrayList<>();
        long oldestKept = now - ttlMs;
        long firstHeld = 0;
        for (Message m : history) {
            if (m.seq() > limit) {
                break;
            }
            if (m.seq() <= afterSeq || m.ts() < oldestKept) {
                continue;
            }
            if (firstHeld == 0) {
                firstHeld = m.seq();
            }
            if (out.size() >= max) {
                break;
            }
            out.add(m);
        }
        long wanted = afterSeq + 1;
        long gapFrom = 0;
        long gapTo = 0;
        if (wanted <= limit) {
            long firstAvailable = firstHeld == 0 ? limit + 1 : firstHeld;
            if (firstAvailable > wanted) {
                gapFrom = wanted;
                gapTo = firstAvailable - 1;
            }
        }
        return new Range(epoch, limit, out, gapFrom, gapTo);
    }

    /** Held messages with {@code after < seq <= upTo}, in order. */
    List<Message> messagesBetween(long after, long upTo) {
        List<Message> out = new ArrayList<>();
        for (Message m : history) {
            if (m.seq() > upTo) {
                break;
            }
            if (m.seq() > after) {
                out.add(m);
            }
        }
        return out;
    }

    int historySize() {
        return history.size();
    }
}
