package io.meshgate.chaos.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The subset of Toxiproxy's v2 REST API that toxiproxy-java uses: {@code /version}, {@code /reset},
 * {@code /proxies[/{proxy}[/toxics[/{toxic}]]]} with the same methods, status codes and error bodies as Toxiproxy
 * (updates by POST or PATCH). Runs on the HTTP server's single dispatcher thread, so API calls apply one at a time.
 */
final class ToxiproxyApiHandler implements HttpHandler {
    private static final Logger log = LoggerFactory.getLogger(ToxiproxyApiHandler.class);
    /** The Toxiproxy release whose API this follows, marked as not being Toxiproxy itself. */
    static final String VERSION = "2.12.0-meshgate";
    /** Requests are a few hundred bytes; anything far larger is a mistake, refused without reading it all. */
    private static final int MAX_BODY_BYTES = 64 * 1024;

    /** An answer: a status and a JSON body, or no body (204). */
    private record Answer(int status, JsonNode body) {
        static Answer ok(JsonNode body) {
            return new Answer(200, body);
        }

        static Answer noContent() {
            return new Answer(204, null);
        }
    }

    private final ProxyRegistry proxies;

    ToxiproxyApiHandler(ProxyRegistry proxies) {
        this.proxies = proxies;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Answer answer;
        try {
            byte[] body = readBody(exchange.getRequestBody());
            answer = route(exchange.getRequestMethod(), segments(exchange.getRequestURI().getRawPath()), body);
        } catch (ApiError e) {
            answer = new Answer(e.status(), ApiJson.error(e));
        } catch (RuntimeException e) {
            log.warn("fault proxy API: {} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
            answer = new Answer(500, ApiJson.error(new ApiError(500, String.valueOf(e.getMessage()))));
        }
        send(exchange, answer);
    }

    private Answer route(String method, List<String> path, byte[] body) {
        int depth = path.size();
        if (depth == 1 && path.get(0).equals("version")) {
            requireMethod(method, "GET");
            ObjectNode version = ApiJson.MAPPER.createObjectNode().put("version", VERSION);
            return Answer.ok(version);
        }
        if (depth == 1 && path.get(0).equals("reset")) {
            requireMethod(method, "POST");
            proxies.reset();
            return Answer.noContent();
        }
        if (depth == 0 || !path.get(0).equals("proxies")) {
            throw new ApiError(404, "not found");
        }
        if (depth == 1) {
            return proxyCollection(method, body);
        }
        FaultProxy proxy = proxies.get(path.get(1));
        if (depth == 2) {
            return proxyItem(method, proxy, body);
        }
        if (!path.get(2).equals("toxics") || depth > 4) {
            throw new ApiError(404, "not found");
        }
        return depth == 3 ? toxicCollection(method, proxy, body) : toxicItem(method, proxy, path.get(3), body);
    }

    private Answer proxyCollection(String method, byte[] body) {
        if (method.equals("GET")) {
            return Answer.ok(ApiJson.proxies(proxies.all()));
        }
        requireMethod(method, "POST");
        ObjectNode input = ApiJson.parseObject(body);
        String name = ApiJson.text(input, "name", "");
        String upstream = ApiJson.text(input, "upstream", "");
        if (name.isEmpty()) {
            throw ApiError.missingField("name");
        }
        if (upstream.isEmpty()) {
            throw ApiError.missingField("upstream");
        }
        String listen = ApiJson.text(input, "listen", FaultProxyServer.HOST + ":0");
        FaultProxy proxy = proxies.create(name, listen, upstream, ApiJson.bool(input, "enabled", true));
        return new Answer(201, ApiJson.proxy(proxy));
    }

    private Answer proxyItem(String method, FaultProxy proxy, byte[] body) {
        switch (method) {
            case "GET":
                return Answer.ok(ApiJson.proxy(proxy));
            case "POST":
            case "PATCH":
                ObjectNode input = ApiJson.parseObject(body);
                proxy.update(ApiJson.text(input, "listen", proxy.listen()), ApiJson.text(input, "upstream", proxy.upstream()),
                        ApiJson.bool(input, "enabled", proxy.enabled()));
                return Answer.ok(ApiJson.proxy(proxy));
            case "DELETE":
                proxies.delete(proxy.name());
                return Answer.noContent();
            default:
                throw methodNotAllowed();
        }
    }

    private Answer toxicCollection(String method, FaultProxy proxy, byte[] body) {
        if (method.equals("GET")) {
            return Answer.ok(ApiJson.toxics(proxy.toxics()));
        }
        requireMethod(method, "POST");
        Toxic toxic = ApiJson.newToxic(ApiJson.parseObject(body));
        proxy.addToxic(toxic);
        return Answer.ok(ApiJson.toxic(toxic));
    }

    private Answer toxicItem(String method, FaultProxy proxy, String name, byte[] body) {
        switch (method) {
            case "GET":
                return Answer.ok(ApiJson.toxic(proxy.toxics().get(name)));
            case "POST":
            case "PATCH":
                Toxic updated = ApiJson.updatedToxic(proxy.toxics().get(name), ApiJson.parseObject(body));
                proxy.replaceToxic(updated);
                return Answer.ok(ApiJson.toxic(updated));
            case "DELETE":
                proxy.removeToxic(name);
                return Answer.noContent();
            default:
                throw methodNotAllowed();
        }
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw methodNotAllowed();
        }
    }

    private static ApiError methodNotAllowed() {
        return new ApiError(405, "method not allowed");
    }

    private static List<String> segments(String rawPath) {
        return Arrays.stream(rawPath.split("/"))
                .filter(segment -> !segment.isEmpty())
                .map(segment -> URLDecoder.decode(segment, StandardCharsets.UTF_8))
                .toList();
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            throw ApiError.badRequestBody("larger than " + MAX_BODY_BYTES + " bytes");
        }
        return body;
    }

    private static void send(HttpExchange exchange, Answer answer) throws IOException {
        try (exchange) {
            if (answer.body() == null) {
                exchange.sendResponseHeaders(answer.status(), -1);
                return;
            }
            byte[] bytes = ApiJson.bytes(answer.body());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.status(), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
