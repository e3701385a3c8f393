package io.meshgate.edge.discovery;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.Json;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;

/** {@code GET /v1/regions}, no auth. */
public final class RegionsHandler implements HttpHandler {
    private final RegionDirectory directory;

    public RegionsHandler(RegionDirectory directory) {
        this.directory = directory;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        StringBuilder body = new StringBuilder("{\"self\":").append(Json.quote(directory.self()))
                .append(",\"regions\":[");
        boolean first = true;
        for (RegionInfo region : directory.regions()) {
            if (!first) {
                body.append(',');
            }
            first = false;
            body.append("{\"name\":").append(Json.quote(region.name()))
                    .append(",\"ws\":").append(Json.quote(region.wsUrl()))
                    .append(",\"http\":").append(Json.quote(region.httpUrl()))
                    .append(",\"healthy\":").append(region.healthy()).append('}');
        }
        HttpReplies.json(exchange, 200, body.append("]}").toString());
    }
}
