package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;
import java.util.UUID;

/** Mirrors a route change on a backup replica. */
final class RouteBackupProcessor<R> implements EntryProcessor<String, ChannelState, R> {
    private static final long serialVersionUID = 1L;

    private final UUID member;
    private final boolean add;
    private final String epochIfNew;

    RouteBackupProcessor(UUID member, boolean add, String epochIfNew) {
        this.member = member;
        this.add = add;
        this.epochIfNew = epochIfNew;
    }

    @Override
    public R process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            if (!add) {
                return null;
            }
            state = new ChannelState(epochIfNew);
        }
        if (add) {
            state.addRoute(member);
        } else {
            state.removeRoute(member);
        }
        entry.setValue(!add && state.isIdle() ? null : state);
        return null;
    }

    @Override
    public EntryProcessor<String, ChannelState, R> getBackupProcessor() {
        return null;
    }
}
