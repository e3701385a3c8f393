package io.meshgate.relay.mesh;

import io.meshgate.relay.channel.Message;
import io.meshgate.relay.history.SeenId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds up what the regions a reconciling home heard from hold of a channel into the log it adopts.
 *
 * <p>The newest term wins: its home adopted every message that was durable before it, so where regions disagree at
 * a seq, the message of an older term there was never durable (never acked, never delivered). Messages of an older
 * term count only up to that region's durable mark; everything of the newest term counts, undurable tail included
 * (its home may have acked it since, and a retried id must find it). The head is the highest seq that counts, so a
 * seq that may have been acked is never handed out again.
 */
final class Reconciliation {
    private Reconciliation() {
    }

    /**
     * What one region answered: its term, head and durable mark, the messages it holds (contiguous) and the ids it
     * remembers with their positions.
     */
    record Answer(String region, long term, long head, long durable, List<Message> messages, List<SeenId> seenIds) {
        Answer(String region, long term, long head, long durable, List<Message> messages) {
            this(region, term, head, durable, messages, List.of());
        }
    }

    /**
     * The log to adopt: {@code tail} (contiguous, possibly empty) ends at {@code head}; everything up to
     * {@code durableThrough} is known to be in two regions.
     */
    record Merged(long head, long durableThrough, List<Message> tail, long newestTerm, List<SeenId> seenIds) {
    }

    static Merged merge(List<Answer> answers, int maxTail) {
        long newest = 0;
        for (Answer a : answers) {
            newest = Math.max(newest, a.term());
        }
        long head = 0;
        long durable = 0;
        Map<Long, Message> bySeq = new HashMap<>();
        for (Answer a : answers) {
            long counts = a.term() == newest ? a.head() : a.durable();
            head = Math.max(head, counts);
            durable = Math.max(durable, Math.min(a.durable(), counts));
            if (a.term() == newest) {
                for (Message m : a.messages()) {
                    bySeq.put(m.seq(), m);
                }
            }
        }
        for (Answer a : answers) {
            if (a.term() != newest) {
                for (Message m : a.messages()) {
                    if (m.seq() <= a.durable()) {
                        bySeq.putIfAbsent(m.seq(), m);
                    }
                }
            }
        }
        List<Message> reversed = new ArrayList<>();
        for (long seq = head; seq > 0 && reversed.size() < maxTail; seq--) {
            Message m = bySeq.get(seq);
            if (m == null) {
                break;
            }
            reversed.add(m);
        }
        List<Message> tail = new ArrayList<>(reversed.size());
        for (int i = reversed.size() - 1; i >= 0; i--) {
            tail.add(reversed.get(i));
        }
        // An id counts where its message counts: anything of the newest term, an older term's only up to that
        // region's durable mark (its undurable tail was never acked, so a retry of it must be sequenced anew).
        Map<String, SeenId> ids = new HashMap<>();
        for (Answer a : answers) {
            long counts = a.term() == newest ? a.head() : a.durable();
            for (SeenId seen : a.seenIds()) {
                if (seen.seq() <= counts) {
                    ids.merge(seen.id(), seen, (x, y) -> x.seq() <= y.seq() ? x : y);
                }
            }
        }
        List<SeenId> seenIds = new ArrayList<>(ids.values());
        seenIds.sort(java.util.Comparator.comparingLong(SeenId::seq));
        return new Merged(head, Math.min(durable, head), tail, newest, seenIds);
    }
}
