package io.meshgate.edge.session;

import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PublishCommandTest {
    private static PublishCommand parse(String json) throws Exception {
        return PublishCommand.parse(Json.MAPPER.readTree(json), Limits.DEFAULTS);
    }

    @Test
    void dataKeepsEveryDigitAndIsWrittenCompactly() throws Exception {
        PublishCommand command = parse("{\"ch\":\"a\",\"id\":\"1\",\"data\": { \"x\" : 0.1000000000000000055511151231257827,"
                + " \"big\": 123456789012345678901234567890, \"neg\": -2.5e-300, \"s\": \"\\u20ac\" } }");
        assertEquals("{\"x\":0.1000000000000000055511151231257827,\"big\":123456789012345678901234567890,"
                + "\"neg\":-2.5E-300,\"s\":\"\u20ac\"}", command.dataJson());
    }

    @Test
    void sizeIsTheCompactUtf8Encoding() throws Exception {
        // 21,846 euro signs = 65,538 bytes as UTF-8 with the quotes: over the 64 KiB limit by two bytes.
        String over = "\"" + "\u20ac".repeat(21_846) + "\"";
        PublishCommand.PublishRejected e = assertThrows(PublishCommand.PublishRejected.class,
                () -> parse("{\"ch\":\"a\",\"id\":\"1\",\"data\":" + over + "}"));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals("a", e.channel());
        assertEquals("1", e.id());
    }

    @Test
    void missingPiecesAreNamed() {
        assertEquals(ErrorCode.BAD_CHANNEL, assertThrows(PublishCommand.PublishRejected.class,
                () -> parse("{\"id\":\"1\",\"data\":1}")).code());
        assertEquals(ErrorCode.BAD_CHANNEL, assertThrows(PublishCommand.PublishRejected.class,
                () -> parse("{\"ch\":\"a b\",\"id\":\"1\",\"data\":1}")).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(PublishCommand.PublishRejected.class,
                () -> parse("{\"ch\":\"a\",\"data\":1}")).code());
        assertEquals(ErrorCode.BAD_REQUEST, assertThrows(PublishCommand.PublishRejected.class,
                () -> parse("{\"ch\":\"a\",\"id\":\"1\"}")).code());
    }
}
