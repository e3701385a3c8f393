/**
 * Live delivery on one node. A {@link io.meshgate.edge.delivery.ChannelFeed} per channel turns what fan-out brings
 * (possibly out of order, possibly with holes) into one contiguous stream, filling holes from history; each
 * subscriber follows it with its own cursor and catches up from history, paced by its outbound room, whenever it is
 * behind. All of a feed's state is owned by its serial executor.
 */
package io.meshgate.edge.delivery;
