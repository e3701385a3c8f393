package io.meshgate.relay.history;

import com.hazelcast.map.EntryProcessor;

import java.util.Map;

/**
 * A backup that changes nothing. An entry processor changes the owner's copy at once and its backup a moment later,
 * so a read on the owner can see a message that is not durable yet; if the owner then dies, the promoted backup
 * lacks it, and a subscriber that was shown it is ahead of the channel (and would skip the message that later takes
 * its seq). Giving reads this backup makes them barriers: Hazelcast sends a backup whenever a processor returns one
 * (5.7: {@code EntryOperation.shouldBackup()} checks only that it is non-null), the invocation completes only after
 * the backup member has run it, and a partition's backups run in order there. So when a read completes, everything
 * it returned is held by the backup too.
 */
final class BarrierBackupProcessor<R> implements EntryProcessor<String, ChannelState, R> {
    private static final long serialVersionUID = 1L;

    @Override
    public R process(Map.Entry<String, ChannelState> entry) {
        return null;
    }

    @Override
    public EntryProcessor<String, ChannelState, R> getBackupProcessor() {
        return null;
    }
}
