package io.meshgate.edge.session;

import io.meshgate.edge.auth.Principal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many long-polls each client ({@code sub} claim) has parked at this node, so one token cannot take every slot
 * of the node's {@code longPoll.maxInFlight}. An entry lives only while its client has polls parked, so the map is
 * bounded by the parked polls themselves. Called from I/O threads (acquire) and whichever thread completes an
 * exchange (release). Insecure (demo) principals all share one subject and are not limited.
 */
public final class ClientPollShares {
    private final int maxPerClient;
    private final ConcurrentHashMap<String, AtomicInteger> parked = new ConcurrentHashMap<>();

    public ClientPollShares(int maxPerClient) {
        this.maxPerClient = maxPerClient;
    }

    /** True when the client may park one more poll; then {@link #release} must follow when it completes. */
    public boolean tryAcquire(Principal principal) {
        if (principal.insecure()) {
            return true;
        }
        boolean[] admitted = {false};
        parked.compute(principal.subject(), (subject, count) -> {
            AtomicInteger held = count == null ? new AtomicInteger() : count;
            admitted[0] = held.get() < maxPerClient;
            if (admitted[0]) {
                held.incrementAndGet();
            }
            return held.get() == 0 ? null : held;
        });
        return admitted[0];
    }

    public void release(Principal principal) {
        if (!principal.insecure()) {
            parked.computeIfPresent(principal.subject(), (subject, count) -> count.decrementAndGet() <= 0 ? null : count);
        }
    }

    public int maxPerClient() {
        return maxPerClient;
    }
}
