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

    private final String epoch;
    private long head;
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

    /** Appends the next message; the caller assigned {@code head + 1}. */
    void append(Message message, HistoryLimits limits, long now) {
        if (message.seq() != head + 1) {
            throw new IllegalStateException("seq " + message.seq() + " does not follow head " + head);
        }
        head = message.seq();
        history.addLast(message);
        historyBytes += message.weightBytes();
        recentIds.put(message.id(), new DedupEntry(message.epoch(), message.seq(), message.ts()));
        trim(limits, now);
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
        List<Message> out = new ArrayList<>();
        long oldestKept = now - ttlMs;
        long firstHeld = 0;
        for (Message m : history) {
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
        if (wanted <= head) {
            long firstAvailable = firstHeld == 0 ? head + 1 : firstHeld;
            if (firstAvailable > wanted) {
                gapFrom = wanted;
                gapTo = firstAvailable - 1;
            }
        }
        return new Range(epoch, head, out, gapFrom, gapTo);
    }

    int historySize() {
        return history.size();
    }
}
