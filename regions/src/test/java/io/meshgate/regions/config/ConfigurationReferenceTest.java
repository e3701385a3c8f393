package io.meshgate.regions.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/configuration.md and the loader say the same thing: every documented {@code section.key} with a literal
 * default is a key the loader accepts (unknown keys are errors), and setting every one of them to its documented
 * default changes nothing.
 */
class ConfigurationReferenceTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-zA-Z]+)\\.([a-zA-Z]+)` \\| `([^`]*)`");
    private static final String REGIONS = """
            regions:
              - name: eu-west
                nodes:
                  - {name: a, edgePort: 8081, relayPort: 9081, clusterPort: 5701}
            auth:
              hs256Secret: "0123456789abcdef0123456789abcdef"
            """;

    @Test
    void everyDocumentedDefaultIsTheLoadersDefault() throws IOException {
        Map<String, Map<String, String>> documented = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("..", "docs", "configuration.md"))) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                documented.computeIfAbsent(row.group(1), s -> new LinkedHashMap<>()).put(row.group(2), row.group(3));
            }
        }
        int keys = documented.values().stream().mapToInt(Map::size).sum();
        assertTrue(keys >= 40, "the reference should document the tunable keys, found " + keys);

        StringBuilder yaml = new StringBuilder(REGIONS);
        documented.forEach((section, entries) -> {
            if (!section.equals("auth")) {
                yaml.append(section).append(":\n");
            }
            entries.forEach((key, value) -> {
                String line = "  " + key + ": " + value + "\n";
                if (section.equals("auth")) {
                    // auth already has its section above (the secret); its keys join it.
                    yaml.insert(yaml.indexOf("auth:\n") + "auth:\n".length(), line);
                } else {
                    yaml.append(line);
                }
            });
        });
        GatewayConfig everythingSetToDefault = GatewayConfigLoader.parse(yaml.toString(), null);
        GatewayConfig nothingSet = GatewayConfigLoader.parse(REGIONS, null);
        assertEquals(nothingSet, everythingSetToDefault, "a documented default differs from the loader's:\n" + yaml);
    }
}
