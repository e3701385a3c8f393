package io.meshgate.relay.mesh;

/** A mesh request could not be answered: no path to the region, a full link, an open breaker or a timeout. */
public final class MeshUnavailableException extends RuntimeException {
    public MeshUnavailableException(String message) {
        super(message, null, false, false);
    }
}
