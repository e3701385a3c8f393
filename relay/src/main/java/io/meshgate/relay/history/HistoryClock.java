package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;

import java.time.Clock;

/**
 * The clock a region member's history steps tell time by: the {@code ts} a message is stamped with, when messages
 * and dedup ids age out ({@code history.ttlMs}, {@code history.dedupWindowMs}) and which messages a read still
 * serves. {@code RegionMember} registers the node's clock (the one the node is composed with) in Hazelcast's
 * member-local user context under {@link #USER_CONTEXT_KEY}, as it does the {@link StoreSeal}; an entry processor
 * finds it on whichever member runs it ({@link com.hazelcast.core.HazelcastInstanceAware}, on the partition thread,
 * before {@code process}).
 *
 * <p>Why the clock of the member that runs the step, not the caller's: a channel's messages are stamped by the
 * partition owner that stores them, when it sequences them ({@link SequenceProcessor}), so a channel's {@code ts}
 * grow with its seqs (the TTL trim drops from the front while the oldest message has expired) even when callers on
 * members with different clocks publish to it, and a call that waited in a retry ({@link IdempotentRetry}) does not
 * stamp a time long past. The owner hands its {@code now} to the backup with what it stored
 * ({@link AppendBackupProcessor}), so both replicas trim alike; reads ({@link ReadProcessor},
 * {@link SubscribeProcessor}) and replica intake ({@link ReplicateProcessor}) tell time on the owner the same way.
 * The steps a backup repeats as they are ({@link FenceProcessor}, {@link AdoptProcessor},
 * {@link ForgetMembersProcessor}) carry a {@code now} that {@link ChannelStore} read from this same member clock
 * instead: read on each replica, it would differ between them.
 */
public final class HistoryClock {
    /** Where {@code RegionMember} leaves the member's clock in Hazelcast's (member-local) user context. */
    public static final String USER_CONTEXT_KEY = "meshgate.history.clock";

    private HistoryClock() {
    }

    /**
     * The clock {@code RegionMember} registered on {@code member} under {@link #USER_CONTEXT_KEY}. A member started
     * without one (only a test's plain Hazelcast member, like a rogue member that joined with the cluster name) tells
     * time by the system clock, as every member did before clocks were injected.
     */
    public static Clock of(HazelcastInstance member) {
        Object registered = member.getUserContext().get(USER_CONTEXT_KEY);
        return registered instanceof Clock clock ? clock : Clock.systemUTC();
    }
}
