package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/** Reads whether a channel has any route; changes nothing, so it needs no backup step. */
final class HasRoutesProcessor implements EntryProcessor<String, ChannelState, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        return state != null && !state.routes().isEmpty();
    }

    @Override
    public EntryProcessor<String, ChannelState, Boolean> getBackupProcessor() {
        return null;
    }
}
