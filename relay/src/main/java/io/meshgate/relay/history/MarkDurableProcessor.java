package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Raises a channel's durable mark once another region has stored its messages up to a seq, and returns what that
 * made deliverable together with the routes to deliver it to, read in the same step.
 */
final class MarkDurableProcessor implements EntryProcessor<String, ChannelState, DurableResult> {
    private static final long serialVersionUID = 1L;

    private final long upTo;
    private transient boolean changed;

    MarkDurableProcessor(long upTo) {
        this.upTo = upTo;
    }

    @Override
    public DurableResult process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            return new DurableResult(0, List.of(), Set.of());
        }
        long before = state.markDurable(upTo);
        changed = state.durable() > before;
        if (changed) {
            entry.setValue(state);
        }
        return new DurableResult(state.durable(), state.messagesBetween(before, state.durable()),
                Set.copyOf(state.routes()));
    }

    @Override
    public EntryProcessor<String, ChannelState, DurableResult> getBackupProcessor() {
        return changed ? new MarkDurableBackupProcessor(upTo) : new BarrierBackupProcessor<>();
    }

    private static final class MarkDurableBackupProcessor implements EntryProcessor<String, ChannelState, DurableResult> {
        private static final long serialVersionUID = 1L;
        private final long upTo;

        MarkDurableBackupProcessor(long upTo) {
            this.upTo = upTo;
        }

        @Override
        public DurableResult process(Map.Entry<String, ChannelState> entry) {
            ChannelState state = entry.getValue();
            if (state != null) {
                state.markDurable(upTo);
                entry.setValue(state);
            }
            return null;
        }

        @Override
        public EntryProcessor<String, ChannelState, DurableResult> getBackupProcessor() {
            return null;
        }
    }
}
