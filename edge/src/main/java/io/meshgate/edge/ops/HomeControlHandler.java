package io.meshgate.edge.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.edge.http.HttpReplies;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Json;
import io.meshgate.proto.relay.HomeChange;
import io.meshgate.proto.relay.HomeOverrides;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.SameThreadExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionStage;

/**
 * The operators' changes of channel homes, behind {@link AdminHandler} (which has let the caller in):
 * {@code POST /admin/failover?region=R}, {@code POST /admin/restore?region=R},
 * {@code POST /admin/pin?channel=C&region=R} and {@code POST /admin/unpin?channel=C}. The region's mesh leader
 * decides each (see the relay's {@code HomeControl}) and spreads it to every region; the answer is
 * {@code 200 {"changed":…,"version":…,"failedOver":[…],"pins":{…}}} (changed false: it already was so),
 * {@code 409} with the reason when refused (nothing changed), {@code 503} when the mesh leader could not be asked,
 * {@code 404} on a node without a mesh. Every call is logged with who and why.
 *
 * <p>Runs on an Undertow I/O thread; the leader's answer completes on a gRPC or the leader's thread, which writes
 * the response (the exchange is dispatched, so that is allowed). Nothing blocks.
 */
public final class HomeControlHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HomeControlHandler.class);

    /** Asks the region's mesh leader for a change; the relay's {@code MeshOperations#changeHomes}. */
    @FunctionalInterface
    public interface Changes {
        CompletionStage<HomeChange> change(HomeChange.Op op, String region, String channel, String who, String why);
    }

    private final Changes changes;
    private final String node;

    /** @param changes null on a node without a mesh: every call answers 404 */
    public HomeControlHandler(Changes changes, String node) {
        this.changes = changes;
        this.node = node;
    }

    /** True for the calls this handler answers. */
    static boolean handles(String call) {
        return op(call) != null;
    }

    private static HomeChange.Op op(String call) {
        return switch (call) {
            case "failover" -> HomeChange.Op.EVACUATE;
            case "restore" -> HomeChange.Op.READMIT;
            case "pin" -> HomeChange.Op.PIN;
            case "unpin" -> HomeChange.Op.UNPIN;
            default -> null;
        };
    }

    /** Answers {@code call} (one {@link #handles} accepts), by POST, for {@code who}, logged with {@code why}. */
    void handle(HttpServerExchange exchange, String call, String who, String why) {
        if (changes == null) {
            HttpReplies.error(exchange, 404, ErrorCode.BAD_REQUEST, "this node's deployment has one region: no mesh");
            return;
        }
        HomeChange.Op op = op(call);
        String region = AdminHandler.query(exchange, "region");
        String channel = AdminHandler.query(exchange, "channel");
        boolean needsRegion = op != HomeChange.Op.UNPIN;
        boolean needsChannel = op == HomeChange.Op.PIN || op == HomeChange.Op.UNPIN;
        if ((needsRegion && (region == null || region.isEmpty())) || (needsChannel && (channel == null
                || channel.isEmpty()))) {
            HttpReplies.error(exchange, 400, ErrorCode.BAD_REQUEST, "POST /admin/" + call + " needs "
                    + (needsRegion && needsChannel ? "?channel=C&region=R" : needsRegion ? "?region=R" : "?channel=C"));
            return;
        }
        String what = call + (needsChannel ? " channel " + channel : "") + (needsRegion ? " region " + region : "");
        // The leader (maybe another node) and every other region log who and why as they apply the change.
        String asker = who + " at node " + node;
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> changes.change(op, needsRegion ? region : "",
                needsChannel ? channel : "", asker, why).whenComplete((answer, failure) -> {
                    if (failure != null) {
                        LOG.warn("node {}: {} by {} failed, the mesh leader could not be asked ({}): {}", node, what,
                                who, rootMessage(failure), why);
                        HttpReplies.error(exchange, 503, ErrorCode.UNAVAILABLE,
                                "the region's mesh leader could not be asked: " + rootMessage(failure));
                    } else if (!answer.getRefusal().isEmpty()) {
                        LOG.info("node {}: {} by {} refused ({}): {}", node, what, who, answer.getRefusal(), why);
                        HttpReplies.error(exchange, 409, ErrorCode.CONFLICT, answer.getRefusal());
                    } else {
                        LOG.info("node {}: {} by {} {}: {}", node, what, who, answer.getChanged() ? "done, home"
                                + " overrides now version " + answer.getTable().getVersion()
                                : "changed nothing, already so", why);
                        HttpReplies.json(exchange, 200, body(answer.getChanged(), answer.getTable()));
                    }
                }));
    }

    private static String body(boolean changed, HomeOverrides table) {
        ObjectNode body = Json.MAPPER.createObjectNode().put("changed", changed).put("version", table.getVersion())
                .put("author", table.getAuthor());
        table.getEvacuatedList().stream().sorted().forEach(body.putArray("failedOver")::add);
        ObjectNode pins = body.putObject("pins");
        new java.util.TreeMap<>(table.getPinsMap()).forEach(pins::put);
        return body.toString();
    }

    private static String rootMessage(Throwable failure) {
        Throwable c = failure;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null || c.getMessage().isEmpty() ? c.toString() : c.getMessage();
    }
}
