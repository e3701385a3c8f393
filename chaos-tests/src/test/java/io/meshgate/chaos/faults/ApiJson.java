package io.meshgate.chaos.faults;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Toxiproxy's JSON, both ways: request bodies into checked values (a wrong shape is a 400 "bad request body", as in
 * Toxiproxy), proxies and toxics into the objects toxiproxy-java reads. Unknown fields are ignored, as Go's decoder
 * does.
 */
final class ApiJson {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ApiJson() {
    }

    static ObjectNode parseObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.badRequestBody(e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiError.badRequestBody(e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiError.badRequestBody("EOF");
        }
        if (!node.isObject()) {
            throw ApiError.badRequestBody("expected a JSON object");
        }
        return (ObjectNode) node;
    }

    static String text(JsonNode body, String field, String fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw ApiError.badRequestBody(field + " must be a string");
        }
        return value.asText();
    }

    static boolean bool(JsonNode body, String field, boolean fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw ApiError.badRequestBody(field + " must be true or false");
        }
        return value.asBoolean();
    }

    static double number(JsonNode body, String field, double fallback) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw ApiError.badRequestBody(field + " must be a number");
        }
        return value.asDouble();
    }

    /** A new toxic from a create request, with Toxiproxy's defaults: downstream, toxicity 1, name {@code type_stream}. */
    static Toxic newToxic(JsonNode body) {
        ToxicKind kind = ToxicKind.fromWire(text(body, "type", null));
        Stream stream = Stream.fromWire(text(body, "stream", Stream.DOWNSTREAM.wireName()));
        String name = text(body, "name", "");
        if (name.isEmpty()) {
            name = kind.wireName() + "_" + stream.wireName();
        }
        Map<String, Long> attributes = new HashMap<>();
        kind.attributes().forEach(key -> attributes.put(key, 0L));
        return new Toxic(name, kind, stream, number(body, "toxicity", 1.0), mergeAttributes(kind, attributes, body));
    }

    /** An updated toxic: the given toxicity and attributes replace the current ones; name, type and stream stay. */
    static Toxic updatedToxic(Toxic current, JsonNode body) {
        Map<String, Long> attributes = new HashMap<>(current.attributes());
        return new Toxic(current.name(), current.kind(), current.stream(),
                number(body, "toxicity", current.toxicity()), mergeAttributes(current.kind(), attributes, body));
    }

    private static Map<String, Long> mergeAttributes(ToxicKind kind, Map<String, Long> attributes, JsonNode body) {
        JsonNode given = body.get("attributes");
        if (given == null || given.isNull()) {
            return attributes;
        }
        if (!given.isObject()) {
            throw ApiError.badRequestBody("attributes must be an object");
        }
        for (String key : kind.attributes()) {
            JsonNode value = given.get(key);
            if (value != null && !value.isNull()) {
                if (!value.canConvertToExactIntegral() || !value.canConvertToLong()) {
                    throw ApiError.badRequestBody("attribute " + key + " must be an integer");
                }
                attributes.put(key, value.asLong());
            }
        }
        return attributes;
    }

    static ObjectNode proxy(FaultProxy proxy) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", proxy.name());
        node.put("listen", proxy.listen());
        node.put("upstream", proxy.upstream());
        node.put("enabled", proxy.enabled());
        node.set("toxics", toxics(proxy.toxics()));
        return node;
    }

    static ObjectNode proxies(Iterable<FaultProxy> proxies) {
        ObjectNode node = MAPPER.createObjectNode();
        proxies.forEach(proxy -> node.set(proxy.name(), proxy(proxy)));
        return node;
    }

    static ArrayNode toxics(ToxicTable table) {
        ArrayNode array = MAPPER.createArrayNode();
        table.all().forEach(toxic -> array.add(toxic(toxic)));
        return array;
    }

    static ObjectNode toxic(Toxic toxic) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("name", toxic.name());
        node.put("type", toxic.kind().wireName());
        node.put("stream", toxic.stream().wireName());
        node.put("toxicity", toxic.toxicity());
        ObjectNode attributes = node.putObject("attributes");
        toxic.kind().attributes().forEach(key -> attributes.put(key, toxic.attribute(key)));
        return node;
    }

    static ObjectNode error(ApiError error) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("error", error.getMessage());
        node.put("status", error.status());
        return node;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }
}
