/**
 * Network faults for the chaos tests, driven through Toxiproxy's Java client ({@code eu.rekawek.toxiproxy}).
 * {@link io.meshgate.chaos.faults.Toxiproxies#start()} gives a real Toxiproxy in a container where a Docker engine
 * exists and otherwise {@link io.meshgate.chaos.faults.FaultProxyServer}, a small Toxiproxy-compatible server in the
 * test JVM, so the same tests run (and prove the same guarantees) on a machine without Docker.
 */
package io.meshgate.chaos.faults;
