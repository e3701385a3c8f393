/**
 * Carries sequenced messages to the nodes of the region that have subscribers, and only to them: each node listens
 * on its own inbox topic, and a publisher's node sends to the inboxes its route snapshot names. Delivery between
 * nodes may reorder or drop under faults; receivers restore order and fill holes from history. Every delivery
 * between nodes is sealed with the region's secret ({@link io.meshgate.relay.fanout.DeliverySeal}), and one that does
 * not open is dropped before a subscriber sees it.
 */
package io.meshgate.relay.fanout;
