package io.meshgate.edge.longpoll;

import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.session.ProtocolException;
import io.meshgate.edge.session.ResumePosition;
import io.meshgate.relay.channel.ChannelNames;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed {@code /v1/poll} query: channels with optional positions, and the wait. */
record PollQuery(List<Entry> channels, int waitSeconds) {

    record Entry(String channel, ResumePosition position) {
    }

    static PollQuery parse(Map<String, Deque<String>> params, int defaultWait, int maxWait, int maxChannels)
            throws ProtocolException {
        Deque<String> chParams = params.get("ch");
        if (chParams == null || chParams.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "give at least one ch=<channel>[@<epoch>:<seq>]");
        }
        if (chParams.size() > maxChannels) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST,
                    "at most " + maxChannels + " channels per poll, got " + chParams.size());
        }
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (String encoded : chParams) {
            String raw = decode(encoded);
            int at = raw.indexOf('@');
            String name = at < 0 ? raw : raw.substring(0, at);
            if (!ChannelNames.isValid(name)) {
                throw new ProtocolException(ErrorCode.BAD_CHANNEL,
                        "channel names match ^[A-Za-z0-9_.:\\-]{1,128}$");
            }
            ResumePosition position = at < 0 ? null : ResumePosition.fromQuery(raw.substring(at + 1), name);
            if (byName.putIfAbsent(name, new Entry(name, position)) != null) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, name, "channel " + name + " is given twice");
            }
        }
        int wait = defaultWait;
        Deque<String> waitParams = params.get("wait");
        if (waitParams != null && !waitParams.isEmpty()) {
            String text = decode(waitParams.getFirst());
            if (text.startsWith("-")) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "wait must not be negative");
            }
            if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "wait must be a whole number of seconds");
            }
            // Any longer wait than the maximum is capped, however many digits it has.
            wait = text.length() > 9 ? maxWait : Math.min(Integer.parseInt(text), maxWait);
        }
        return new PollQuery(new ArrayList<>(byName.values()), wait);
    }

    /**
     * The server leaves query values encoded, so they are decoded here. (Undertow's request parser itself refuses a
     * malformed escape such as {@code %zz} before any handler runs; this catch is the second line.)
     */
    private static String decode(String value) throws ProtocolException {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "malformed percent-encoding in the query");
        }
    }

    boolean anyPositioned() {
        return channels.stream().anyMatch(e -> e.position() != null);
    }
}
