package io.meshgate.relay.region;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.time.Clock;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Which member of the region is its mesh leader: a record (member, term) in one Hazelcast map entry, changed only by
 * compare-and-set ({@code putIfAbsent}, {@code replace(key, old, new)}), so two members never both win the same term.
 * No CP subsystem is needed: a region is one cluster, and a split cluster already has two leaders whatever holds
 * the record.
 *
 * <p>Who holds it: when nobody does, or the holder left the cluster, the region's oldest member claims it (so a
 * region's first leader is its oldest member, as before). A leader that drains hands it over first to the next
 * oldest member ({@link #handOver}), which starts its links while the old leader still runs: the region's peers never
 * wait for the old member's cluster leave and an election before they see the new leader (issue 12, item 3).
 *
 * <p>Threads: {@link #claimIfVacant} and {@link #handOver} block on Hazelcast and run on the caller's thread (the
 * mesh's worker, a drain); {@link #leader} and {@link #isMine} read a cached copy and are safe on any thread, I/O
 * threads included; change listeners run on a Hazelcast event thread and must hand heavy work off.
 */
public final class RegionLeadership implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionLeadership.class);
    static final String MAP_NAME = "meshgate.leadership";
    private static final String KEY = "mesh";
    /** The term whose holder has started leading (its mesh leader runs and takes links). */
    private static final String LEADING_KEY = "mesh.leading";

    /** The leader and the term it was given; every change of leader raises the term. */
    public record Holder(UUID member, long term) implements Serializable {
    }

    private final RegionMember region;
    private final Clock clock;
    private final IMap<String, Holder> map;
    private final CopyOnWriteArrayList<Consumer<Holder>> listeners = new CopyOnWriteArrayList<>();
    private final UUID listenerId;
    private volatile Holder current;

    /** @param clock what {@link #awaitSuccessorLeading}'s wait is measured with (the node's clock) */
    RegionLeadership(RegionMember region, Clock clock) {
        this.region = region;
        this.clock = clock;
        this.map = region.hazelcast().getMap(MAP_NAME);
        this.listenerId = map.addEntryListener(new Changes(), KEY, true);
        this.current = map.get(KEY);
    }

    /** Runs {@code action} with the new holder (null: none), on a Hazelcast event thread, whenever it changes. */
    public void onChange(Consumer<Holder> action) {
        listeners.add(action);
    }

    /**
     * Claims the leadership when nobody holds it or its holder is no longer a member, if this is the oldest member.
     * Returns true when this member holds it afterwards (claimed now or before).
     */
    public synchronized boolean claimIfVacant() {
        Holder held = map.get(KEY);
        remember(held);
        if (held != null && members().contains(held.member())) {
            return held.member().equals(region.memberId());
        }
        if (!region.isOldest()) {
            return false;
        }
        Holder mine = new Holder(region.memberId(), held == null ? 1 : held.term() + 1);
        // Repeated after a failure without a verdict, a CAS that did land reports "lost"; the re-read below then
        // finds this member holding the record, so the outcome is still right.
        boolean won = IdempotentWrite.call(
                () -> held == null ? map.putIfAbsent(KEY, mine) == null : map.replace(KEY, held, mine));
        if (won) {
            LOG.info("mesh leadership of the region claimed by member {} at term {} ({})", mine.member(),
                    mine.term(), held == null ? "nobody held it" : "its holder " + held.member() + " left");
            remember(mine);
            return true;
        }
        remember(map.get(KEY));
        return isMine();
    }

    /**
     * Gives the leadership to the region's next oldest member, when this member holds it and another member exists.
     * Returns that member, or null when nothing was handed over (not the holder, alone in the region, or the record
     * changed meanwhile).
     */
    public synchronized UUID handOver() {
        Holder held = map.get(KEY);
        remember(held);
        if (held == null || !held.member().equals(region.memberId())) {
            return null;
        }
        UUID successor = null;
        for (Member member : region.hazelcast().getCluster().getMembers()) {
            if (!member.localMember()) {
                successor = member.getUuid();
                break;
            }
        }
        if (successor == null) {
            return null;
        }
        Holder next = new Holder(successor, held.term() + 1);
        if (!map.replace(KEY, held, next)) {
            remember(map.get(KEY));
            return null;
        }
        LOG.info("mesh leadership of the region handed over by member {} to member {} at term {}", held.member(),
                successor, next.term());
        remember(next);
        return successor;
    }

    /**
     * This member, holding the leadership, now leads (its links are open to peers): a predecessor waiting in
     * {@link #awaitSuccessorLeading} may go. Blocks on Hazelcast; called once per leader start.
     */
    public void leading() {
        Holder held = current;
        if (held != null && held.member().equals(region.memberId())) {
            IdempotentWrite.run(() -> map.set(LEADING_KEY, held));
        }
    }

    /**
     * After {@link #handOver}: waits, at most {@code maxWaitMs}, until the holder of a term above {@code handedTerm
     * - 1} says it leads, so the peers told of the change by the old leader's goodbye find the new one taking links.
     * Returns false on timeout (the caller stops anyway: peers then wait for the successor, as after a crash).
     * Called on the stopping thread; polls the map every 20 ms of real time, {@code maxWaitMs} measured with the
     * injected clock.
     */
    public boolean awaitSuccessorLeading(long handedTerm, long maxWaitMs) {
        long deadline = clock.millis() + maxWaitMs;
        while (clock.millis() < deadline) {
            Holder leading = map.get(LEADING_KEY);
            if (leading != null && leading.term() >= handedTerm) {
                return true;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20));
        }
        return false;
    }

    /** The current term as last seen (0: none); never blocks. */
    public long term() {
        Holder held = current;
        return held == null ? 0 : held.term();
    }

    /** The current holder's member id as last seen (null: none known); never blocks. */
    public UUID leader() {
        Holder held = current;
        return held == null ? null : held.member();
    }

    /** True when this member holds the leadership as last seen; never blocks. */
    public boolean isMine() {
        Holder held = current;
        return held != null && held.member().equals(region.memberId());
    }

    private Set<UUID> members() {
        Set<UUID> ids = new HashSet<>();
        region.hazelcast().getCluster().getMembers().forEach(m -> ids.add(m.getUuid()));
        return ids;
    }

    /** Keeps the newest record seen: events and reads may arrive in either order, terms only grow. */
    private void remember(Holder seen) {
        synchronized (listeners) {
            Holder known = current;
            if (seen != null && (known == null || seen.term() >= known.term())) {
                current = seen;
            }
        }
    }

    @Override
    public void close() {
        try {
            if (region.isRunning()) {
                map.removeEntryListener(listenerId);
            }
        } catch (RuntimeException e) {
            LOG.debug("leadership listener not removed: {}", e.toString());
        }
    }

    private final class Changes implements EntryAddedListener<String, Holder>, EntryUpdatedListener<String, Holder>,
            EntryRemovedListener<String, Holder> {
        @Override
        public void entryAdded(EntryEvent<String, Holder> event) {
            changed(event.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<String, Holder> event) {
            changed(event.getValue());
        }

        @Override
        public void entryRemoved(EntryEvent<String, Holder> event) {
            changed(null);
        }

        private void changed(Holder holder) {
            remember(holder);
            Holder now = current;
            listeners.forEach(action -> action.accept(now));
        }
    }
}
