package io.meshgate.edge.session;

import io.meshgate.edge.protocol.ErrorCode;

/** Bad client input, with the protocol code and a reason that is safe to send back. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;
    private final String channel;

    public ProtocolException(ErrorCode code, String channel, String reason) {
        super(reason, null, false, false);
        this.code = code;
        this.channel = channel;
    }

    public ProtocolException(ErrorCode code, String reason) {
        this(code, null, reason);
    }

    public ErrorCode code() {
        return code;
    }

    /** The channel the input named, if it named a valid one. */
    public String channel() {
        return channel;
    }

    public String reason() {
        return getMessage();
    }
}
