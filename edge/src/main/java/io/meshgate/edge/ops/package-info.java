/**
 * Operating a node: liveness ({@code /healthz}), damped readiness ({@code /readyz}), Prometheus metrics
 * ({@code /metrics}) and the drain that moves clients away before the node exits (SIGTERM or
 * {@code POST /admin/drain}).
 */
package io.meshgate.edge.ops;
