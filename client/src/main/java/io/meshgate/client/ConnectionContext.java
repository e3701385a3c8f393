package io.meshgate.client;

import java.net.http.HttpClient;
import java.util.concurrent.ScheduledExecutorService;

/** What every connection of one client shares: its HTTP client, its conductor thread, its options, its listener. */
record ConnectionContext(HttpClient http, ScheduledExecutorService conductor, ClientConfig config,
                         ConnectionListener listener) {
}
