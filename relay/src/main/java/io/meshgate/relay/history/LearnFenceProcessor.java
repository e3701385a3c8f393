package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/** Records a fence another region refused a delivery with (see {@link ChannelState#learnFence}). */
final class LearnFenceProcessor implements EntryProcessor<String, ChannelState, Boolean> {
    private static final long serialVersionUID = 1L;

    private final long fence;

    LearnFenceProcessor(long fence) {
        this.fence = fence;
    }

    @Override
    public Boolean process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null || state.fence() >= fence) {
            return false;
        }
        state.learnFence(fence);
        entry.setValue(state);
        return true;
    }

    @Override
    public EntryProcessor<String, ChannelState, Boolean> getBackupProcessor() {
        return this;
    }
}
