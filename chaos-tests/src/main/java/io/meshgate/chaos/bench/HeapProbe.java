package io.meshgate.chaos.bench;

/** Reads the server side of scenario (c): the region JVM's used heap and its connected WebSocket sessions. */
interface HeapProbe {

    /** Used heap of the server JVM in bytes, after a forced full GC when the probe can force one. */
    long usedHeapBytes();

    /** Sessions that completed {@code connect} on the measured nodes, as the server counts them. */
    long connections();

    /** How the heap is read, for the report. */
    String method();

    /** Whether {@link #usedHeapBytes} forces a GC (if not, the figure includes garbage and is an upper bound). */
    boolean forcesGc();
}
