/**
 * The vocabulary every other package speaks: channel names, positions and sequenced messages. No behaviour beyond
 * validation lives here, so the edge and the relay agree on one definition of each.
 */
package io.meshgate.relay.channel;
