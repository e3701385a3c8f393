package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;

import java.util.List;
import java.util.Map;

/**
 * Applies, on a backup replica, exactly the messages the owner appended, with the owner's clock and retention
 * floor, so the backup trims exactly as the owner did.
 */
final class AppendBackupProcessor<R> implements EntryProcessor<String, ChannelState, R> {
    private static final long serialVersionUID = 1L;

    private final String epochIfNew;
    private final List<Message> appended;
    private final HistoryLimits limits;
    private final long ownerNow;
    private final boolean durable;
    private final long retentionFloor;

    AppendBackupProcessor(String epochIfNew, List<Message> appended, HistoryLimits limits, long ownerNow,
                          boolean durable, long retentionFloor) {
        this.durable = durable;
        this.retentionFloor = retentionFloor;
        this.epochIfNew = epochIfNew;
        this.appended = List.copyOf(appended);
        this.limits = limits;
        this.ownerNow = ownerNow;
    }

    @Override
    public R process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null) {
            state = new ChannelState(epochIfNew);
        }
        if (!appended.isEmpty()) {
            state.retentionFloor(retentionFloor);
        }
        for (Message message : appended) {
            // A backup that already holds a message (replayed after a migration) skips it rather than diverging.
            if (message.seq() == state.head() + 1) {
                state.append(message, limits, ownerNow, durable);
            }
        }
        entry.setValue(state);
        return null;
    }

    @Override
    public EntryProcessor<String, ChannelState, R> getBackupProcessor() {
        return null;
    }
}
