package io.meshgate.relay.history;

import com.hazelcast.core.HazelcastInstance;
import io.meshgate.relay.channel.Message;
import io.meshgate.relay.region.ClusterSecret;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Seals every message a node stores in a channel's history in {@code meshgate.channels} and checks the seal on every
 * read that reaches a client or another region, with HMAC-SHA256 under the region's {@link ClusterSecret}: a member
 * of the region's Hazelcast cluster that does not hold the secret can still write the map (open-source Hazelcast
 * authenticates no one), but what it writes reads as missing, never as a message.
 *
 * <p>The seal ({@link Message#seal()}, {@link #TAG_BYTES} bytes) is the HMAC of a fixed label, {@link #VERSION} and
 * every field a subscriber sees: channel, epoch, seq, id, data and ts, each string length-prefixed. Binding the
 * channel and seq means a genuine message copied to another channel or seq does not open either. Who seals: the
 * partition owner in the sequencing step ({@link SequenceProcessor}, with the seal its member registered, see
 * {@link #of}); the calling node before it submits messages that come from another region (replica intake and the
 * reconciled tail a new home adopts). Who checks: {@link ChannelStore}, on the calling node, on each answer that
 * carries stored messages, so a partition owner without the secret cannot pass off a message either.
 *
 * <p>A read answer ({@link Range}) keeps its shape: a message that does not open is missing, so the seqs it stood for
 * join the gap at the front of the answer (G5: the client is told {@code gap}), or, after genuine messages, the
 * answer stops before it and the reader's next page starts with the gap. Every such message is counted
 * ({@link #forgedCount()}, exported as {@code meshgate_history_forged_total}) and logged at most once per 10 s.
 *
 * <p>Threads: {@link #seal} runs on partition threads (sequencing) and on whichever thread calls the store;
 * the checks run on the Hazelcast threads that complete the store's calls. Each thread uses its own {@link Mac}, so
 * all may run concurrently.
 */
public final class StoreSeal {
    /** Where {@code RegionMember} leaves the member's seal in Hazelcast's (member-local) user context. */
    public static final String USER_CONTEXT_KEY = "meshgate.history.storeSeal";
    public static final int TAG_BYTES = 32;
    static final byte VERSION = 1;
    private static final String ALGORITHM = "HmacSHA256";
    /** Domain separation from the delivery seal, which the same secret keys. */
    private static final byte[] LABEL = "meshgate.channels.message\0".getBytes(StandardCharsets.UTF_8);
    private static final long LOG_INTERVAL_MS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(StoreSeal.class);

    private final ThreadLocal<Mac> macs;
    private final Clock clock;
    private final AtomicLong forged = new AtomicLong();
    /** When the next warning may be logged (epoch ms); moved forward by the thread that logs. */
    private final AtomicLong nextLogMs = new AtomicLong();
    /** Messages found forged since the last warning. */
    private final AtomicLong forgedSinceLog = new AtomicLong();

    public StoreSeal(ClusterSecret secret) {
        this(secret, Clock.systemUTC());
    }

    /** @param clock paces the warning */
    public StoreSeal(ClusterSecret secret, Clock clock) {
        SecretKeySpec key = new SecretKeySpec(secret.key(), ALGORITHM);
        newMac(key); // fail at construction, not on the first message, if the JVM lacks the algorithm
        this.macs = ThreadLocal.withInitial(() -> newMac(key));
        this.clock = clock;
    }

    /**
     * The seal of the member {@code hazelcast} is: the one {@code RegionMember} registered under
     * {@link #USER_CONTEXT_KEY}. A member started without one (only a test's plain Hazelcast member) seals with the
     * loopback key of its cluster name, as any process could on a loopback region; in a region with a
     * {@code cluster.secret} its seals do not open, so whatever it sequences reads as missing.
     */
    public static StoreSeal of(HazelcastInstance hazelcast) {
        Object registered = hazelcast.getUserContext().get(USER_CONTEXT_KEY);
        if (registered instanceof StoreSeal seal) {
            return seal;
        }
        return new StoreSeal(ClusterSecret.loopbackDefault(hazelcast.getConfig().getClusterName()));
    }

    private static Mac newMac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is not available in this JVM", e);
        }
    }

    /** {@code message} carrying this region's seal. */
    public Message seal(Message message) {
        return message.withSeal(tag(message));
    }

    /** Each message sealed, in order. */
    public List<Message> sealAll(List<Message> messages) {
        List<Message> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            out.add(seal(m));
        }
        return out;
    }

    /**
     * True when {@code message} belongs to {@code channel} and carries this region's seal over exactly its fields.
     * Counts nothing.
     */
    public boolean opens(String channel, Message message) {
        byte[] seal = message.seal();
        if (seal == null || seal.length != TAG_BYTES || !channel.equals(message.channel())) {
            return false;
        }
        // Constant time: how much of a guessed tag matched must not show in how long the check took.
        return MessageDigest.isEqual(tag(message), seal);
    }

    /**
     * A read of {@code channel} after {@code afterSeq} as a reader may see it: genuine messages, contiguous from the
     * gap (or from {@code afterSeq + 1}); a message that does not open, or does not stand at the seq it should, is
     * missing. Missing seqs before the first genuine message join the front gap; after one, the answer stops there,
     * so the reader's next read (which starts there) gets them as its gap. An answer of forged messages only gets a
     * gap over as many seqs as they stood for (never past the head), so the reader moves on.
     *
     * @param afterSeq the read's {@code afterSeq} (negative counts as 0, as the read does)
     */
    public Range check(String channel, long afterSeq, Range range) {
        List<Message> messages = range.messages();
        if (messages.isEmpty()) {
            return range;
        }
        long gapFrom = range.gapFrom();
        long gapTo = range.gapTo();
        long next = (range.hasGap() ? gapTo : Math.max(afterSeq, 0)) + 1;
        List<Message> genuine = new ArrayList<>(messages.size());
        int forgedHere = 0;
        int forgedRun = 0;
        boolean stopped = false;
        for (Message m : messages) {
            if (m.seq() < next || m.seq() > range.head() || !opens(channel, m)) {
                forgedHere++;
                forgedRun++;
                continue;
            }
            if (m.seq() > next) {
                if (!genuine.isEmpty()) {
                    // Seqs next.. are missing here: the answer ends before them. Counted once: as the forged
                    // messages that stood there, or, when none did, as the message out of its place.
                    if (forgedRun == 0) {
                        forgedHere++;
                    }
                    stopped = true;
                    break;
                }
                if (gapFrom == 0) {
                    gapFrom = next;
                }
                gapTo = m.seq() - 1;
            }
            genuine.add(m);
            next = m.seq() + 1;
            forgedRun = 0;
        }
        if (forgedHere == 0) {
            return range;
        }
        if (!stopped && genuine.isEmpty() && forgedRun > 0) {
            long to = Math.min(range.head(), next + forgedRun - 1);
            if (to >= next) {
                if (gapFrom == 0) {
                    gapFrom = next;
                }
                gapTo = to;
            }
        }
        onForged(channel, forgedHere);
        return new Range(range.epoch(), range.head(), genuine, gapFrom, gapTo, range.term(), range.owner());
    }

    /** The messages of {@code channel} that open, in order; the others are counted and left out. */
    public List<Message> check(String channel, List<Message> messages) {
        List<Message> out = null;
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            if (opens(channel, m)) {
                if (out != null) {
                    out.add(m);
                }
            } else if (out == null) {
                out = new ArrayList<>(messages.subList(0, i));
            }
        }
        if (out == null) {
            return messages;
        }
        onForged(channel, messages.size() - out.size());
        return out;
    }

    /**
     * A sequencing step's outcomes with every message that does not open (or does not stand at its outcome's
     * position) taken out: a duplicate's message comes from history, and a new one from whichever member owns the
     * partition. An outcome without its message is not fanned out; readers fill it from history (where it is a gap).
     */
    public SequenceResult check(String channel, SequenceResult result) {
        List<Sequenced> outcomes = null;
        int forgedHere = 0;
        for (int i = 0; i < result.outcomes().size(); i++) {
            Sequenced s = result.outcomes().get(i);
            Sequenced kept = s;
            if (s.message() != null && (s.message().seq() != s.position().seq() || !opens(channel, s.message()))) {
                kept = new Sequenced(s.position(), null, s.duplicate());
                forgedHere++;
            }
            if (kept != s && outcomes == null) {
                outcomes = new ArrayList<>(result.outcomes().subList(0, i));
            }
            if (outcomes != null) {
                outcomes.add(kept);
            }
        }
        if (outcomes == null) {
            return result;
        }
        onForged(channel, forgedHere);
        return new SequenceResult(outcomes, result.routes(), result.durable(), result.needsReconcile(),
                result.term(), result.retentionOverflow());
    }

    /** Stored messages found forged since this node started: {@code meshgate_history_forged_total}. */
    public long forgedCount() {
        return forged.get();
    }

    private void onForged(String channel, int count) {
        forged.addAndGet(count);
        long found = forgedSinceLog.addAndGet(count);
        long now = clock.millis();
        long next = nextLogMs.get();
        if (now >= next && nextLogMs.compareAndSet(next, now + LOG_INTERVAL_MS)) {
            forgedSinceLog.addAndGet(-found);
            LOG.warn("served {} stored message(s) as missing (last on channel {}): not sealed with the region's"
                    + " cluster.secret; a cluster member without the secret wrote meshgate.channels, or the region's"
                    + " nodes disagree on cluster.secret; next warning in {} s at the earliest", found, channel,
                    LOG_INTERVAL_MS / 1000);
        }
    }

    private byte[] tag(Message m) {
        Mac mac = macs.get();
        mac.update(LABEL);
        mac.update(VERSION);
        update(mac, m.channel());
        update(mac, m.epoch());
        mac.update(ByteBuffer.allocate(Long.BYTES).putLong(m.seq()).array());
        update(mac, m.id());
        update(mac, m.dataJson());
        mac.update(ByteBuffer.allocate(Long.BYTES).putLong(m.ts()).array());
        return mac.doFinal();
    }

    /** Length-prefixed, so no two different field lists run together into the same bytes. */
    private static void update(Mac mac, String field) {
        byte[] bytes = (field == null ? "" : field).getBytes(StandardCharsets.UTF_8);
        mac.update(ByteBuffer.allocate(Integer.BYTES).putInt(field == null ? -1 : bytes.length).array());
        mac.update(bytes);
    }
}
