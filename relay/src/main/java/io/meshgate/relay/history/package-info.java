/**
 * A channel's sequencer state and history, held in the region's Hazelcast as one entry per channel. Every change
 * runs as an entry processor on the partition owner, so assigning {@code seq}, storing the message and recording
 * its id for dedup is one atomic step (the lesson of SignalR#1676), and a synchronous backup on another member
 * holds the same state before a publisher is acked.
 */
package io.meshgate.relay.history;
