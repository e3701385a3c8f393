package io.meshgate.edge.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the edge: strict parsing, bounded nesting. */
public final class Json {
    /** Deep nesting is the cheapest way to make a parser burn stack; nobody's chat message nests 64 deep. */
    private static final int MAX_NESTING = 64;

    /**
     * Input must be exactly one JSON value: {@code {"op":"ping"} junk} is malformed, not a ping. Numbers keep every
     * digit the publisher sent (a double would round {@code 0.1000000000000000055511}): {@code data} is delivered as
     * the value that was published.
     */
    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
            .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    /** The JSON string literal for {@code s}, quotes included. */
    public static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        JsonStringEncoder.getInstance().quoteAsString(s, out);
        return out.append('"').toString();
    }

    /**
     * As {@link #quote}, with every UTF-16 surrogate written as a {@code \\uXXXX} escape: a lone surrogate has no
     * UTF-8 encoding (it would go out as '?'), while the escape gives the client back the very string it sent. For
     * echoing a refused client value, such as a publish {@code id} with a lone surrogate.
     */
    public static String quoteKeepingSurrogates(String s) {
        String quoted = quote(s);
        StringBuilder out = new StringBuilder(quoted.length() + 16);
        for (int i = 0; i < quoted.length(); i++) {
            char c = quoted.charAt(i);
            if (Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
