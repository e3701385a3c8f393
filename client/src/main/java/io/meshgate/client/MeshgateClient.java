package io.meshgate.client;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A Meshgate client: connects to the region with the lowest RTT, stays connected (reconnecting with backoff, to
 * another region when one keeps failing, over long-poll where WebSocket is blocked), resumes every subscription from
 * its last position wherever it lands, and retries unacknowledged publishes with their original ids. The behaviour is
 * specified in {@code docs/clients.md}.
 *
 * <pre>{@code
 * MeshgateClient client = MeshgateClient.builder(URI.create("https://edge.example.com")).token(jwt).build();
 * client.onState(e -> log.info("{}", e));
 * client.connect().get(10, TimeUnit.SECONDS);
 * Subscription sub = client.subscribe("chat:room1", m -> show(m.data()));
 * client.publish("chat:room1", Map.of("text", "hi")).thenAccept(ack -> log.info("seq {}", ack.seq()));
 * client.close();
 * }</pre>
 *
 * <p>Threads: every method may be called from any thread. Callbacks (messages, gaps, state and region events) and
 * the completion of every future this client returns run on the client's one event thread, in order; a callback
 * that blocks holds up the ones after it (and, once {@code eventQueueMessages} are waiting, reading from the
 * network), so never wait there for a future of this same client.
 */
public final class MeshgateClient implements AutoCloseable {
    private final ClientConductor conductor;
    private final String clientId;
    private final AtomicLong nextId = new AtomicLong();
    private final List<Consumer<StateEvent>> stateListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<RegionChangeEvent>> regionListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<GapEvent>> gapListeners = new CopyOnWriteArrayList<>();

    private MeshgateClient(ClientConfig config) {
        this.clientId = config.clientId();
        this.conductor = new ClientConductor(config, stateListeners, regionListeners);
    }

    /** A builder with one seed: the base URL of any edge of any region ({@code http[s]://host:port}). */
    public static Builder builder(URI seed) {
        return new Builder().seed(seed);
    }

    /**
     * Starts connecting (once; later calls just return the same outcome). Completes with the {@code CONNECTED} event
     * once connected; it does not fail while the client keeps retrying, so give {@code get} a time-out. Fails with
     * {@link ClientStoppedException} when the client stops (closed, or a fixed token refused).
     */
    public CompletableFuture<StateEvent> connect() {
        return conductor.connect();
    }

    /** Subscribes from the channel's head. */
    public Subscription subscribe(String channel, Consumer<Message> handler) {
        return subscribe(channel, handler, SubscribeOptions.live());
    }

