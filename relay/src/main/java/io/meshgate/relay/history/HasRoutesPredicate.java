package io.meshgate.relay.history;

import com.hazelcast.query.Predicate;

import java.util.Map;

/** Channels with at least one route: what a region tells other regions it is interested in. */
final class HasRoutesPredicate implements Predicate<String, ChannelState> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        return state != null && !state.routes().isEmpty();
    }
}
