package io.meshgate.edge.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.channel.ChannelNames;

import java.nio.charset.StandardCharsets;

/** A validated publish: {@code {"ch":...,"id":...,"data":...}} from a WebSocket {@code pub} or an HTTP body. */
public record PublishCommand(String channel, String id, String dataJson) {

    /**
     * Reads and checks a publish. Errors carry the id and channel when the input had them, so the nack names them.
     */
    public static PublishCommand parse(JsonNode body, Limits limits) throws PublishRejected {
        JsonNode chNode = body.get("ch");
        JsonNode idNode = body.get("id");
        String channel = chNode != null && chNode.isTextual() ? chNode.asText() : null;
        String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
        if (channel == null) {
            throw new PublishRejected(id, null, ErrorCode.BAD_CHANNEL, "\"ch\" must be a channel name string");
        }
        if (!ChannelNames.isValid(channel)) {
            throw new PublishRejected(id, channel, ErrorCode.BAD_CHANNEL,
                    "channel names match ^[A-Za-z0-9_.:\\-]{1,128}$");
        }
        if (id == null || id.isEmpty()) {
            throw new PublishRejected(null, channel, ErrorCode.BAD_REQUEST, "\"id\" must be a non-empty string");
        }
        if (hasLoneSurrogate(id)) {
            // Not representable in UTF-8: encoding would silently turn it into '?', another id than was sent. The
            // nack still names it (escaped), so the client can match the refusal to its publish.
            throw new PublishRejected(id, channel, ErrorCode.BAD_REQUEST,
                    "\"id\" contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)");
        }
        if (id.length() > limits.maxIdChars()) {
            throw new PublishRejected(null, channel, ErrorCode.BAD_REQUEST,
                    "\"id\" is longer than " + limits.maxIdChars() + " characters");
        }
        JsonNode data = body.get("data");
        if (data == null) {
            throw new PublishRejected(id, channel, ErrorCode.BAD_REQUEST, "\"data\" is missing");
        }
        String dataJson;
        try {
            dataJson = Json.MAPPER.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new PublishRejected(id, channel, ErrorCode.BAD_REQUEST, "\"data\" is not valid JSON");
        }
        if (hasLoneSurrogate(dataJson)) {
            throw new PublishRejected(id, channel, ErrorCode.BAD_REQUEST,
                    "\"data\" contains a lone UTF-16 surrogate (an unpaired \\ud800-\\udfff escape)");
        }
        int size = dataJson.getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxDataBytes()) {
            throw new PublishRejected(id, channel, ErrorCode.TOO_LARGE,
                    "data is " + size + " bytes; the limit is " + limits.maxDataBytes());
        }
        return new PublishCommand(channel, id, dataJson);
    }

    /** True when {@code text} has a high surrogate without its low one, or a low one without its high one. */
    static boolean hasLoneSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** A publish refused before sequencing: it uses up no seq. */
    public static final class PublishRejected extends Exception {
        private final String id;
        private final String channel;
        private final ErrorCode code;

        public PublishRejected(String id, String channel, ErrorCode code, String reason) {
            super(reason, null, false, false);
            this.id = id;
            this.channel = channel;
            this.code = code;
        }

        public String id() {
            return id;
        }

        public String channel() {
            return channel;
        }

        public ErrorCode code() {
            return code;
        }

        public String reason() {
            return getMessage();
        }
    }
}
