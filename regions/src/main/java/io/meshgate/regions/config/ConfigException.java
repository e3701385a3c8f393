package io.meshgate.regions.config;

/** A configuration problem; the message names the key and what is wrong with it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message, null, false, false);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
