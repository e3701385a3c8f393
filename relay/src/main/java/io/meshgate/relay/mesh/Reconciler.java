package io.meshgate.relay.mesh;

import io.meshgate.proto.relay.LinkFrame;
import io.meshgate.proto.relay.RangeReply;
import io.meshgate.proto.relay.RangeRequest;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.fanout.DeliveryCodec;
import io.meshgate.relay.fanout.RegionFanOut;
import io.meshgate.relay.history.ChannelStore;
import io.meshgate.relay.history.FenceResult;
import io.meshgate.relay.history.SeenId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes this region a channel's home before it sequences anything there: when the channel is new here, when this
 * region restarted from empty state, when it took the channel over from a region that went down, and when it takes
 * it back. It proposes a term above every fence it knows of; this region and every reachable peer promise (in one
 * atomic step with reading what they hold) to refuse deliveries of lower terms, so the previous home can no longer
 * make anything durable; with enough promises (see {@link Homes#quorum}) it adopts what they hold, added up by
 * {@link Reconciliation}, under the new term and a new epoch. A refused promise means a newer term exists: it tries
 * again above it, a few times. The caller's batch fails (nack {@code unavailable}, retried by id) when this fails.
 */
final class Reconciler {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final int MAX_ATTEMPTS = 4;

    private final MeshSettings settings;
    private final ChannelStore store;
    private final Links links;
    private final Homes homes;
    private final RegionFanOut fanOut;
    private final int maxTail;
    private final Counter reconciled;
    private final Counter failed;
    private final Counter termChanges;
    private final Handovers handovers;
    private final ConcurrentHashMap<String, CompletableFuture<Void>> inFlight = new ConcurrentHashMap<>();
    private final Liveness liveness;
    private final InterestTable interest;

    Reconciler(MeshSettings settings, ChannelStore store, Links links, Homes homes, Liveness liveness,
               InterestTable interest, RegionFanOut fanOut, int maxTail, MeterRegistry meters, Handovers handovers) {
        this.handovers = handovers;
        this.interest = interest;
        this.settings = settings;
        this.liveness = liveness;
        this.store = store;
        this.links = links;
        this.homes = homes;
        this.fanOut = fanOut;
        this.maxTail = maxTail;
        this.reconciled = Counter.builder("meshgate.mesh.reconciliations").tag("outcome", "adopted")
                .description("channels this region became home of after reconciling them").register(meters);
        this.failed = Counter.builder("meshgate.mesh.reconciliations").tag("outcome", "failed")
                .description("reconciliations that could not finish (publishes nacked unavailable)")
                .register(meters);
        this.termChanges = Counter.builder("meshgate.mesh.term.changes").register(meters);
    }

    /** Reconciles the channel; a caller that finds a reconciliation of it under way waits for that one. */
    CompletableFuture<Void> reconcile(String channel) {
        if (homes.rehomes() && (!liveness.canServe() || !homes.home(channel).equals(settings.region()))) {
            // Only the home of the region's one liveness view takes a channel, and only once it may serve: a region
            // that came back waits out mesh.failbackHoldMs before it fences the interim home.
            return CompletableFuture.failedFuture(new MeshUnavailableException("region " + settings.region()
                    + " is not (yet) the home of " + channel));
        }
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = inFlight.putIfAbsent(channel, mine);
        if (running != null) {
            return running;
        }
        attempt(channel, 1, 1).whenComplete((ok, failure) -> {
            inFlight.remove(channel, mine);
            if (failure != null) {
                failed.increment();
                LOG.warn("channel {} could not be reconciled here: {}", channel, Mesh.rootMessage(failure));
                mine.completeExceptionally(failure);
            } else {
                mine.complete(null);
            }
        });
        return mine;
    }

    private CompletableFuture<Void> attempt(String channel, long term, int attempt) {
        // Counted before this region promises itself anything: an attempt that cannot reach a quorum must not use
        // up a term (a fresh mesh would otherwise start its channels at term 7 while its links come up).
        // Only regions live in the liveness view are asked: one that is down may still look reachable through a relay
        // whose RTT table lags, and waiting for it would hold the take-over for mesh.requestTimeoutMs. The quorum
        // is counted over the live ones, so nothing acked can be missed.
        List<String> peers = new ArrayList<>();
        java.util.Set<String> live = liveness.live();
        for (String peer : settings.peers().keySet()) {
            if (links.reachable(peer) && (!homes.rehomes() || live.contains(peer))) {
                peers.add(peer);
            }
        }
        if (1 + peers.size() < homes.quorum()) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("making region "
                    + settings.region() + " the home of " + channel + " needs " + homes.quorum()
                    + " regions, and only " + (1 + peers.size()) + " are reachable"));
        }
        return store.fence(channel, term, settings.region(), maxTail).toCompletableFuture().thenCompose(own -> {
            if (!own.granted()) {
                return retry(channel, own.fence() + 1, attempt);
            }
            List<CompletableFuture<RangeReply>> asked = new ArrayList<>();
            for (String peer : peers) {
                asked.add(links.request(peer, id -> LinkFrame.newBuilder().setRangeRequest(RangeRequest.newBuilder()
                                .setChannel(channel).setFenceTerm(term).setMaxMessages(maxTail).setRequestId(id))
                                .build())
                        .thenApply(LinkFrame::getRangeReply)
                        .exceptionally(failure -> null));
            }
            return CompletableFuture.allOf(asked.toArray(CompletableFuture[]::new))
                    .thenCompose(all -> adoptAnswers(channel, term, attempt, own, peers, asked));
        });
    }

    private CompletableFuture<Void> adoptAnswers(String channel, long term, int attempt, FenceResult own,
                                                 List<String> peers, List<CompletableFuture<RangeReply>> asked) {
        List<Reconciliation.Answer> answers = new ArrayList<>();
        answers.add(new Reconciliation.Answer(settings.region(), own.held().term(), own.held().head(), own.durable(),
                own.held().messages(), own.seenIds()));
        List<String> interested = new ArrayList<>();
        long newerTerm = 0;
        List<String> silent = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            RangeReply reply = asked.get(i).join();
            if (reply == null || !reply.getError().isEmpty()) {
                silent.add(peers.get(i));
            } else if (!reply.getFenceGranted()) {
                newerTerm = Math.max(newerTerm, reply.getFence());
            } else {
                answers.add(new Reconciliation.Answer(peers.get(i), reply.getTerm(), reply.getHead().getSeq(),
                        reply.getDurableSeq(), DeliveryCodec.fromProto(reply.getMessagesList()),
                        reply.getSeenIdsList().stream().map(s -> new SeenId(s.getId(), s.getPosition().getEpoch(),
                                s.getPosition().getSeq(), s.getTs())).toList()));
                if (reply.getInterested()) {
                    interested.add(peers.get(i));
                }
            }
        }
        if (newerTerm > 0) {
            return retry(channel, newerTerm + 1, attempt);
        }
        if (answers.size() < homes.quorum()) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("making region " + settings.region()
                    + " the home of " + channel + " needs " + homes.quorum() + " regions; " + silent
                    + " did not answer"));
        }
        Reconciliation.Merged merged = Reconciliation.merge(answers, maxTail);
        String epoch = store.regionEpoch() + "-" + term;
        // Regions with subscribers get every message from the first this home sequences, even if their interest
        // update has not reached this region yet (a home that restarted empty knows nobody's interest).
        interested.forEach(region -> interest.add(region, List.of(channel)));
        return store.adopt(channel, term, settings.region(), epoch, merged.tail(), merged.head(),
                merged.durableThrough(), merged.seenIds()).toCompletableFuture().thenAccept(adopted -> {
                    if (adopted == null) {
                        throw new MeshUnavailableException("a newer home fenced region " + settings.region()
                                + " while it reconciled " + channel);
                    }
                    reconciled.increment();
                    if (term > 1) {
                        termChanges.increment();
                        Handovers.Kind kind = homes.handoverKind(channel);
                        if (kind != null) {
                            handovers.count(kind);
                        }
                    }
                    LOG.info("region {} is home of {} from term {} (epoch {}): head {}, durable {}, {} messages"
                                    + " adopted; answers from {}, none from {}", settings.region(), channel, term,
                            epoch, merged.head(), merged.durableThrough(), merged.tail().size(),
                            answers.stream().map(a -> a.region() + "@" + a.term() + ":" + a.head()).toList(), silent);
                    if (!adopted.newlyVisible().isEmpty()) {
                        fanOut.send(channel, adopted.newlyVisible(), adopted.routes());
                    }
                });
    }

    private CompletableFuture<Void> retry(String channel, long term, int attempt) {
        if (attempt >= MAX_ATTEMPTS) {
            return CompletableFuture.failedFuture(new MeshUnavailableException("channel " + channel
                    + " is being taken over by another region (term " + (term - 1) + ")"));
        }
        return attempt(channel, term, attempt + 1);
    }
}
