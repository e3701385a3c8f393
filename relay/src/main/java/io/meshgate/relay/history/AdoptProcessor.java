package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The last step of reconciling a channel: this region becomes its home at {@code term} with the log the other
 * regions' answers added up to (see {@link ChannelState#adopt}), under a new epoch. Refused (null) when this
 * region's own fence is no longer the one it promised itself at {@code term}: a newer home started meanwhile.
 * Deterministic from its fields, so the backup applies the same processor.
 */
final class AdoptProcessor implements EntryProcessor<String, ChannelState, Adopted> {
    private static final long serialVersionUID = 1L;

    private final long term;
    private final String region;
    private final String epoch;
    private final List<Message> tail;
    private final long head;
    private final long durableThrough;
    private final List<SeenId> seenIds;
    private final HistoryLimits limits;
    private final long now;

    AdoptProcessor(long term, String region, String epoch, List<Message> tail, long head, long durableThrough,
                   List<SeenId> seenIds, HistoryLimits limits, long now) {
        this.seenIds = List.copyOf(seenIds);
        this.term = term;
        this.region = region;
        this.epoch = epoch;
        this.tail = List.copyOf(tail);
        this.head = head;
        this.durableThrough = durableThrough;
        this.limits = limits;
        this.now = now;
    }

    @Override
    public Adopted process(Map.Entry<String, ChannelState> entry) {
        ChannelState state = entry.getValue();
        if (state == null || !state.promisedTo(region, term)) {
            return null;
        }
        List<Message> visible = state.adopt(term, region, epoch, tail, head, durableThrough, seenIds, limits, now);
        entry.setValue(state);
        return new Adopted(visible, Set.copyOf(state.routes()));
    }

    @Override
    public EntryProcessor<String, ChannelState, Adopted> getBackupProcessor() {
        return this;
    }
}
