/**
 * Running nodes as processes: start, log the effective settings once, and on SIGTERM drain before exiting, so a
 * rolling restart moves clients instead of cutting them off.
 */
package io.meshgate.regions.node;
