package io.meshgate.chaos.faults;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** Every thread of the fault proxy is a daemon, so a test that forgets to close it cannot keep the JVM alive. */
final class Daemons {
    private Daemons() {
    }

    static Thread start(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static ScheduledExecutorService scheduler(String name) {
        return Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        });
    }
}
