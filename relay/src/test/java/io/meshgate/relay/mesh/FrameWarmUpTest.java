package io.meshgate.relay.mesh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

/** The warm-up writes and reads back a frame of every kind with every nested message set, without failing. */
class FrameWarmUpTest {
    @Test
    void everyFrameKindRoundTrips() {
        assertDoesNotThrow(FrameWarmUp::run);
    }
}