    /**
     * Subscribes; may be called before {@link #connect()}. One subscription per channel at a time
     * ({@link IllegalStateException} otherwise).
     */
    public Subscription subscribe(String channel, Consumer<Message> handler, SubscribeOptions options) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(handler, "handler");
        return conductor.subscribe(channel, handler, options == null ? SubscribeOptions.live() : options,
                gapListeners);
    }

    /**
     * Publishes {@code data} (a {@link JsonNode}, or anything Jackson can turn into JSON) with an id of the form
     * {@code <clientId>-<counter>}. Completes with the server's ack; fails with {@link PublishRefusedException}. Until
     * acked it waits in the outbox, and is sent again with the same id after every reconnect.
     */
    public CompletableFuture<Ack> publish(String channel, Object data) {
        return publish(channel, clientId + "-" + String.format("%06d", nextId.incrementAndGet()), data);
    }

    /** As {@link #publish(String, Object)}, with the application's own id (unique per channel). */
    public CompletableFuture<Ack> publish(String channel, String id, Object data) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(id, "id");
        JsonNode json = data instanceof JsonNode node ? node : Json.MAPPER.valueToTree(data);
        return conductor.publish(channel, id, json);
    }

    /** Called on the event thread at every state change. */
    public void onState(Consumer<StateEvent> listener) {
        stateListeners.add(Objects.requireNonNull(listener));
    }

    /** Called on the event thread when the client connects to another region than before (and at the first connect). */
    public void onRegionChange(Consumer<RegionChangeEvent> listener) {
        regionListeners.add(Objects.requireNonNull(listener));
    }

    /** Called on the event thread for every gap of every subscription. */
    public void onGap(Consumer<GapEvent> listener) {
        gapListeners.add(Objects.requireNonNull(listener));
    }

    public ConnectionState state() {
        return conductor.state();
    }

    /** The region connected to (or last connected to); null before the first connection. */
    public String region() {
        return conductor.region();
    }

    /** The median RTT of each reachable region at the last ranking, lowest first. */
    public Map<String, Duration> rtts() {
        return conductor.rtts();
    }

    /** The transport of the current (or last) connection; null before the first attempt. */
    public Transport transport() {
        return conductor.transport();
    }

    /** The prefix of the ids this client generates. */
    public String clientId() {
        return clientId;
    }

    /**
     * Stops for good: closes the connection, fails unacknowledged publishes ({@code closed}), reports {@code CLOSED},
     * and ends the client's threads after the callbacks already queued have run (waiting up to 2 s each).
     */
    @Override
    public void close() {
        conductor.close();
    }

    /** Options; each has the default that {@code docs/clients.md} gives. */
    public static final class Builder {
        private final Set<URI> seeds = new LinkedHashSet<>();
        private Supplier<String> tokens = () -> null;
        private boolean tokenIsFixed = true;
        private Transport transport = Transport.AUTO;
        private Clock clock;
        private RandomGenerator random;
        private String clientId;
        private final Set<String> regions = new LinkedHashSet<>();
        private HttpClient httpClient;
        private Duration backoffBase = Duration.ofMillis(250);
        private Duration backoffCap = Duration.ofSeconds(30);
        private Duration stableAfter = Duration.ofSeconds(60);
        private int failuresPerRegion = 2;
        private int probes = 3;
        private Duration probeTimeout = Duration.ofSeconds(2);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration pollWait = Duration.ofSeconds(25);
        private int outboxCapacity = 1_000;
        private int recentIds = 1_000;
        private int eventQueueMessages = 10_000;
        private Duration moveJitterMin = Duration.ofMillis(250);

        private Builder() {
        }

        /** Another edge URL to fetch {@code /v1/regions} from when the earlier ones do not answer. */
        public Builder seed(URI seed) {
            seeds.add(Objects.requireNonNull(seed, "seed"));
            return this;
        }

        /** A fixed JWT. When an edge refuses it (close 4001 / HTTP 401) the client stops. Default: no token. */
        public Builder token(String token) {
            this.tokens = () -> token;
            this.tokenIsFixed = true;
            return this;
        }

        /**
         * The application's token callback. Called before every connect (a refused token is asked for again, with
         * the backoff), and before the current token's {@code exp} (a minute before, or halfway through a shorter
         * lifetime) to send the fresh one with {@code refresh}, so a WebSocket outlives its tokens without
         * reconnecting. Called on the client's conductor thread: return quickly (a cached token, or null to skip).
         */
        public Builder tokenSupplier(Supplier<String> supplier) {
            this.tokens = Objects.requireNonNull(supplier);
            this.tokenIsFixed = false;
            return this;
        }

        /** Default {@link Transport#AUTO}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport);
            return this;
        }

        /** The clock behind backoff resets, ping silence and outbox retries. Default: monotonic system time. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** The randomness behind backoff and move jitter and the default client id. Default: a new {@link Random}. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random);
            return this;
        }

        /** The prefix of generated publish ids; 1 to 64 of {@code [A-Za-z0-9_.:-]}. Default: 10 random characters. */
        public Builder clientId(String clientId) {
            this.clientId = clientId;
            return this;
        }

        /** Consider only these regions (by name) when ranking. Default: every region {@code /v1/regions} lists. */
        public Builder regions(String... names) {
            regions.addAll(List.of(names));
            return this;
        }

        /** An HTTP client to share between clients. Default: one per client (HTTP/1.1). */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient);
            return this;
        }

        /** Reconnect backoff: full jitter over {@code min(cap, base * 2^n)}. Default 250 ms and 30 s. */
        public Builder backoff(Duration base, Duration cap) {
            this.backoffBase = Objects.requireNonNull(base);
            this.backoffCap = Objects.requireNonNull(cap);
            return this;
        }

        /** A connection that stayed up this long resets the backoff and the region's failures. Default 60 s. */
        public Builder stableAfter(Duration stableAfter) {
            this.stableAfter = Objects.requireNonNull(stableAfter);
            return this;
        }

        /** Failed attempts in a row on a region before the next region is tried. Default 2. */
        public Builder failuresPerRegion(int failures) {
            this.failuresPerRegion = failures;
            return this;
        }

        /** RTT probes per region, and how long one may take before it counts as failed. Default 3 and 2 s. */
        public Builder probes(int count, Duration timeout) {
            this.probes = count;
            this.probeTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Time-out of {@code /v1/regions}, {@code /v1/publish} and head queries. Default 10 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** From opening a WebSocket to {@code connected}. Default 10 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** How long the server may hold a long-poll (0 to 55 s). Default 25 s. */
        public Builder pollWait(Duration wait) {
            this.pollWait = Objects.requireNonNull(wait);
            return this;
        }

        /** Unacknowledged publishes kept for retry; one more fails at once with {@code queue_full}. Default 1,000. */
        public Builder outboxCapacity(int capacity) {
            this.outboxCapacity = capacity;
            return this;
        }

        /** Message ids remembered per channel to drop repeats. Default 1,000. */
        public Builder recentIds(int count) {
            this.recentIds = count;
            return this;
        }

        /** Messages waiting for the application's callbacks before the client stops reading. Default 10,000. */
        public Builder eventQueueMessages(int count) {
            this.eventQueueMessages = count;
            return this;
        }

        /** The least jitter range added to a {@code move}'s {@code after_ms}. Default 250 ms. */
        public Builder moveJitterMin(Duration min) {
            this.moveJitterMin = Objects.requireNonNull(min);
            return this;
        }

        /** Validates the options (an {@link IllegalArgumentException} names the bad one) and builds the client. */
        public MeshgateClient build() {
            RandomGenerator rng = random != null ? random : new Random();
            String id = clientId != null ? clientId : randomId(rng);
            return new MeshgateClient(new ClientConfig(new ArrayList<>(seeds), tokens, tokenIsFixed, transport,
                    clock != null ? clock : new MonotonicClock(), rng, id, regions, httpClient,
                    backoffBase.toMillis(), backoffCap.toMillis(), stableAfter.toMillis(), failuresPerRegion, probes,
                    probeTimeout.toMillis(), requestTimeout.toMillis(), connectTimeout.toMillis(), pollWait.toMillis(),
                    outboxCapacity, recentIds, eventQueueMessages, moveJitterMin.toMillis()));
        }

        private static String randomId(RandomGenerator rng) {
            String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
            StringBuilder id = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                id.append(alphabet.charAt(rng.nextInt(alphabet.length())));
            }
            return id.toString();
        }
    }
}
