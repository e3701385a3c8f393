package io.meshgate.chaos.faults;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** The proxies of one {@link FaultProxyServer} by name, in creation order. Safe to call from any thread. */
final class ProxyRegistry {
    private final Map<String, FaultProxy> byName = new LinkedHashMap<>(); // guarded by this
    private final ScheduledExecutorService timers;

    ProxyRegistry(ScheduledExecutorService timers) {
        this.timers = timers;
    }

    /** Creates and, if asked, starts a proxy; one that cannot listen is not kept, as in Toxiproxy. */
    synchronized FaultProxy create(String name, String listen, String upstream, boolean enabled) {
        if (byName.containsKey(name)) {
            throw new ApiError(409, "proxy already exists");
        }
        FaultProxy proxy = new FaultProxy(name, listen, upstream, timers);
        if (enabled) {
            proxy.enable();
        }
        byName.put(name, proxy);
        return proxy;
    }

    synchronized FaultProxy get(String name) {
        FaultProxy proxy = byName.get(name);
        if (proxy == null) {
            throw ApiError.proxyNotFound();
        }
        return proxy;
    }

    synchronized List<FaultProxy> all() {
        return List.copyOf(byName.values());
    }

    synchronized void delete(String name) {
        get(name).disable();
        byName.remove(name);
    }

    /** Every proxy enabled again and cleared of toxics. */
    synchronized void reset() {
        byName.values().forEach(FaultProxy::reset);
    }

    synchronized void closeAll() {
        byName.values().forEach(FaultProxy::disable);
        byName.clear();
    }
}
