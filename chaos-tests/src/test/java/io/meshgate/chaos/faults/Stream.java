package io.meshgate.chaos.faults;

import java.util.Locale;

/** Which way a toxic acts, as Toxiproxy names it: upstream is client to server, downstream is server to client. */
enum Stream {
    UPSTREAM,
    DOWNSTREAM;

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Stream fromWire(String name) {
        for (Stream stream : values()) {
            if (stream.wireName().equals(name)) {
                return stream;
            }
        }
        throw new ApiError(400, "stream was invalid, can be either upstream or downstream");
    }
}
