package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/** Reads whether the region holds state for a channel; changes nothing, so it needs no backup step. */
final class ExistsProcessor implements EntryProcessor<String, ChannelState, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        return entry.getValue() != null;
    }

    @Override
    public EntryProcessor<String, ChannelState, Boolean> getBackupProcessor() {
        return null;
    }
}
