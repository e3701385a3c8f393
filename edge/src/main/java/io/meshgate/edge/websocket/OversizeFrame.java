package io.meshgate.edge.websocket;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.meshgate.edge.protocol.Json;

import java.io.IOException;

/**
 * What the first part of a frame too large to read whole says about itself: its top-level {@code op}, {@code ch}
 * and {@code id}, read leniently from the prefix (the rest was never kept), so a too-large {@code pub} gets a
 * {@code nack} that names it.
 */
record OversizeFrame(String op, String channel, String id, long chars) {

    static OversizeFrame parse(String prefix, long chars) {
        String op = null;
        String channel = null;
        String id = null;
        try (JsonParser parser = Json.MAPPER.getFactory().createParser(prefix)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value == JsonToken.VALUE_STRING) {
                        switch (field) {
                            case "op" -> op = parser.getText();
                            case "ch" -> channel = parser.getText();
                            case "id" -> id = parser.getText();
                            default -> {
                            }
                        }
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The prefix ends mid-value: keep whatever was read before it.
        }
        return new OversizeFrame(op, channel, id, chars);
    }
}
