package io.meshgate.relay.mesh;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The home overrides on disk: read back as written, never replaced by an older table, a bad file ignored. */
class OverridesFileTest {
    @TempDir
    Path dir;

    private static final HomeOverrides V2 = new HomeOverrides(2, "us-east", Set.of("ap-south"),
            Map.of("chat:hot", "eu-west", "room.a_b-1", "us-east"));

    @Test
    void aSavedTableIsReadBackByTheNextStart() {
        Path file = dir.resolve("state").resolve("us-east-1").resolve("home-overrides.properties");
        OverridesFile first = new OverridesFile(file);
        assertEquals(HomeOverrides.EMPTY, first.load(), "no file yet: no overrides");
        first.save(V2);
        assertTrue(Files.exists(file));
        assertFalse(Files.exists(file.resolveSibling("home-overrides.properties.tmp")), "the temporary file is moved");
        assertEquals(V2, new OverridesFile(file).load());
    }

    @Test
    void anOlderOrEmptyTableNeverReplacesANewerOne() {
        Path file = dir.resolve("home-overrides.properties");
        new OverridesFile(file).save(V2);
        OverridesFile restarted = new OverridesFile(file);
        restarted.load();
        restarted.save(HomeOverrides.EMPTY);
        restarted.save(new HomeOverrides(1, "us-east", Set.of(), Map.of()));
        assertEquals(V2, new OverridesFile(file).load());
        HomeOverrides v3 = new HomeOverrides(3, "eu-west", Set.of(), Map.of());
        restarted.save(v3);
        assertEquals(v3, new OverridesFile(file).load());
    }

    @Test
    void aFileThatMakesNoSenseIsIgnored() throws Exception {
        Path file = dir.resolve("home-overrides.properties");
        for (String bad : new String[] {"version=x\n", "version=3\nauthor=US EAST\n", "version=3\nauthor=us-east\n"
                + "evacuated=a,,B!\n", "version=3\nauthor=us-east\npin.=eu-west\n"}) {
            Files.writeString(file, bad);
            assertEquals(HomeOverrides.EMPTY, new OverridesFile(file).load(), bad);
        }
    }

    @Test
    void aDirectoryThatCannotBeCreatedNamesTheKey() throws Exception {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new OverridesFile(notADir.resolve("n1").resolve("home-overrides.properties")));
        assertTrue(e.getMessage().startsWith("mesh.stateDir: "), e.getMessage());
    }
}
