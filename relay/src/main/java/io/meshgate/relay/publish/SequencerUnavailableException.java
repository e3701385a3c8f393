package io.meshgate.relay.publish;

/** The region could not sequence a publish now; the publisher retries later with the same id (G4 makes it safe). */
public final class SequencerUnavailableException extends RuntimeException {
    public SequencerUnavailableException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
