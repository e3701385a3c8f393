package io.meshgate.chaos.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** This process's open-file limit and use, from /proc on Linux; -1 where that is not available. */
final class OpenFiles {
    private OpenFiles() {
    }

    /** The soft "Max open files" limit (what {@code ulimit -n} shows), or -1. */
    static long softLimit() {
        return limit(0);
    }

    /**
     * The hard "Max open files" limit (what {@code ulimit -Hn} shows), or -1: a child may not exceed it without
     * CAP_SYS_RESOURCE, which a container's root may lack.
     */
    static long hardLimit() {
        return limit(1);
    }

    private static long limit(int column) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] parts = line.substring("Max open files".length()).trim().split("\\s+");
                    return parts[column].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(parts[column]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return -1;
    }

    /** File descriptors open now, or 0 when unknown. */
    static long openNow() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
