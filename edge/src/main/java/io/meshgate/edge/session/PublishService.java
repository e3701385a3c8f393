package io.meshgate.edge.session;

import io.meshgate.edge.auth.Principal;
import io.meshgate.edge.protocol.ErrorCode;
import io.meshgate.edge.protocol.Frames;
import io.meshgate.relay.history.PublishRequest;
import io.meshgate.relay.publish.Publisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import io.meshgate.relay.history.ChannelLimitException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Turns a validated publish into an {@code ack} or {@code nack}, identical on both transports. Counts publishes in
 * flight so a draining node can wait for their acks.
 */
public final class PublishService {
    private final Publisher sequencer;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Timer latency;
    private final MeterRegistry meters;

    public PublishService(Publisher sequencer, MeterRegistry meters) {
        this.sequencer = sequencer;
        this.meters = meters;
        this.latency = Timer.builder("meshgate.publish.latency").description("publish to ack, at this node")
                .publishPercentiles(0.5, 0.99, 0.999).register(meters);
        meters.gauge("meshgate.publish.inflight", inFlight);
    }

    /** The reply to a publish: an ack or nack frame, and the HTTP status the long-poll transport uses. */
    public record Reply(String frame, int httpStatus, boolean acked) {
    }

    public CompletionStage<Reply> publish(Principal principal, PublishCommand command) {
        if (!principal.canPublish(command.channel())) {
            return CompletableFuture.completedFuture(nack(command.id(), command.channel(), ErrorCode.FORBIDDEN,
                    "the token does not allow publishing to " + command.channel()));
        }
        long start = System.nanoTime();
        inFlight.incrementAndGet();
        return sequencer.publish(command.channel(), new PublishRequest(command.id(), command.dataJson()))
                .handle((outcome, failure) -> {
                    inFlight.decrementAndGet();
                    if (failure != null) {
                        ChannelLimitException limit = ChannelLimitException.in(failure);
                        return nack(command.id(), command.channel(), ErrorCode.UNAVAILABLE, limit != null
                                ? limit.getMessage() : "the region could not sequence the message now; retry with the same id");
                    }
                    latency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    return new Reply(Frames.ack(command.id(), command.channel(), outcome.position().epoch(),
                            outcome.position().seq()), 200, true);
                });
    }

    public Reply nack(String id, String channel, ErrorCode code, String reason) {
        meters.counter("meshgate.publish.nacks", "code", code.wire()).increment();
        return new Reply(Frames.nack(id, channel, code, reason), code.httpStatus(), false);
    }

    public int inFlight() {
        return inFlight.get();
    }
}
