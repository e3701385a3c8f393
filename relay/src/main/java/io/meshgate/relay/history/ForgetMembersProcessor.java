package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Removes the routes of members that left the region, and trims expired history while it is there, so quiet
 * channels give their memory back. Idempotent, so running it on owner and backup alike is safe.
 */
final class ForgetMembersProcessor implements EntryProcessor<String, ChannelState, Boolean> {
    private static final long serialVersionUID = 1L;

    private final Set<UUID> gone;
    private final HistoryLimits limits;
    private final long now;

    ForgetMembersProcessor(Set<UUID> gone, HistoryLimits limits, long now) {
        this.gone = Set.copyOf(gone);
        this.limits = limits;
        this.now = now;
    }

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            return false;
        }
        boolean changed = state.removeRoutes(gone) | state.trim(limits, now);
        if (changed) {
            entry.setValue(state);
        }
        return changed;
    }
}
