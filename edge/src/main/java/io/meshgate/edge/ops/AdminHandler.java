package io.meshgate.edge.ops;

import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Methods;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.relay.channel.ChannelNames;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code POST /admin/drain} (stops the node; with {@code ?keep-running=true} takes it out of service instead, with
 * {@code &scope=region} moving its clients to another region, and {@code &cause=failover} telling them in the
 * {@code move} that the region is failed over rather than drained), {@code POST /admin/undrain}, and
 * {@code GET /admin/channel?name=C} (this region's view of a channel: home, term, epoch, head, durable mark,
 * interest), {@code GET /admin/mesh} (the mesh's links and RTT matrix as this node sees them), and the changes of
 * channel homes {@code POST /admin/failover}, {@code /admin/restore}, {@code /admin/pin}, {@code /admin/unpin}
 * ({@link HomeControlHandler}).
 * With an admin token configured the caller must present it as a bearer token; without one only loopback callers
 * are accepted (and a node that binds beyond loopback refuses to start without one). Before either check,
 * {@link BrowserGuard} refuses what a browser would send on a web page's behalf, so neither a local page nor DNS
 * rebinding can drain the node. Every call that changes something takes an optional {@code reason} query
 * parameter, logged with the caller's address and how it was let in.
 */
public final class AdminHandler implements HttpHandler {
    private final DrainController drain;
    private final ServiceSwitch service;
    private final java.util.function.UnaryOperator<String> channelReport;
    private final java.util.function.Supplier<String> meshStatus;
    private final AdminAccess access;
    private final HomeControlHandler homes;

    /** @param channelReport a channel's description as JSON, null for every channel when the node runs no mesh */
    public AdminHandler(DrainController drain, ServiceSwitch service,
                        java.util.function.UnaryOperator<String> channelReport, String adminToken, java.util.function.Supplier<String> meshStatus,
                        BrowserGuard browsers, HomeControlHandler homes) {
        this.homes = homes;
        this.drain = drain;
        this.service = service;
        this.channelReport = channelReport;
        this.meshStatus = meshStatus;
        this.access = new AdminAccess(adminToken, browsers);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        if (!access.admit(exchange)) {
            return;
        }
        String call = exchange.getRelativePath().startsWith("/") ? exchange.getRelativePath().substring(1)
                : exchange.getRelativePath();
        if (call.equals("mesh")) {
            mesh(exchange);
            return;
        }
        if (call.equals("channel")) {
            channel(exchange);
            return;
        }
        if (!call.equals("drain") && !call.equals("undrain") && !HomeControlHandler.handles(call)) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "unknown admin call; try POST /admin/drain,"
                    + " /admin/undrain, /admin/failover, /admin/restore, /admin/pin, /admin/unpin or GET /admin/mesh");
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.POST)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use POST /admin/" + call);
            return;
        }
        String who = access.caller(exchange);
        String why = AdminAccess.reason(exchange);
        if (HomeControlHandler.handles(call)) {
            homes.handle(exchange, call, who, why);
            return;
        }
        if (call.equals("undrain")) {
            serviceCall(exchange, () -> service.undrain(who, why));
            return;
        }
        String keepRunning = query(exchange, "keep-running");
        if ("true".equals(keepRunning)) {
            String scope = query(exchange, "scope");
            if (scope != null && !scope.equals("node") && !scope.equals("region")) {
                HttpReplies.error(exchange, 400, ErrorCode.BAD_REQUEST, "scope must be node or region");
                return;
            }
            String cause = query(exchange, "cause");
            if (cause != null && !cause.equals("drain") && !cause.equals("failover")) {
                HttpReplies.error(exchange, 400, ErrorCode.BAD_REQUEST, "cause must be drain or failover");
                return;
            }
            ServiceSwitch.Scope chosen = "region".equals(scope) ? ServiceSwitch.Scope.REGION : ServiceSwitch.Scope.NODE;
            ServiceSwitch.Cause because = "failover".equals(cause) ? ServiceSwitch.Cause.FAILOVER
                    : ServiceSwitch.Cause.DRAIN;
            serviceCall(exchange, () -> service.drain(chosen, because, who, why));
            return;
        }
        drain.drain("admin request by " + who + ": " + why);
        HttpReplies.json(exchange, 202, "{\"draining\":true}");
    }

    private static void serviceCall(HttpServerExchange exchange, Supplier<ServiceSwitch.Outcome> call) {
        try {
            ServiceSwitch.Outcome outcome = call.get();
            ObjectNode body = Json.MAPPER.createObjectNode().put("state", outcome.state().name().toLowerCase(
                    Locale.ROOT)).put("changed", outcome.changed());
            if (outcome.movedTo() != null) {
                body.put("movedTo", outcome.movedTo());
            }
            HttpReplies.json(exchange, 200, body.toString());
        } catch (ServiceSwitch.Refused e) {
            HttpReplies.error(exchange, 409, ErrorCode.CONFLICT, e.getMessage());
        }
    }

    /** A query parameter, percent-decoded (the server leaves URLs undecoded); null when absent or malformed. */
    static String query(HttpServerExchange exchange, String name) {
        java.util.Deque<String> values = exchange.getQueryParameters().get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        try {
            return URLDecoder.decode(values.getLast(), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void channel(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            // The report reads the region's cluster and counts this node's subscribers: never on an I/O thread.
            exchange.dispatch(() -> channel(exchange));
            return;
        }
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET /admin/channel?name=CHANNEL");
            return;
        }
        String name = query(exchange, "name");
        if (name == null || !ChannelNames.isValid(name)) {
            HttpReplies.error(exchange, 400, ErrorCode.BAD_REQUEST, "name must be a valid channel name");
            return;
        }
        String report = channelReport.apply(name);
        if (report == null) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "this node's deployment has one region: no mesh");
            return;
        }
        HttpReplies.json(exchange, 200, report);
    }

    private void mesh(HttpServerExchange exchange) {
        if (!exchange.getRequestMethod().equals(Methods.GET)) {
            HttpReplies.error(exchange, 405, ErrorCode.BAD_REQUEST, "use GET /admin/mesh");
            return;
        }
        String status = meshStatus == null ? null : meshStatus.get();
        if (status == null) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "this node's deployment has one region: no mesh");
            return;
        }
        HttpReplies.json(exchange, 200, status);
    }
}
