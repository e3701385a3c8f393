package io.meshgate.edge.server;

import io.meshgate.edge.auth.TokenVerifier;
import io.meshgate.edge.delivery.FeedRegistry;
import io.meshgate.edge.session.PublishService;
import io.meshgate.edge.session.SubjectRateLimiters;
import io.meshgate.relay.history.ChannelSource;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/** The services every handler of one edge shares. */
public record EdgeContext(EdgeSettings settings, TokenVerifier tokens, FeedRegistry feeds, PublishService publishes,
                          SubjectRateLimiters clientLimits, ChannelSource store, MeterRegistry meters, Clock clock,
                          ScheduledExecutorService timer) {
}
