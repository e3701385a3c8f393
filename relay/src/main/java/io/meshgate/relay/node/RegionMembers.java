package io.meshgate.relay.node;

import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The region's membership as the edge needs it: who this node is, which members leave, and one shared note per
 * member and kind (for example the WebSocket URL a node offers as a move target). Notes live in the region's
 * cluster, which anything that joins it may write, so readers must check what they read.
 */
public interface RegionMembers {

    /** This node's member id: the route its subscriptions are registered under. */
    UUID self();

    /** Runs {@code action} with a member's id when it leaves, on a Hazelcast event thread: hand work off. */
    void onMemberLeft(Consumer<UUID> action);

    /** Sets this member's note of {@code kind}. */
    void announce(String kind, String value);

    /** Removes {@code member}'s note of {@code kind}; removing one that is absent is harmless. */
    void withdraw(String kind, UUID member);

    /** The notes of {@code kind} of the region's live members other than this one (members without one absent). */
    Map<UUID, String> notesOfOthers(String kind);
}
