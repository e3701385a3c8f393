package io.meshgate.edge.session;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshgate.edge.protocol.ErrorCode;

/**
 * A client's resume position. The epoch is kept only to be compared: a position is resolved by {@code seq} alone
 * when its epoch is unknown (protocol v1).
 */
public record ResumePosition(String epoch, long seq) {

    /** Parses a WebSocket {@code from} object: {@code {"epoch":E,"seq":S}}, {@code epoch} optional. */
    public static ResumePosition fromJson(JsonNode from, String channel) throws ProtocolException {
        if (!from.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, channel, "\"from\" must be an object {epoch, seq}");
        }
        JsonNode seq = from.get("seq");
        if (seq == null || !seq.canConvertToLong() || !seq.isIntegralNumber() || seq.asLong() < 0) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, channel,
                    "\"from.seq\" must be a non-negative integer");
        }
        JsonNode epoch = from.get("epoch");
        if (epoch != null && !epoch.isNull() && !epoch.isTextual()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, channel, "\"from.epoch\" must be a string");
        }
        return new ResumePosition(epoch == null || epoch.isNull() ? "" : epoch.asText(), seq.asLong());
    }

    /** Parses a long-poll position, the part after '@' in {@code ch=<channel>@<epoch>:<seq>}. */
    public static ResumePosition fromQuery(String text, String channel) throws ProtocolException {
        int colon = text.lastIndexOf(':');
        String seqText = colon < 0 ? text : text.substring(colon + 1);
        String epoch = colon < 0 ? "" : text.substring(0, colon);
        try {
            long seq = Long.parseLong(seqText);
            if (seq < 0) {
                throw new NumberFormatException();
            }
            return new ResumePosition(epoch, seq);
        } catch (NumberFormatException e) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, channel,
                    "position must be <epoch>:<seq> with a non-negative integer seq");
        }
    }
}
