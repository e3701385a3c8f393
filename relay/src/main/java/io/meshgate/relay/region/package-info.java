/**
 * A region is one Hazelcast cluster. This package starts a node's member, gives the region its epoch, and keeps
 * the shared state clean when members leave: a dead node's routes are dropped as soon as membership says it left.
 */
package io.meshgate.relay.region;
