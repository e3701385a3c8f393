package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The client's single writer: one thread that owns the connection, the region cursor, every subscription's position
 * and the sending side of the outbox. The application's calls, the transports' events and the timers all arrive as
 * tasks on it, so none of that state needs a lock. What the application sees leaves through the
 * {@link EventDispatcher}.
 *
 * <p>The connection cycle: rank regions ({@link RegionDiscovery}) when there is no ranking or every region has
 * failed in turn; connect to the cursor's region (or a {@code move} target); on {@code connected}, resubscribe every
 * channel from its position and resend the outbox; on a close, wait a {@link Backoff} delay and go again, counting
 * the failure against the region unless the connection had been stable. Close 4001 with a fixed token stops it.
 */
final class ClientConductor implements ConnectionListener {
    private static final Logger LOG = LoggerFactory.getLogger(ClientConductor.class);
    private static final long STOP_WAIT_MS = 2_000;

    private record Move(String region, String url, long delayMs) {
    }

    private final ClientConfig config;
    private final ScheduledThreadPoolExecutor loop;
    private final EventDispatcher events;
    private final ConnectionContext ctx;
    private final RegionDiscovery discovery;
    private final Backoff backoff;
    private final Outbox outbox;
    private final List<Consumer<StateEvent>> stateListeners;
    private final List<Consumer<RegionChangeEvent>> regionListeners;
    /** The application's subscriptions by channel; written by the application's threads and the conductor. */
    private final Map<String, SubscriptionHandle> handles = new ConcurrentHashMap<>();
    private volatile Thread loopThread;

    // Conductor thread only.
    private final Map<String, ChannelSubscription> subscriptions = new LinkedHashMap<>();
    private RegionCursor cursor;
    private RankedRegion moveTarget;
    private Move pendingMove;
    private String longPollRegion;
    private String webSocketFailureRegion;
    private int webSocketFailures;
    private Connection connection;
    private long connectionIds;
    private long connectedAtMs = -1;
    private String session;
    private String lastRegion;
    private boolean running;
    private CompletableFuture<StateEvent> connected = new CompletableFuture<>();
    private ScheduledFuture<?> retryTimer;
    private ScheduledFuture<?> outboxTimer;

    // Written by the conductor, read by anyone.
    private volatile ConnectionState state = ConnectionState.IDLE;
    private volatile String region;
    private volatile Transport transport;
    private volatile Map<String, Duration> rtts = Map.of();
    private volatile boolean stopped;
    private volatile boolean closed;

