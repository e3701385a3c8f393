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
    /** When the last ack (or, before any, the first publish) left: nanoTime, 0 before anything. */
    private final java.util.concurrent.atomic.AtomicLong lastAckNanos = new java.util.concurrent.atomic.AtomicLong();
    private final Timer latency;
    private final MeterRegistry meters;

    public PublishService(Publisher sequencer, MeterRegistry meters) {
        this.sequencer = sequencer;
        this.meters = meters;
        this.latency = Timer.builder("meshgate.publish.latency").description("publish to ack, at this node")
                .publishPercentiles(0.5, 0.99, 0.999).register(meters);
        meters.gauge("meshgate.publish.inflight", inFlight);
        // Exported at zero from the start, so a dashboard's nack rate is 0 rather than absent before the first one.
        meters.counter("meshgate.publish.nacks", "code", "unavailable");
        io.micrometer.core.instrument.Gauge.builder("meshgate.publish.ack.gap", this, PublishService::ackGapSeconds)
                .baseUnit("seconds").register(meters);
    }

    /** Seconds since the last ack while some publish waits for one; 0 when none waits. Any thread. */
    private double ackGapSeconds() {
        if (inFlight.get() == 0) {
            return 0;
        }
        long since = lastAckNanos.get();
        return since == 0 ? 0 : (System.nanoTime() - since) / 1e9;
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
        if (inFlight.getAndIncrement() == 0) {
            // Nothing was waiting: the gap is measured from now, not from an ack long ago.
            lastAckNanos.set(start);
        }
        return sequencer.publish(command.channel(), new PublishRequest(command.id(), command.dataJson()))
                .handle((outcome, failure) -> {
                    inFlight.decrementAndGet();
                    if (failure != null) {
                        ChannelLimitException limit = ChannelLimitException.in(failure);
                        return nack(command.id(), command.channel(), ErrorCode.UNAVAILABLE, limit != null
                                ? limit.getMessage() : "the region could not sequence the message now; retry with the same id");
                    }
                    long acked = System.nanoTime();
                    lastAckNanos.set(acked);
                    latency.record(acked - start, java.util.concurrent.TimeUnit.NANOSECONDS);
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
