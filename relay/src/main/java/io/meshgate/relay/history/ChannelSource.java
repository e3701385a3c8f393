package io.meshgate.relay.history;

import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Where the edge reads channels and registers its routes. In one region that is the region's store; with the mesh,
 * channels homed in another region are also asked of their home, so heads are the channel's, not this region's.
 */
public interface ChannelSource {

    /** Adds a member's route and reads the channel after {@code afterSeq} (see {@link ChannelStore#subscribe}). */
    CompletionStage<Range> subscribe(String channel, UUID member, long afterSeq, int maxMessages);

    CompletionStage<Range> unsubscribe(String channel, UUID member);

    /** The messages after {@code afterSeq} and the channel's head: what a client is told when it (re)attaches. */
    CompletionStage<Range> read(String channel, long afterSeq, int maxMessages);

    /**
     * Like {@link #read}, for catching up a reader that is already attached: may answer from this region's history
     * alone, whose head can trail the channel's by messages still on their way here.
     */
    default CompletionStage<Range> readNear(String channel, long afterSeq, int maxMessages) {
        return read(channel, afterSeq, maxMessages);
    }
}
