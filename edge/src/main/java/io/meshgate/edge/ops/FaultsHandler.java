package io.meshgate.edge.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.node.MeshOperations;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import java.util.Map;

/**
 * {@code /admin/faults}: fault injection into this node's mesh links for chaos experiments. {@code GET} lists the
 * faults in force; {@code POST ?peer=R&latencyMs=&jitterMs=&drop=&cut=} replaces the fault on the link to region R;
 * {@code DELETE ?peer=R} clears it ({@code DELETE} without {@code peer} clears them all). Changes need
 * {@code admin.faults: true} (403 naming the key otherwise) and are let in by {@link AdminAccess} like every admin
 * call; each is logged with who and the {@code reason} parameter. Faults act on the links of the region's mesh
 * leader, so an experiment sets them on that node (see docs/operations.md). Called on Undertow's I/O threads; it
 * never blocks.
 */
public final class FaultsHandler implements HttpHandler {
    private final MeshOperations mesh;
    private final boolean enabled;
    private final AdminAccess access;

    /** @param mesh where this node's mesh faults are read and changed, null when the node runs no mesh */
    public FaultsHandler(MeshOperations mesh, boolean enabled, AdminAccess access) {
        this.mesh = mesh;
        this.enabled = enabled;
        this.access = access;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!access.admit(exchange)) {
            return;
        }
        boolean get = exchange.getRequestMethod().equals(Methods.GET);
        boolean post = exchange.getRequestMethod().equals(Methods.POST);
        boolean delete = exchange.getRequestMethod().equals(Methods.DELETE);
        if (!get && !post && !delete) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET, POST or DELETE /admin/faults");
            return;
        }
        if (!get && !enabled) {
            HttpReplies.error(exchange, 403, ErrorCode.FORBIDDEN, "fault injection is off on this node: set"
                    + " admin.faults: true in its configuration to run chaos experiments (never in production)");
            return;
        }
        if (mesh == null) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "this node's deployment has one region: no mesh");
            return;
        }
        String peer = AdminHandler.query(exchange, "peer");
        try {
            if (post) {
                if (peer == null) {
                    throw new IllegalArgumentException("peer is required: the region whose link gets the fault");
                }
                MeshOperations.LinkFault fault = new MeshOperations.LinkFault(number(exchange, "latencyMs"),
                        number(exchange, "jitterMs"), probability(exchange), "true".equals(
                        AdminHandler.query(exchange, "cut")));
                mesh.setFault(peer, fault, access.caller(exchange), AdminAccess.reason(exchange));
            } else if (delete) {
                if (peer == null) {
                    mesh.clearFaults(access.caller(exchange), AdminAccess.reason(exchange));
                } else {
                    mesh.clearFault(peer, access.caller(exchange), AdminAccess.reason(exchange));
                }
            }
        } catch (IllegalArgumentException e) {
            HttpReplies.error(exchange, 400, ErrorCode.BAD_REQUEST, e.getMessage());
            return;
        }
        HttpReplies.json(exchange, 200, body().toString());
    }

    private ObjectNode body() {
        ObjectNode body = Json.MAPPER.createObjectNode().put("enabled", enabled);
        ObjectNode links = body.putObject("faults");
        for (Map.Entry<String, MeshOperations.LinkFault> e : mesh.faults().entrySet()) {
            MeshOperations.LinkFault f = e.getValue();
            links.putObject(e.getKey()).put("latencyMs", f.latencyMs()).put("jitterMs", f.jitterMs())
                    .put("drop", f.drop()).put("cut", f.cut());
        }
        return body;
    }

    private static long number(HttpServerExchange exchange, String name) {
        String value = AdminHandler.query(exchange, name);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number of milliseconds, got '" + value + "'");
        }
    }

    private static double probability(HttpServerExchange exchange) {
        String value = AdminHandler.query(exchange, "drop");
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("drop must be a probability between 0 and 1, got '" + value + "'");
        }
    }
}
