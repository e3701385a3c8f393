package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * Removes channel state that holds nothing worth keeping ({@link ChannelState#isIdle}): channels subscribed and left
 * without ever a message, e.g. by a client cycling through channel names. Deterministic on the state it sees, so
 * it runs as its own backup processor and owner and backup agree. Returns whether it removed the entry.
 */
final class EvictIdleProcessor implements EntryProcessor<String, ChannelState, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null || !state.isIdle()) {
            return false;
        }
        entry.setValue(null);
        return true;
    }
}
