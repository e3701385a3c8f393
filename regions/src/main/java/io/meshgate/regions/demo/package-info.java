/**
 * The embedded default: a whole region of two nodes in one process on 127.0.0.1, through exactly the code path of
 * a real deployment (separate Hazelcast members, relay servers and edges), in the loudly logged insecure mode.
 */
package io.meshgate.regions.demo;