    ClientConductor(ClientConfig config, List<Consumer<StateEvent>> stateListeners,
                    List<Consumer<RegionChangeEvent>> regionListeners) {
        this.config = config;
        this.stateListeners = stateListeners;
        this.regionListeners = regionListeners;
        String name = "meshgate-client-" + config.clientId();
        this.loop = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            loopThread = t;
            return t;
        }, new ThreadPoolExecutor.DiscardPolicy()); // after close, late transport events are simply dropped
        loop.setRemoveOnCancelPolicy(true);
        loop.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        loop.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.events = new EventDispatcher(name + "-events", config.eventQueueMessages(),
                () -> loop.execute(this::resumeReading));
        HttpClient http = config.httpClient() != null ? config.httpClient() : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
                .build();
        this.ctx = new ConnectionContext(http, loop, config, this);
        this.discovery = new RegionDiscovery(http, config);
        this.backoff = new Backoff(config.backoffBaseMs(), config.backoffCapMs(), config.random());
        this.outbox = new Outbox(config.outboxCapacity(), backoff, config.clock());
    }

    // ---- the application's calls (any thread) ---------------------------------------------------------------

    CompletableFuture<StateEvent> connect() {
        CompletableFuture<StateEvent> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new ClientStoppedException("closed"));
            return result;
        }
        loop.execute(() -> {
            if (!running) {
                running = true;
                stopped = false;
                if (connected.isDone()) {
                    connected = new CompletableFuture<>();
                }
                attempt();
            }
            connected.whenComplete((event, error) -> {
                if (error != null) {
                    result.completeExceptionally(error);
                } else {
                    result.complete(event);
                }
            });
        });
        return result;
    }

    Subscription subscribe(String channel, Consumer<Message> handler, SubscribeOptions options,
                           List<Consumer<GapEvent>> gapListeners) {
        if (closed) {
            throw new ClientStoppedException("closed");
        }
        SubscriptionHandle handle = new SubscriptionHandle(channel, handler, options, gapListeners, this::unsubscribe);
        if (handles.putIfAbsent(channel, handle) != null) {
            throw new IllegalStateException("already subscribed to " + channel + "; close that subscription first");
        }
        Position from = options.fromPosition();
        loop.execute(() -> {
            ChannelSubscription s = new ChannelSubscription(handle, new ChannelPosition(from, config.recentIds()));
            subscriptions.put(channel, s);
            if (isConnected()) {
                connection.subscribe(channel, s.position.position());
            }
        });
        return handle;
    }

    private void unsubscribe(SubscriptionHandle handle) {
        handles.remove(handle.channel(), handle);
        loop.execute(() -> {
            ChannelSubscription s = subscriptions.get(handle.channel());
            if (s != null && s.handle == handle) {
                subscriptions.remove(handle.channel());
                if (isConnected()) {
                    connection.unsubscribe(handle.channel());
                }
            }
        });
    }

    CompletableFuture<Ack> publish(String channel, String id, JsonNode data) {
        CompletableFuture<Ack> future = new CompletableFuture<>();
        if (closed || stopped) {
            future.completeExceptionally(closed
                    ? new PublishRefusedException("closed", "the client is closed")
                    : new PublishRefusedException("unauthorized", "the client stopped: its token was refused"));
            return future;
        }
        PendingPublish p = new PendingPublish(channel, id, data, future);
        switch (outbox.offer(p)) {
            case FULL -> future.completeExceptionally(new PublishRefusedException("queue_full", "the outbox holds "
                    + config.outboxCapacity() + " unacknowledged publishes"));
            case DUPLICATE_ID -> future.completeExceptionally(new PublishRefusedException("bad_request",
                    "a publish with id " + id + " on " + channel + " is still waiting for its ack"));
            case NONE -> {
                if (closed && outbox.remove(channel, id) != null) {
                    // close() emptied the outbox before this one arrived.
                    future.completeExceptionally(new PublishRefusedException("closed", "the client is closed"));
                }
                loop.execute(this::sendDue);
            }
        }
        return future;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.execute(() -> {
            running = false;
            cancelTimers();
            if (connection != null) {
                connection.close();
                connection = null;
            }
            failEverything("closed", new PublishRefusedException("closed", "the client was closed"));
            List<SubscriptionHandle> open = subscriptions.values().stream().map(s -> s.handle).toList();
            ClientStoppedException stoppedException = new ClientStoppedException("closed");
            events.completion(() -> open.forEach(h -> h.subscribed().completeExceptionally(stoppedException)));
            changeState(ConnectionState.CLOSED, StateEvent.closed("closed by the application"));
        });
        loop.shutdown();
        if (Thread.currentThread() != loopThread && !events.isEventThread()) {
            try {
                loop.awaitTermination(STOP_WAIT_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        events.stop(STOP_WAIT_MS);
    }

    ConnectionState state() {
        return state;
    }

    String region() {
        return region;
    }

    Transport transport() {
        return transport;
    }

    Map<String, Duration> rtts() {
        return rtts;
    }

    // ---- the connection cycle (conductor thread) ---------------------------------------------------------------

    private void attempt() {
        retryTimer = null;
        if (!running || connection != null) {
            return;
        }
        state = ConnectionState.CONNECTING;
        RankedRegion target = moveTarget != null ? moveTarget : cursor != null ? cursor.current() : null;
        if (target != null) {
            open(target);
            return;
        }
        discovery.rank().whenCompleteAsync(this::onRanked, loop);
    }

    private void onRanked(RegionRanking ranking, Throwable error) {
        if (!running || connection != null || retryTimer != null) {
            return;
        }
        if (error != null) {
            long delay = backoff.next();
            changeState(ConnectionState.DISCONNECTED, StateEvent.disconnected(null, null, null,
                    "region choice failed: " + Failures.describe(error), -1, true));
            scheduleAttempt(delay);
            return;
        }
        cursor = new RegionCursor(ranking, config.failuresPerRegion());
        rtts = ranking.rtts();
        LOG.info("{}: regions ranked by RTT: {}", config.clientId(), ranking.regions().stream()
                .map(r -> r.name() + (r.rtt() == null ? " (not measured)" : " " + r.rtt().toNanos() / 1_000 + " us"))
                .toList());
        open(cursor.current());
    }

    private void open(RankedRegion target) {
        String token;
        try {
            token = config.tokens().get();
        } catch (RuntimeException e) {
            long delay = backoff.next();
            changeState(ConnectionState.DISCONNECTED, StateEvent.disconnected(target.name(), null, null,
                    "the token supplier failed: " + Failures.describe(e), -1, true));
            scheduleAttempt(delay);
            return;
        }
        Transport use = transportFor(target);
        long id = ++connectionIds;
        connection = use == Transport.WEBSOCKET ? new WebSocketConnection(id, target, ctx)
                : new LongPollConnection(id, target, ctx);
        transport = use;
        pendingMove = null;
        changeState(ConnectionState.CONNECTING, StateEvent.connecting(target.name(), connection.url(), use));
        connection.open(token, session);
    }

    private Transport transportFor(RankedRegion target) {
        return switch (config.transport()) {
            case WEBSOCKET -> Transport.WEBSOCKET;
            case LONG_POLL -> Transport.LONG_POLL;
            case AUTO -> target.name().equals(longPollRegion) ? Transport.LONG_POLL : Transport.WEBSOCKET;
        };
    }

    private boolean isConnected() {
        return connection != null && connectedAtMs >= 0;
    }

    @Override
    public void onConnected(Connection c, String regionName, String node, String sessionId) {
        if (c != connection) {
            return;
        }
        connectedAtMs = config.clock().millis();
        if (sessionId != null) {
            session = sessionId;
        }
        String name = regionName != null ? regionName : c.endpoint().name();
        if (longPollRegion != null && !longPollRegion.equals(name)) {
            longPollRegion = null; // long-poll holds for one region, until the region changes
        }
        if (c.transport() == Transport.WEBSOCKET) {
            webSocketFailures = 0;
        }
        region = name;
        StateEvent event = StateEvent.connected(name, c.url(), c.transport(), node, sessionId);
        changeState(ConnectionState.CONNECTED, event);
        if (!name.equals(lastRegion)) {
            RegionChangeEvent change = new RegionChangeEvent(lastRegion, name, rtts);
            LOG.info("{}: region {} -> {}", config.clientId(), lastRegion, name);
            lastRegion = name;
            events.notice(() -> regionListeners.forEach(listener -> listener.accept(change)));
        }
        // A copy: a connection may refuse a subscription at once, which removes it from the map.
        for (ChannelSubscription s : new ArrayList<>(subscriptions.values())) {
            c.subscribe(s.handle.channel(), s.position.position());
        }
        sendDue();
        CompletableFuture<StateEvent> first = connected;
        events.completion(() -> first.complete(event));
    }

    @Override
    public void onClosed(Connection c, int code, String reason) {
        if (c != connection) {
            return;
        }
        connection = null;
        boolean reachedConnected = connectedAtMs >= 0;
        boolean stable = reachedConnected && config.clock().millis() - connectedAtMs >= config.stableAfterMs();
        connectedAtMs = -1;
        Move move = pendingMove;
        pendingMove = null;
        if (!running) {
            return;
        }
        RankedRegion endpoint = c.endpoint();
        if (move != null) {
            follow(move, c, code, reason);
            return;
        }
        if (code == 4001 && config.tokenIsFixed()) {
            stop(c, code, reason);
            return;
        }
        if (stable) {
            backoff.reset();
            if (cursor != null) {
                cursor.succeeded();
            }
        }
        long delay = backoff.next();
        changeState(ConnectionState.DISCONNECTED, StateEvent.disconnected(endpoint.name(), c.url(), c.transport(),
                reason, code, true));
        if (stable) {
            scheduleAttempt(delay);
            return;
        }
        moveTarget = null; // a move target that failed: back to the ranking
        if (!reachedConnected && c.transport() == Transport.WEBSOCKET && config.transport() == Transport.AUTO
                && countWebSocketFailure(endpoint.name()) >= 2) {
            // Two WebSocket failures in a row: if the region answers plain HTTP, WebSocket is what is blocked.
            discovery.answersPing(endpoint.httpUrl()).whenCompleteAsync((answers, error) -> {
                if (!running || connection != null) {
                    return;
                }
                if (Boolean.TRUE.equals(answers)) {
                    LOG.warn("{}: WebSocket to {} failed twice while it answers HTTP; using long-poll there",
                            config.clientId(), endpoint.name());
                    longPollRegion = endpoint.name();
                    webSocketFailures = 0;
                    if (cursor != null) {
                        cursor.succeeded();
                    }
                } else {
                    regionFailed();
                }
                scheduleAttempt(delay);
            }, loop);
            return;
        }
        regionFailed();
        scheduleAttempt(delay);
    }

    private int countWebSocketFailure(String regionName) {
        if (!regionName.equals(webSocketFailureRegion)) {
            webSocketFailureRegion = regionName;
            webSocketFailures = 0;
        }
        return ++webSocketFailures;
    }

    private void regionFailed() {
        if (cursor != null) {
            cursor.failed();
            if (cursor.exhausted()) {
                LOG.info("{}: every ranked region failed {} times in a row; ranking again", config.clientId(),
                        config.failuresPerRegion());
            }
        }
    }

    private void follow(Move move, Connection c, int code, String reason) {
        changeState(ConnectionState.DISCONNECTED, StateEvent.disconnected(c.endpoint().name(), c.url(),
                c.transport(), "moved: " + reason, code, true));
        if (move.url() != null) {
            String name = move.region() != null ? move.region() : c.endpoint().name();
            moveTarget = new RankedRegion(name, move.url(), RegionDiscovery.httpUrl(move.url()), null);
        } else {
            moveTarget = null;
            if (cursor != null) {
                cursor.next();
            }
        }
        LOG.info("{}: moving to {} in {} ms", config.clientId(), move.url() != null ? move.url()
                : "the next region", move.delayMs());
        scheduleAttempt(move.delayMs());
    }

    /** A fixed token was refused: retrying with it cannot succeed. */
    private void stop(Connection c, int code, String reason) {
        running = false;
        stopped = true;
        cancelTimers();
        LOG.warn("{}: token refused by {} ({}); stopping", config.clientId(), c.url(), reason);
        changeState(ConnectionState.DISCONNECTED, StateEvent.disconnected(c.endpoint().name(), c.url(),
                c.transport(), "unauthorized", code, false));
        failEverything("unauthorized", new PublishRefusedException("unauthorized", reason));
    }

    private void scheduleAttempt(long delayMs) {
        retryTimer = loop.schedule(this::attempt, delayMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMove(Connection c, String regionName, String url, long afterMs) {
        if (c != connection) {
            return;
        }
        // Jitter so that the clients of a draining node do not all arrive at the next one in the same instant.
        long spread = Math.max(config.moveJitterMinMs(), afterMs / 4);
        long jitter = (long) (config.random().nextDouble() * (spread + 1));
        pendingMove = new Move(regionName, url, afterMs + jitter);
    }

    // ---- subscriptions (conductor thread) ----------------------------------------------------------------------

    @Override
    public void onSubscribed(Connection c, String channel, Position head) {
        ChannelSubscription s = c == connection ? subscriptions.get(channel) : null;
        if (s == null) {
            return;
        }
        s.position.startAt(head);
        Position start = s.position.position();
        events.completion(() -> s.handle.started(start));
    }

    @Override
    public void onSubscribeRefused(Connection c, String channel, String code, String reason) {
        ChannelSubscription s = c == connection ? subscriptions.remove(channel) : null;
        if (s == null) {
            return;
        }
        handles.remove(channel, s.handle);
        LOG.warn("{}: subscription to {} refused: {} {}", config.clientId(), channel, code, reason);
        SubscribeRefusedException refusal = new SubscribeRefusedException(channel, code, reason);
        events.completion(() -> s.handle.refused(refusal));
    }

    @Override
    public void onMessage(Connection c, Message message) {
        ChannelSubscription s = c == connection ? subscriptions.get(message.channel()) : null;
        if (s != null && s.position.accept(message.epoch(), message.seq(), message.id())) {
            events.message(() -> s.handle.deliver(message));
        }
    }

    @Override
    public void onGap(Connection c, String channel, long from, long to) {
        ChannelSubscription s = c == connection ? subscriptions.get(channel) : null;
        if (s == null || !s.position.known()) {
            return;
        }
        long before = s.position.position().seq();
        s.position.skipTo(to);
        Position after = s.position.position();
        if (after.seq() != before) {
            GapEvent gap = new GapEvent(channel, from, to);
            events.message(() -> s.handle.gap(gap, after));
        }
    }

    @Override
    public Position positionOf(String channel) {
        ChannelSubscription s = subscriptions.get(channel);
        return s == null ? null : s.position.position();
    }

    @Override
    public boolean mayRead() {
        return events.hasRoom();
    }

    private void resumeReading() {
        if (connection != null) {
            connection.resumeReading();
        }
    }

    // ---- publishing (conductor thread) -------------------------------------------------------------------------

    private void sendDue() {
        if (!isConnected()) {
            return;
        }
        for (PendingPublish p : outbox.takeDue(connection.id())) {
            connection.publish(p);
        }
        if (outboxTimer != null) {
            outboxTimer.cancel(false);
            outboxTimer = null;
        }
        long next = outbox.nextDueInMs();
        if (next >= 0) {
            outboxTimer = loop.schedule(this::sendDue, Math.max(1, next), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void onAck(Connection c, Ack ack) {
        PendingPublish p = outbox.remove(ack.channel(), ack.id());
        if (p != null) {
            events.completion(() -> p.future.complete(ack));
            sendDue(); // an answer frees a place in the window
        }
    }

    @Override
    public void onNack(Connection c, String channel, String id, String code, String reason, long retryMs) {
        if (channel == null || id == null) {
            LOG.warn("{}: nack {} for a publish the server could not read: {}", config.clientId(), code, reason);
            return;
        }
        if (code.equals("unavailable")) {
            if (outbox.retryLater(channel, id) >= 0) {
                sendDue();
            }
            return;
        }
        if (code.equals("rate_limited") && retryMs >= 0) {
            // The server says when a retry is accepted; waiting that long keeps this connection from ever being
            // closed 4029 (PROTOCOL.md, publish), so a retried backlog is paced instead of given up.
            if (outbox.retryAfter(channel, id, retryMs) >= 0) {
                sendDue();
            }
            return;
        }
        PendingPublish p = outbox.remove(channel, id);
        if (p != null) {
            PublishRefusedException refusal = new PublishRefusedException(code, reason);
            events.completion(() -> p.future.completeExceptionally(refusal));
            sendDue();
        }
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    private void changeState(ConnectionState next, StateEvent event) {
        ConnectionState previous = state;
        state = next;
        if (next == ConnectionState.DISCONNECTED) {
            LOG.info("{}: {} -> {}: {} (close code {}){}", config.clientId(), previous, next, event.reason(),
                    event.closeCode(), event.retrying() ? "" : "; not retrying");
        } else {
            LOG.debug("{}: {} -> {} {} {}", config.clientId(), previous, next, event.region(), event.url());
        }
        events.notice(() -> stateListeners.forEach(listener -> listener.accept(event)));
    }

    private void cancelTimers() {
        if (retryTimer != null) {
            retryTimer.cancel(false);
            retryTimer = null;
        }
        if (outboxTimer != null) {
            outboxTimer.cancel(false);
            outboxTimer = null;
        }
    }

    /** The client stops: every promise not kept yet fails. */
    private void failEverything(String reason, PublishRefusedException publishFailure) {
        List<PendingPublish> pending = new ArrayList<>(outbox.removeAll());
        CompletableFuture<StateEvent> first = connected;
        ClientStoppedException stoppedException = new ClientStoppedException(reason);
        events.completion(() -> {
            pending.forEach(p -> p.future.completeExceptionally(publishFailure));
            first.completeExceptionally(stoppedException);
        });
    }
}
