package io.meshgate.relay.mesh;

import io.meshgate.relay.channel.ChannelNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The node's copy on disk of the mesh-wide {@link HomeOverrides} (failed-over regions, pins, version), so that they
 * survive a restart of every node: the heartbeats teach a restarted region the table only while some other region
 * still holds it. Every node saves the newest table it sees; a node that becomes its region's mesh leader starts from
 * the newer of this file and what its predecessor published, and the regions' heartbeats then agree on the newest
 * version as usual ({@link HomeControl#learn}).
 *
 * <p>The file is Java properties text ({@code version}, {@code author}, {@code evacuated} as a comma-separated list,
 * one {@code pin.<channel>} per pin), written whole to a temporary file beside it and moved over it atomically, so
 * a crash mid-write leaves the previous table. A file that cannot be read or makes no sense is logged and ignored
 * (the node starts with no overrides and is taught them by its peers); the operator deletes or fixes it.
 *
 * <p>Threads: {@link #load} once, on the composing thread; {@link #save} on the mesh's timer. Both synchronise on
 * this object.
 */
final class OverridesFile {
    private static final Logger LOG = LoggerFactory.getLogger(OverridesFile.class);
    private static final Pattern REGION = Pattern.compile("^[a-z0-9][a-z0-9-]{0,62}$");
    private static final String PIN = "pin.";

    private final Path file;
    private HomeOverrides saved = HomeOverrides.EMPTY;
    private boolean failing;

    /**
     * Creates the file's directory when missing.
     *
     * @throws IllegalStateException naming {@code mesh.stateDir} when the directory cannot be created or written
     */
    OverridesFile(Path file) {
        this.file = file;
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException("mesh.stateDir: cannot create " + dir + " (" + e + ")", e);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalStateException("mesh.stateDir: cannot write to " + dir);
        }
    }

    /** The table saved before, or {@link HomeOverrides#EMPTY} when there is none or it is unusable (logged). */
    synchronized HomeOverrides load() {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return HomeOverrides.EMPTY;
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("home overrides file {} ignored, unreadable: {}; delete or fix it", file, e.toString());
            return HomeOverrides.EMPTY;
        }
        try {
            saved = parse(p);
            LOG.info("home overrides version {} (by {}) read from {}: failed over {}, {} pinned", saved.version(),
                    saved.author(), file, saved.evacuatedSorted(), saved.pins().size());
            return saved;
        } catch (IllegalArgumentException e) {
            LOG.warn("home overrides file {} ignored: {}; delete or fix it", file, e.getMessage());
            return HomeOverrides.EMPTY;
        }
    }

    /**
     * Writes {@code table} when it is newer than the one saved (an older or equal one, such as the empty table a
     * node sees before its region's leader published, never replaces it). A failed write is logged once per run of
     * failures and tried again at the next call.
     */
    synchronized void save(HomeOverrides table) {
        if (!table.newerThan(saved)) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("version", Long.toString(table.version()));
        p.setProperty("author", table.author());
        p.setProperty("evacuated", String.join(",", table.evacuatedSorted()));
        table.pinsSorted().forEach((channel, region) -> p.setProperty(PIN + channel, region));
        if (table.last().known()) {
            p.setProperty("change", table.last().what());
            p.setProperty("changedBy", table.last().who());
            p.setProperty("changeReason", table.last().why());
        }
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(out, "Meshgate home overrides (failover, pins); written by the node, read at its start");
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            saved = table;
            if (failing) {
                LOG.info("home overrides saved to {} again", file);
            }
            failing = false;
        } catch (IOException e) {
            if (!failing) {
                LOG.warn("home overrides version {} not saved to {}: {} (tried again each heartbeat)",
                        table.version(), file, e.toString());
            }
            failing = true;
        }
    }

    private static HomeOverrides parse(Properties p) {
        long version;
        try {
            version = Long.parseLong(p.getProperty("version", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'version' is not a number");
        }
        String author = p.getProperty("author", "");
        if (version < 0 || (version > 0 && !REGION.matcher(author).matches())) {
            throw new IllegalArgumentException("'version' must be at least 0 and 'author' a region name");
        }
        Set<String> evacuated = new HashSet<>();
        for (String region : p.getProperty("evacuated", "").split(",")) {
            if (!region.isBlank()) {
                evacuated.add(checkedRegion(region.strip()));
            }
        }
        Map<String, String> pins = new HashMap<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(PIN)) {
                String channel = key.substring(PIN.length());
                if (!ChannelNames.isValid(channel)) {
                    throw new IllegalArgumentException("pin of an invalid channel name '" + channel + "'");
                }
                pins.put(channel, checkedRegion(p.getProperty(key).strip()));
            }
        }
        if (pins.size() > HomeOverrides.MAX_PINS) {
            throw new IllegalArgumentException(pins.size() + " pins, more than " + HomeOverrides.MAX_PINS);
        }
        // Who made the last change and why is for the logs only: a file without it (older nodes) is as good.
        return new HomeOverrides(version, author, evacuated, pins, new HomeOverrides.Change(
                p.getProperty("change", ""), p.getProperty("changedBy", ""), p.getProperty("changeReason", "")));
    }

    private static String checkedRegion(String region) {
        if (!REGION.matcher(region).matches()) {
            throw new IllegalArgumentException("'" + region + "' is not a region name");
        }
        return region;
    }
}
