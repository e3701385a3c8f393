package io.meshgate.edge.server;

import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Oversized request heads and query strings (issue 11, attack 7d) get the protocol's {@code error} object, also
 * past Undertow's parse ceilings, and the node keeps serving. Sent byte for byte over raw sockets.
 */
class RequestLimitsTest {

    @Test
    void aOneMegabyteHeaderGets431WithTheErrorObjectAndTheNodeKeepsServing() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            Http.Reply reply = http.raw("GET /v1/regions HTTP/1.1", "X-Big: " + "a".repeat(1 << 20));

            assertEquals(431, reply.status(), reply.toString());
            assertEquals("error", reply.json().path("op").asText(), reply.body());
            assertEquals("too_large", reply.json().path("code").asText(), reply.body());
            assertTrue(reply.json().path("reason").asText().contains("65536"), reply.body());
            assertEquals(200, http.get("/v1/regions", null).status(), "the node still serves");
        }
    }

    @Test
    void manyHeadersGet431WithTheErrorObject() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            String[] headers = new String[500];
            for (int i = 0; i < headers.length; i++) {
                headers[i] = "X-H" + i + ": v";
            }
            Http.Reply reply = http.raw("GET /v1/regions HTTP/1.1", headers);

            assertEquals(431, reply.status(), reply.toString());
            assertEquals("too_large", reply.json().path("code").asText(), reply.body());
            assertEquals(200, http.get("/v1/regions", null).status(), "the node still serves");
        }
    }

    @Test
    void moreThanAThousandQueryParametersGet400WithTheErrorObject() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            for (int count : new int[] {1_001, 5_000}) {
                StringBuilder query = new StringBuilder("ch=chat:a");
                for (int i = 1; i < count; i++) {
                    query.append("&p").append(i).append('=').append(i);
                }
                Http.Reply reply = http.raw("GET /v1/poll?" + query + " HTTP/1.1");

                assertEquals(400, reply.status(), count + " parameters: " + reply);
                assertEquals("bad_request", reply.json().path("code").asText(), reply.body());
                assertTrue(reply.json().path("reason").asText().contains("1000"), reply.body());
            }
            assertEquals(200, http.get("/v1/regions", null).status(), "the node still serves");
        }
    }

    @Test
    void aHeadBeyondTheParseCeilingIsStillA4xxAndTheNodeKeepsServing() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            Http.Reply reply = http.raw("GET /v1/regions HTTP/1.1", "X-Big: " + "a".repeat(3 << 20));
            assertEquals(400, reply.status(), "Undertow's refusal past its parse ceiling");
            assertEquals("bad_request", reply.json().path("code").asText(), "with the protocol's error object: "
                    + reply);
            assertEquals(200, http.get("/v1/regions", null).status(), "the node still serves");
        }
    }

    @Test
    void aHeadWithinTheLimitsIsServed() throws Exception {
        try (TestRegion region = TestRegion.nodes(1).insecure().start()) {
            Http http = new Http(region.httpUrl(0));
            Http.Reply reply = http.raw("GET /v1/regions HTTP/1.1", "X-Big: " + "a".repeat(60_000));
            assertEquals(200, reply.status(), reply.toString());
        }
    }
}
