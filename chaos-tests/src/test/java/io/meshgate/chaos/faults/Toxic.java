package io.meshgate.chaos.faults;

import java.util.Map;

/**
 * One toxic as configured through the API. Immutable: an update makes a new instance, and pending timers compare by
 * identity, so a timer set for a toxic that has since been updated or removed does nothing.
 *
 * @param toxicity accepted and reported, but not applied: every toxic acts on every connection
 */
record Toxic(String name, ToxicKind kind, Stream stream, double toxicity, Map<String, Long> attributes) {
    Toxic {
        attributes = Map.copyOf(attributes);
    }

    long attribute(String key) {
        return attributes.getOrDefault(key, 0L);
    }
}
