package io.meshgate.client;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one Jackson mapper of this package (thread-safe once configured). */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
