package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;

import java.time.Clock;
import java.util.Map;

/**
 * Removes channel state that holds nothing worth keeping: at once when {@link ChannelState#isIdle} (channels
 * subscribed and left without ever a message, e.g. by a client cycling through channel names), and after
 * {@code emptyMinAgeMs} when all it holds is what a reconciliation left ({@link ChannelState#sweepEmptyReconciled}:
 * the first sweep marks it, a later one drops it). The owner decides by its clock (the member's, see
 * {@link HistoryClock}); the same object, carrying the owner's time, runs as the backup processor, so owner and backup
 * agree. Returns whether it removed the entry.
 */
final class EvictIdleProcessor implements EntryProcessor<String, ChannelState, Boolean>, HazelcastInstanceAware {
    private static final long serialVersionUID = 2L;
    private static final long UNSET = Long.MIN_VALUE;

    private final long emptyMinAgeMs;
    /** The owner's time, set on the owner and shipped with this object to the backup. */
    private long now = UNSET;
    private transient Clock clock;

    EvictIdleProcessor(long emptyMinAgeMs) {
        this.emptyMinAgeMs = emptyMinAgeMs;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.clock = HistoryClock.of(member);
    }

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        if (now == UNSET) {
            now = clock.millis();
        }
        ChannelState state = entry.getValue();
        if (state == null) {
            return false;
        }
        if (state.isIdle()) {
            entry.setValue(null);
            return true;
        }
        switch (state.sweepEmptyReconciled(now, emptyMinAgeMs)) {
            case EVICT -> {
                entry.setValue(null);
                return true;
            }
            case MARKED -> {
                entry.setValue(state);
                return false;
            }
            default -> {
                return false;
            }
        }
    }
}
