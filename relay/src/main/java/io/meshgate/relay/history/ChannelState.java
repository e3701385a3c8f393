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

    /** A retention floor that keeps nothing beyond {@link HistoryLimits#maxMessages()}. */
    public static final long NO_RETENTION_FLOOR = Long.MAX_VALUE;
    /**
     * Not a floor: the caller does not know one yet (a new mesh leader that has not heard from every region with
     * interest), so the floor this state already holds stays as it is. The state lives in the channel's Hazelcast
     * entry and its backup, so what a lagging region needs outlives the leader that learned it.
     */
    public static final long KEEP_RETENTION_FLOOR = -1;

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
    /**
     * The sequencer generation whose messages this region holds: 0 before any, then the term of the home that
     * sequenced the latest of them. A region that becomes home takes a term above every fence it reconciled with.
     */
    private long term;
    /** The highest term this region promised a reconciling home: deliveries of a lower term are refused. */
    private long fence;
    /** The region that owns {@link #term} as home; null when this region never reconciled the channel. */
    private String owner;
    /** The region {@link #fence} was promised to; null when it was learnt from a refusal or a delivery. */
    private String fencedBy;
    /**
     * At the home: the highest seq every peer region with interest has stored (the lowest of their stored-through
     * marks, as the mesh leader's retention floors know them); messages above it are kept beyond
     * {@link HistoryLimits#maxMessages()} up to {@link HistoryLimits#maxRetainedMessages()}, so a region that fell
     * behind can still fetch them. {@link #NO_RETENTION_FLOOR} when no region lags, and at every replica. Set with
     * each sequencing step, so it is as fresh as the channel's last publish.
     */
    private long retentionFloor = NO_RETENTION_FLOOR;
    /**
     * When a sweep first found this channel empty but reconciled (see {@link #sweepEmptyReconciled}), by the owner's
     * clock, with the term, fence and owner it had then; {@link #NOT_MARKED} otherwise.
     */
    private long emptySinceMs = NOT_MARKED;
    private long emptyTerm;
    private long emptyFence;
    private String emptyOwner;
    private static final long NOT_MARKED = -1;

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

    public long term() {
        return term;
    }

    public long fence() {
        return fence;
    }

    /** True when {@code region} may sequence: it reconciled the channel and no newer home fenced it since. */
    boolean ownedBy(String region) {
        return term > 0 && fence == term && region.equals(owner);
    }

    /**
     * Promises {@code region} to refuse every term below {@code newFence}. False, and nothing changes, when this
     * region promised as much or more already: two homes never get the same term, not even two lives of one region
     * (a region restarted from empty state must not continue a term its previous life may have used).
     */
    boolean promiseFence(long newFence, String region) {
        if (newFence <= fence) {
            return false;
        }
        fence = newFence;
        fencedBy = region;
        return true;
    }

    /** True while this region's fence is the promise made to {@code region} at {@code atTerm}. */
    boolean promisedTo(String region, long atTerm) {
        return fence == atTerm && region.equals(fencedBy);
    }

    /** Another region refused this one's delivery with its fence: a newer home exists; stop sequencing here. */
    void learnFence(long refusedAt) {
        if (refusedAt > fence) {
            fence = refusedAt;
            fencedBy = null;
        }
    }

    /**
     * Before storing messages of a home of term {@code deliveredTerm}: false when the region is fenced above it (a
     * newer home exists). A newer term than held ends this region's own undurable tail: it was never acked or
     * delivered, and the newer home's log, not it, holds whatever comes at those seqs.
     */
    boolean acceptTerm(long deliveredTerm) {
        if (deliveredTerm < fence) {
            return false;
        }
        if (deliveredTerm > term) {
            dropUndurableTail();
            // Another region is home now: what lagging regions need is its concern, not this replica's.
            retentionFloor = NO_RETENTION_FLOOR;
            term = deliveredTerm;
            owner = null;
            if (deliveredTerm > fence) {
                fence = deliveredTerm;
                fencedBy = null;
            }
        }
        return true;
    }

    private void dropUndurableTail() {
        while (!history.isEmpty() && history.peekLast().seq() > durable) {
            Message dropped = history.removeLast();
            historyBytes -= dropped.weightBytes();
            DedupEntry entry = recentIds.get(dropped.id());
            if (entry != null && entry.seq() == dropped.seq()) {
                recentIds.remove(dropped.id());
            }
        }
        head = durable;
    }

    /**
     * Becomes the channel's home at {@code newTerm} with the reconciled log: {@code tail} (contiguous, may be empty)
     * ends at {@code newHead}; messages up to {@code durableThrough} are known to be in two regions. This region's
     * own history below the tail is kept where it is durable and joins the tail; dedup keeps ids of what was durable
     * here and learns the tail's. Returns the messages readers here had not seen (above the old durable mark, up
     * to the new one), in seq order.
     */
    List<Message> adopt(long newTerm, String newOwner, String newEpoch, List<Message> tail, long newHead,
                        long durableThrough, List<SeenId> seenElsewhere, HistoryLimits limits, long now) {
        long seenHere = durable;
        long firstOfTail = tail.isEmpty() ? newHead + 1 : tail.get(0).seq();
        ArrayDeque<Message> kept = new ArrayDeque<>();
        for (Message m : history) {
            if (m.seq() < firstOfTail && m.seq() <= durable) {
                kept.addLast(m);
            }
        }
        if (!kept.isEmpty() && kept.peekLast().seq() != firstOfTail - 1) {
            kept.clear();
        }
        recentIds.values().removeIf(entry -> entry.seq() > seenHere);
        history.clear();
        historyBytes = 0;
        for (Message m : kept) {
            history.addLast(m);
            historyBytes += m.weightBytes();
        }
        head = kept.isEmpty() ? firstOfTail - 1 : kept.peekLast().seq();
        durable = head;
        for (Message m : tail) {
            append(m, limits, now, m.seq() <= durableThrough);
        }
        if (head < newHead) {
            // Nobody holds the messages up to the head any more (history limits): readers get them as a gap.
            resetTo(newHead);
        }
        durable = Math.min(head, Math.max(durable, durableThrough));
        term = newTerm;
        fence = newTerm;
        owner = newOwner;
        epoch = newEpoch;
        learnIds(seenElsewhere, limits, now);
        return messagesBetween(seenHere, durable);
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

    /**
     * True when dropping this state loses nothing: no member has subscribers, nothing was ever sequenced here (so no
     * head, history or id to keep; a later subscribe or publish recreates exactly this), and no term or fence was
     * promised in a reconciliation. A channel that ever had a message keeps its head for good: recreated, it would
     * reuse seqs. See {@link EvictIdleProcessor}.
     */
    boolean isIdle() {
        return routes.isEmpty() && head == 0 && history.isEmpty() && recentIds.isEmpty() && term == 0 && fence == 0
                && owner == null;
    }

    /** What a sweep makes of a channel that never had a message but holds a reconciliation's term or fence. */
    enum EmptySweep {
        /** Not such a channel, or not for long enough: nothing changes. */
        KEEP,
        /** Such a channel since now (or its term, fence or owner changed): the time is recorded. */
        MARKED,
        /** Such a channel, unchanged, for at least the minimum age: drop it. */
        EVICT
    }

    /**
     * The sweep's verdict on a channel that never had a message, has no subscribers and holds only what a
     * reconciliation left (its term, fence or owner): in a mesh every channel subscribed to gets those, so without
     * this a client cycling through channel names would fill {@code history.maxChannels} for good. Such state is
     * dropped once it has stayed so, term, fence and owner unchanged, for {@code minAgeMs} (a few sweeps): longer
     * than any request of a deposed home can still be in flight, so the fence it held no longer has anything to
     * refuse. The channel then starts over as if never used: a publish makes its home reconcile again, at a term
     * above whatever the other regions still remember. A channel that ever had a message keeps its head for good.
     */
    EmptySweep sweepEmptyReconciled(long now, long minAgeMs) {
        boolean empty = routes.isEmpty() && head == 0 && history.isEmpty() && recentIds.isEmpty();
        if (!empty) {
            if (emptySinceMs == NOT_MARKED) {
                return EmptySweep.KEEP;
            }
            emptySinceMs = NOT_MARKED;
            return EmptySweep.MARKED;
        }
        if (emptySinceMs == NOT_MARKED || emptyTerm != term || emptyFence != fence
                || !java.util.Objects.equals(emptyOwner, owner)) {
            emptySinceMs = now;
            emptyTerm = term;
            emptyFence = fence;
            emptyOwner = owner;
            return EmptySweep.MARKED;
        }
        return now - emptySinceMs >= minAgeMs ? EmptySweep.EVICT : EmptySweep.KEEP;
    }

    /** The position an id was sequenced at, if it is still remembered. */
    Position positionOf(String id) {
        DedupEntry entry = recentIds.get(id);
        return entry == null ? null : new Position(entry.epoch(), entry.seq());
    }

    /** The {@code max} most recently sequenced ids this region remembers, oldest first. */
    List<SeenId> recentIds(int max) {
        List<SeenId> out = new ArrayList<>(Math.min(max, recentIds.size()));
        int skip = Math.max(0, recentIds.size() - max);
        for (Map.Entry<String, DedupEntry> e : recentIds.entrySet()) {
            if (skip > 0) {
                skip--;
                continue;
            }
            DedupEntry d = e.getValue();
            out.add(new SeenId(e.getKey(), d.epoch(), d.seq(), d.ts()));
        }
        return out;
    }

    /**
     * Learns ids other regions sequenced (see {@link #adopt}): an id already known keeps its position; ids of seqs
     * above the head are ignored (never acked). Bounded like every id by {@link HistoryLimits#maxDedupIds()}.
     */
    void learnIds(List<SeenId> ids, HistoryLimits limits, long now) {
        for (SeenId seen : ids) {
            if (seen.seq() <= head && seen.seq() > 0) {
                recentIds.putIfAbsent(seen.id(), new DedupEntry(seen.epoch(), seen.seq(), seen.ts()));
            }
        }
        trim(limits, now);
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

    public long retentionFloor() {
        return retentionFloor;
    }

    /**
     * Sets the retention floor (see {@link #retentionFloor}); the next trim applies it. A floor below what history
     * still holds keeps nothing back that is gone already. {@link #KEEP_RETENTION_FLOOR} changes nothing.
     */
    void retentionFloor(long floor) {
        if (floor != KEEP_RETENTION_FLOOR) {
            this.retentionFloor = floor;
        }
    }

    /** Appends the next message as durable; the caller assigned {@code head + 1}. */
    void append(Message message, HistoryLimits limits, long now) {
        append(message, limits, now, true);
    }

    /**
     * Appends the next message; when not {@code durable}, it waits for {@link #markDurable} before readers see it.
     * Returns how many messages above the retention floor the trim that follows dropped because history reached a
     * hard bound ({@link HistoryLimits#maxRetainedMessages()} or {@link HistoryLimits#maxBytes()}): messages a
     * lagging region still needed, counted by the caller as retention overflow.
     */
    int append(Message message, HistoryLimits limits, long now, boolean durable) {
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
        int overflow = trimHistory(limits, now);
        trimIds(limits, now);
        return overflow;
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
        int before = history.size();
        trimHistory(limits, now);
        return trimIds(limits, now) | history.size() != before;
    }

    /**
     * Drops the oldest messages while any bound bites: age ({@code ttlMs}), bytes ({@code maxBytes}) and count.
     * The count bound is {@code maxMessages}, stretched to {@code maxRetainedMessages} while the oldest held message
     * is above the retention floor (a lagging region still needs it; history is contiguous, so then every later one
     * is too). Returns how many messages above the floor were dropped by a hard bound (bytes, or the stretched
     * count); messages that aged out are not counted: the floor never keeps a message past {@code ttlMs}.
     */
    private int trimHistory(HistoryLimits limits, long now) {
        int overflow = 0;
        long oldestKept = now - limits.ttlMs();
        while (!history.isEmpty()) {
            Message oldest = history.peekFirst();
            boolean expired = oldest.ts() < oldestKept;
            boolean needed = oldest.seq() > retentionFloor;
            int countBound = needed ? limits.maxRetainedMessages() : limits.maxMessages();
            boolean overBound = history.size() > countBound || historyBytes > limits.maxBytes();
            if (!expired && !overBound) {
                break;
            }
            historyBytes -= history.removeFirst().weightBytes();
            if (needed && !expired) {
                overflow++;
            }
        }
        return overflow;
    }

    /** Forgets ids past the dedup window whose message left history, and the oldest beyond {@code maxDedupIds}. */
    private boolean trimIds(HistoryLimits limits, long now) {
        boolean changed = false;
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
        return new Range(epoch, limit, out, gapFrom, gapTo, term, fence == term ? owner : null);
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
