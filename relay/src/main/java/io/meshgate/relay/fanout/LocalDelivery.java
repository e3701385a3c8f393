package io.meshgate.relay.fanout;

import io.meshgate.relay.channel.Message;

import java.util.List;

/**
 * Where this node's edge takes delivered messages. Called on Hazelcast event threads or a publisher's completion
 * thread: implementations hand work off and return at once.
 */
@FunctionalInterface
public interface LocalDelivery {
    /** Messages of one channel in increasing seq order, not necessarily contiguous. */
    void deliver(String channel, List<Message> messages);
}
