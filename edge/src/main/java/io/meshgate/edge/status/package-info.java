/**
 * The live status page every edge serves ({@code /status}): {@link io.meshgate.edge.status.StatusBoard} gathers the
 * picture once a second, {@link io.meshgate.edge.status.StatusHandler} serves it as a page, as JSON and as a bounded
 * stream of server-sent events.
 */
package io.meshgate.edge.status;
