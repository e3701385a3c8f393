package io.meshgate.regions.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A section of the YAML tree that knows its own path, hands out typed values with defaults, and, once read,
 * refuses keys nobody asked for (a typo must not silently fall back to a default).
 */
final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final Set<String> read = new HashSet<>();

    ConfigNode(JsonNode node, String path) {
        this.node = node;
        this.path = path;
        if (node != null && !node.isNull() && !node.isObject()) {
            throw new ConfigException("config key '" + displayPath() + "' must be a mapping of keys to values");
        }
    }

    private String displayPath() {
        return path.isEmpty() ? "(top level)" : path;
    }

    private String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private JsonNode get(String name) {
        read.add(name);
        if (node == null || node.isNull()) {
            return null;
        }
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value;
    }

    boolean has(String name) {
        return get(name) != null;
    }

    String string(String name, String fallback) {
        JsonNode value = get(name);
        if (value == null) {
            return fallback;
        }
        if (!value.isValueNode() || value.isBoolean()) {
            throw new ConfigException("config key '" + key(name) + "' must be a string");
        }
        return value.asText();
    }

    String requiredString(String name) {
        String value = string(name, null);
        if (value == null || value.isBlank()) {
            throw new ConfigException("config key '" + key(name) + "' is required");
        }
        return value;
    }

    long number(String name, long fallback, long min, long max) {
        JsonNode value = get(name);
        if (value == null) {
            return fallback;
        }
        long n;
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            n = value.asLong();
        } else if (value.isTextual()) {
            try {
                n = Long.parseLong(value.asText().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("config key '" + key(name) + "' must be a whole number, got '"
                        + value.asText() + "'");
            }
        } else {
            throw new ConfigException("config key '" + key(name) + "' must be a whole number, got " + value);
        }
        if (n < min || n > max) {
            throw new ConfigException("config key '" + key(name) + "' must be between " + min + " and " + max
                    + ", got " + n);
        }
        return n;
    }

    /** {@code true} or {@code false} (a YAML boolean, or the same word quoted). */
    boolean bool(String name, boolean fallback) {
        JsonNode value = get(name);
        if (value == null) {
            return fallback;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual() && (value.asText().equals("true") || value.asText().equals("false"))) {
            return Boolean.parseBoolean(value.asText());
        }
        throw new ConfigException("config key '" + key(name) + "' must be true or false, got " + value);
    }

    int integer(String name, int fallback, int min, int max) {
        return (int) number(name, fallback, min, max);
    }

    List<String> strings(String name) {
        JsonNode value = get(name);
        List<String> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (!value.isArray()) {
            throw new ConfigException("config key '" + key(name) + "' must be a list of strings");
        }
        for (int i = 0; i < value.size(); i++) {
            if (!value.get(i).isTextual()) {
                throw new ConfigException("config key '" + key(name) + "[" + i + "]' must be a string");
            }
            out.add(value.get(i).asText());
        }
        return out;
    }

    ConfigNode section(String name) {
        return new ConfigNode(get(name), key(name));
    }

    List<ConfigNode> sections(String name) {
        JsonNode value = get(name);
        List<ConfigNode> out = new ArrayList<>();
        if (value == null) {
            return out;
        }
        if (!value.isArray()) {
            throw new ConfigException("config key '" + key(name) + "' must be a list");
        }
        for (int i = 0; i < value.size(); i++) {
            out.add(new ConfigNode(value.get(i), key(name) + "[" + i + "]"));
        }
        return out;
    }

    /** Fails on any key of this section that was never read. */
    void rejectUnknown() {
        if (node == null || node.isNull()) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!read.contains(name)) {
                throw new ConfigException("unknown config key '" + key(name)
                        + "' (see docs/configuration.md for the keys of '" + displayPath() + "')");
            }
        }
    }

    String path(String name) {
        return key(name);
    }
}
