/**
 * A node's way into the region's sequencer: publishes for one channel are queued per node and sent to the channel's
 * owner in batches, one batch in flight at a time. That keeps a connection's publishes in the order it sent them
 * (G6) and turns a burst into one round trip.
 */
package io.meshgate.relay.publish;
