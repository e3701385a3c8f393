package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.map.EntryProcessor;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.channel.Position;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sequences a batch of publishes on one channel in request order: dedups by id, assigns {@code head + 1}, stores the
 * message in history and records its id, all on the partition owner in one step. The backup gets the resulting
 * messages (not the requests), so owner and backup hold identical state even though {@code ts} is read here, from
 * the owner's member clock ({@link HistoryClock}, which says why the owner's and not the caller's).
 *
 * <p>Each new message is sealed here ({@link StoreSeal}), since seq and ts are only known here, with the seal of the
 * member that runs the step: Hazelcast hands it its member ({@link #setHazelcastInstance}) on the partition thread
 * before {@link #process}, and with it the member's seal and clock. The seal travels inside the messages to the
 * backup; the secret never travels.
 */
final class SequenceProcessor implements EntryProcessor<String, ChannelState, SequenceResult>,
        HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;

    private final List<PublishRequest> requests;
    private final String epochIfNew;
    private final HistoryLimits limits;
    private final boolean durableNow;
    private final String homeRegion;
    private final long retentionFloor;

    private transient List<Message> appended;
    private transient boolean created;
    private transient long now;
    private transient StoreSeal seal;
    private transient Clock clock;

    /**
     * @param durableNow       false when the new messages must wait for another region to store them before they
     *                         are read, delivered or acked (see {@link ChannelStore#markDurable})
     * @param homeRegion       in a mesh, this region: sequence nothing, and say so, unless it owns the channel's
     *                         current term (see {@link ChannelState#ownedBy}); null outside a mesh
     * @param retentionFloor   what every lagging peer region has stored (see {@link ChannelState#retentionFloor});
     *                         set on the channel with the step's first new message, so the trim keeps what they
     *                         still need
     */
    SequenceProcessor(List<PublishRequest> requests, String epochIfNew, HistoryLimits limits, boolean durableNow,
                      String homeRegion, long retentionFloor) {
        this.homeRegion = homeRegion;
        this.retentionFloor = retentionFloor;
        this.requests = requests;
        this.epochIfNew = epochIfNew;
        this.limits = limits;
        this.durableNow = durableNow;
    }

    /** On the partition owner, before {@link #process}: the member whose seal and clock the new messages get. */
    @Override
    public void setHazelcastInstance(HazelcastInstance member) {
        this.seal = StoreSeal.of(member);
        this.clock = HistoryClock.of(member);
    }

    @Override
    public SequenceResult process(Map.Entry<String, ChannelState> entry) {
        if (seal == null) {
            throw new IllegalStateException("sequencing " + entry.getKey() + " outside a Hazelcast member: no seal");
        }
        now = clock.millis();
        ChannelState state = entry.getValue();
        if (homeRegion != null && (state == null || !state.ownedBy(homeRegion))) {
            appended = List.of();
            return SequenceResult.reconcileFirst();
        }
        if (state == null) {
            state = new ChannelState(epochIfNew);
            created = true;
        }
        String channel = entry.getKey();
        appended = new ArrayList<>(requests.size());
        List<Sequenced> outcomes = new ArrayList<>(requests.size());
        Map<String, Message> inThisBatch = new HashMap<>();
        int overflow = 0;
        for (PublishRequest request : requests) {
            Message sameBatch = inThisBatch.get(request.id());
            if (sameBatch != null) {
                outcomes.add(new Sequenced(sameBatch.position(), sameBatch, true));
                continue;
            }
            Position earlier = state.positionOf(request.id());
            if (earlier != null) {
                outcomes.add(new Sequenced(earlier, state.messageAt(earlier.seq()), true));
                continue;
            }
            Message message = seal.seal(new Message(channel, state.epoch(), state.head() + 1, request.id(),
                    request.dataJson(), now));
            if (appended.isEmpty()) {
                state.retentionFloor(retentionFloor);
            }
            overflow += state.append(message, limits, now, durableNow);
            appended.add(message);
            inThisBatch.put(request.id(), message);
            outcomes.add(new Sequenced(message.position(), message, false));
        }
        if (created || !appended.isEmpty()) {
            entry.setValue(state);
        }
        return new SequenceResult(outcomes, Set.copyOf(state.routes()), state.durable(), false, state.term(),
                overflow);
    }

    @Override
    public EntryProcessor<String, ChannelState, SequenceResult> getBackupProcessor() {
        // Called on the owner after process(): ship what happened, not what was asked.
        if (appended == null || (appended.isEmpty() && !created)) {
            // Only duplicates: the positions returned may belong to a batch whose backup is still on its way, and
            // they are about to be acked; a barrier makes sure they are durable first.
            return new BarrierBackupProcessor<>();
        }
        return new AppendBackupProcessor<>(epochIfNew, appended, limits, now, durableNow, retentionFloor);
    }
}
