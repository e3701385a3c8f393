package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Stores messages sequenced by the channel's home region in this region's replica, keeping history contiguous:
 * seqs already held are skipped, the next seq is appended, and a message beyond the next one stops the step
 * (reported as a hole) unless {@code resetIfHole}, when the replica starts over just before it. Stored here, a
 * message is durable: it is in two regions. The trim that follows tells time by the owner's member clock
 * ({@link HistoryClock}); the backup trims with the owner's {@code now}.
 */
final class ReplicateProcessor implements EntryProcessor<String, ChannelState, ReplicaResult>,
        HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;

    private final List<Message> messages;
    private final boolean resetIfHole;
    private final HistoryLimits limits;
    private final long term;

    private transient List<Message> appended;
    private transient long resetTo = -1;
    private transient boolean created;
    private transient boolean termChanged;
    private transient long now;
    private transient Clock clock;

    /** @param term the term of the home that sequenced the messages (see {@link ChannelState#acceptTerm}) */
    ReplicateProcessor(List<Message> messages, boolean resetIfHole, HistoryLimits limits, long term) {
        this.messages = List.copyOf(messages);
        this.resetIfHole = resetIfHole;
        this.limits = limits;
        this.term = term;
    }

    /** On the partition owner, before {@link #process}: the member whose clock the trim tells time by. */
    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.clock = HistoryClock.of(member);
    }

    @Override
    public ReplicaResult process(Map.Entry<String, ChannelState> entry) {
        now = clock.millis();
        ChannelState state = entry.getValue();
        if (state == null) {
            if (messages.isEmpty()) {
                return new ReplicaResult("", 0, List.of(), Set.of(), ReplicaResult.NO_HOLE, 0);
            }
            state = new ChannelState(messages.get(0).epoch());
            created = true;
        }
        long termBefore = state.term();
        if (!state.acceptTerm(term)) {
            appended = List.of();
            return new ReplicaResult(state.epoch(), state.head(), List.of(), Set.of(), ReplicaResult.NO_HOLE,
                    state.fence());
        }
        termChanged = state.term() != termBefore;
        appended = new ArrayList<>(messages.size());
        long missingAfter = ReplicaResult.NO_HOLE;
        for (Message m : messages) {
            if (m.seq() <= state.head()) {
                continue;
            }
            if (m.seq() != state.head() + 1) {
                if (!resetIfHole || !appended.isEmpty() || resetTo >= 0) {
                    missingAfter = state.head();
                    break;
                }
                resetTo = m.seq() - 1;
                state.resetTo(resetTo);
            }
            state.adoptEpoch(m.epoch());
            state.append(m, limits, now);
            appended.add(m);
        }
        if (created || termChanged || !appended.isEmpty() || resetTo >= 0) {
            entry.setValue(state);
        }
        return new ReplicaResult(state.epoch(), state.head(), List.copyOf(appended), Set.copyOf(state.routes()),
                missingAfter, 0);
    }

    @Override
    public EntryProcessor<String, ChannelState, ReplicaResult> getBackupProcessor() {
        if (appended == null || (appended.isEmpty() && resetTo < 0 && !created && !termChanged)) {
            return new BarrierBackupProcessor<>();
        }
        return new ReplicaBackupProcessor(resetTo, appended, limits, now, term);
    }

    /** Applies on the backup exactly what the owner did, with the owner's clock. */
    private static final class ReplicaBackupProcessor implements EntryProcessor<String, ChannelState, ReplicaResult> {
        private static final long serialVersionUID = 1L;

        private final long resetTo;
        private final List<Message> appended;
        private final HistoryLimits limits;
        private final long ownerNow;
        private final long term;

        ReplicaBackupProcessor(long resetTo, List<Message> appended, HistoryLimits limits, long ownerNow, long term) {
            this.term = term;
            this.resetTo = resetTo;
            this.appended = List.copyOf(appended);
            this.limits = limits;
            this.ownerNow = ownerNow;
        }

        @Override
        public ReplicaResult process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state == null) {
                state = new ChannelState(appended.isEmpty() ? "" : appended.get(0).epoch());
            }
            state.acceptTerm(term);
            if (resetTo >= 0 && state.head() < resetTo) {
                state.resetTo(resetTo);
            }
            for (Message m : appended) {
                if (m.seq() == state.head() + 1) {
                    state.adoptEpoch(m.epoch());
                    state.append(m, limits, ownerNow);
                }
            }
            entry.setValue(state);
            return null;
        }

        @Override
        public EntryProcessor<String, ChannelState, ReplicaResult> getBackupProcessor() {
            return null;
        }
    }
}
