package io.meshgate.edge.web;

import io.meshgate.edge.testing.Http;
import io.meshgate.edge.testing.TestRegion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /client.js} and the demo page on a real edge: types, CORS, ETag revalidation, and the protocol's error
 * object for everything else under those paths.
 */
class WebAssetsTest {
    static TestRegion region;
    static Http http;

    @BeforeAll
    static void start() {
        region = TestRegion.nodes(1).insecure().start();
        http = new Http(region.httpUrl(0));
    }

    @AfterAll
    static void stop() {
        region.close();
    }

    @Test
    void clientJsIsAnEsModuleOpenToEveryOriginWithAnEtag() {
        Http.Reply reply = http.get("/client.js", null);
        assertEquals(200, reply.status(), reply.toString());
        assertEquals("text/javascript; charset=utf-8", reply.header("content-type"));
        assertEquals("*", reply.header("access-control-allow-origin"));
        assertEquals("no-cache", reply.header("cache-control"));
        assertTrue(reply.body().contains("export class MeshgateClient"), "the module itself");
        String etag = reply.header("etag");
        assertNotNull(etag);
        assertTrue(etag.matches("\"[0-9a-f]{24}\""), etag);

        Http.Reply preflight = http.options("/client.js");
        assertEquals(204, preflight.status());
        assertEquals("*", preflight.header("access-control-allow-origin"));
    }

    @Test
    void clientMjsIsTheSameModuleUnderTheNameNodeLoadsAsEsm() {
        Http.Reply js = http.get("/client.js", null);
        Http.Reply mjs = http.get("/client.mjs", null);
        assertEquals(200, mjs.status(), mjs.toString());
        assertEquals("text/javascript; charset=utf-8", mjs.header("content-type"));
        assertEquals("*", mjs.header("access-control-allow-origin"));
        assertEquals(js.body(), mjs.body());
        assertEquals(js.header("etag"), mjs.header("etag"));
    }

    @Test
    void theRootRedirectsToTheDemoPageKeepingTheQuery() {
        Http.Reply root = http.get("/", null);
        assertEquals(302, root.status(), root.toString());
        assertEquals("/demo", root.header("location"));
        Http.Reply pinned = http.get("/?region=eu-west", null);
        assertEquals(302, pinned.status(), pinned.toString());
        assertEquals("/demo?region=eu-west", pinned.header("location"));
        assertEquals(405, http.post("/", null, "{}").status());
    }

    @Test
    void aKnownEtagGets304WithoutBody() throws Exception {
        String etag = http.get("/client.js", null).header("etag");
        HttpResponse<String> again = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(region.httpUrl(0) + "/client.js"))
                        .header("If-None-Match", "\"other\", W/" + etag).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(304, again.statusCode());
        assertEquals("", again.body());
        assertEquals(etag, again.headers().firstValue("etag").orElse(null));
    }

    @Test
    void theDemoPageAndItsAssetsAreServed() {
        Http.Reply page = http.get("/demo", null);
        assertEquals(200, page.status(), page.toString());
        assertEquals("text/html; charset=utf-8", page.header("content-type"));
        assertTrue(page.body().contains("<script type=\"module\" src=\"/demo/demo.js\">"), page.body());
        assertEquals(page.body(), http.get("/demo/", null).body());

        Http.Reply script = http.get("/demo/demo.js", null);
        assertEquals(200, script.status());
        assertEquals("text/javascript; charset=utf-8", script.header("content-type"));
        assertTrue(script.body().contains("from '/client.js'"));
        assertEquals("text/css; charset=utf-8", http.get("/demo/demo.css", null).header("content-type"));
    }

    @Test
    void unknownAssetsAndOtherMethodsGetTheErrorObject() {
        for (String path : new String[] {"/demo/nope.js", "/demo/../client.js", "/client.js.map", "/demox"}) {
            Http.Reply reply = http.get(path, null);
            assertEquals(404, reply.status(), path + ": " + reply);
            assertEquals("error", reply.json().get("op").asText(), path);
            assertEquals("bad_request", reply.json().get("code").asText(), path);
            assertTrue(reply.json().get("reason").asText().contains("no such path"), path);
        }
        Http.Reply post = http.post("/client.js", null, "{}");
        assertEquals(405, post.status(), post.toString());
        assertEquals("error", post.json().get("op").asText());
        assertEquals("GET, HEAD", post.header("allow"));
    }
}
