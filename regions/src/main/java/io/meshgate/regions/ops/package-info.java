/**
 * Operator commands against a running deployment, found through its configuration file: read every node's status,
 * drain a node. They talk to the nodes' own HTTP endpoints ({@code /readyz}, {@code /metrics},
 * {@code POST /admin/drain}), exactly what a load balancer or a script would use.
 */
package io.meshgate.regions.ops;
