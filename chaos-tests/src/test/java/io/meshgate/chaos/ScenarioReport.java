package io.meshgate.chaos;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshgate.chaos.client.RecordingSubscriber;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A failover scenario's figures (lost, duplicated, reordered, G6 inversions, epochs, longest ack gap, time until every
 * subscriber caught up), written as {@code target/chaos-reports/<scenario>.json} and {@code .html}, and the verdict:
 * {@link #assertClean} fails the test on any loss, duplicate, reorder or inversion (and, for a planned operation,
 * on an epoch change), quoting the first concrete violations. Written before asserting, so a failing scenario
 * still leaves its report.
 */
final class ScenarioReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String scenario;
    private final String description;
    private final ObjectNode root = JSON.createObjectNode();
    private final List<String> problems = new ArrayList<>();
    private HistoryChecker.Verdict verdict;

    ScenarioReport(String scenario, String description) {
        this.scenario = scenario;
        this.description = description;
        root.put("scenario", scenario);
        root.put("description", description);
        root.put("code", git("describe", "--always", "--dirty") + " on " + git("rev-parse", "--abbrev-ref", "HEAD")
                + ": " + git("log", "-1", "--format=%s"));
        root.put("command", "mvn -B -o -Pchaos-failover -pl chaos-tests -am verify -Dtest=" + scenario
                + " -Dsurefire.failIfNoSpecifiedTests=false");
    }

    /** Any scalar figure (settings, counts, timings). */
    ScenarioReport figure(String name, Object value) {
        root.set(name, JSON.valueToTree(value));
        return this;
    }

    /** Something that went wrong outside the history (a stall, a subscriber that never caught up). */
    ScenarioReport problem(String what) {
        problems.add(what);
        return this;
    }

    /** Takes the checker's verdict, the ack clock and every subscriber's summary from the workload. */
    ScenarioReport from(Workload workload) {
        verdict = workload.verdict();
        root.put("channel", workload.channel());
        root.put("published", workload.expected());
        root.put("acked", workload.ackedCount());
        root.put("lost", verdict.lost());
        root.put("duplicated", verdict.duplicated());
        root.put("reordered", verdict.reordered());
        root.put("g6Inversions", verdict.g6Inversions());
        root.put("holes", verdict.holes());
        root.put("gapEvents", verdict.gapEvents());
        root.put("gappedMessages", verdict.gappedMessages());
        root.put("gappedOnResume", verdict.gappedOnResume());
        root.set("epochsSeen", JSON.valueToTree(verdict.epochs()));
        long[] gap = workload.longestAckGap();
        root.put("longestAckGapMs", gap[0]);
        root.put("longestAckGapStartedAtMs", gap[1]);
        // A gap the measuring JVM spent stalled is not the gateway's; both are reported, neither is subtracted.
        root.put("measuringJvmStalledInLongestAckGapMs",
                workload.stallWatch().stalledWithinMs(gap[1], gap[1] + gap[0]));
        root.put("sequencedInLongestAckGap", workload.sequencedWithinMs(gap[1], gap[1] + gap[0]));
        // [ackedAtMs, seq, sequencedAtMs, id] from the ack that began the gap on: sequenced early = held after the
        // sequencer, late = before it.
        root.set("acksAroundLongestAckGap", JSON.valueToTree(workload.acksFrom(gap[1], 15)));
        root.set("measuringJvmStallsMs", JSON.valueToTree(workload.stallWatch().stalls()));
        root.set("marksMs", JSON.valueToTree(workload.marksMs()));
        root.set("longestAckGapByPhaseMs", JSON.valueToTree(workload.longestAckGapByPhase()));
        ArrayNode subs = root.putArray("subscribers");
        for (Map.Entry<String, RecordingSubscriber> e : workload.subscribers().entrySet()) {
            RecordingSubscriber s = e.getValue();
            ObjectNode node = subs.addObject();
            node.put("name", e.getKey());
            node.put("received", s.received().size());
            node.put("lastSeq", s.lastSeq());
            node.put("reconnects", s.reconnects());
            node.set("gaps", JSON.valueToTree(s.gaps()));
            node.set("nodes", JSON.valueToTree(s.states().stream().map(st -> st.state() + "@" + st.node()).toList()));
        }
        root.set("publishers", JSON.valueToTree(workload.publisherCounts()));
        root.set("publishFailures", JSON.valueToTree(workload.failures()));
        root.set("violations", JSON.valueToTree(verdict.violations()));
        return this;
    }

    long longestAckGapMs() {
        return root.path("longestAckGapMs").asLong();
    }

    /**
     * Writes the report, then fails on any loss, duplicate, reorder, G6 inversion or problem, and, when
     * {@code planned}, on more than one epoch.
     */
    void assertClean(boolean planned) {
        root.set("problems", JSON.valueToTree(problems));
        boolean epochChanged = verdict.epochs().size() > 1;
        root.put("epochChanged", epochChanged);
        List<String> failures = new ArrayList<>(problems);
        if (!verdict.clean()) {
            failures.add("lost " + verdict.lost() + ", duplicated " + verdict.duplicated() + ", reordered "
                    + verdict.reordered() + ", G6 inversions " + verdict.g6Inversions());
        }
        if (planned && epochChanged) {
            failures.add("a planned operation changed the epoch: " + verdict.epochs());
        }
        root.put("passed", failures.isEmpty());
        root.put("finishedAt", Instant.now().toString());
        Path written = write();
        System.out.println(scenario + ": " + summary() + " (report " + written + ")");
        if (!failures.isEmpty()) {
            fail(scenario + ": " + String.join("; ", failures) + "\nfirst violations:\n  "
                    + String.join("\n  ", verdict.violations()) + "\nreport: " + written);
        }
    }

    String summary() {
        return ("lost %d, duplicated %d, reordered %d, G6 inversions %d, holes %d, gaps %d, epochs %s,"
                + " longest ack gap %d ms,")
                .formatted(verdict.lost(), verdict.duplicated(), verdict.reordered(), verdict.g6Inversions(),
                        verdict.holes(), verdict.gapEvents(), verdict.epochs(), longestAckGapMs())
                + " (measuring JVM stalled " + root.path("measuringJvmStalledInLongestAckGapMs").asLong() + " ms of it, "
                + root.path("sequencedInLongestAckGap").asLong() + " messages sequenced in it),"
                + " catch-up " + root.path("catchUpMs").asText("?") + " ms";
    }

    private Path write() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "chaos-reports"));
            Files.writeString(dir.resolve(scenario + ".json"), JSON.writeValueAsString(root));
            Path html = dir.resolve(scenario + ".html");
            Files.writeString(html, html());
            return html.toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String html() {
        StringBuilder rows = new StringBuilder();
        root.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("violations") && !e.getKey().equals("subscribers")) {
                rows.append("<tr><th>").append(escape(e.getKey())).append("</th><td>")
                        .append(escape(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()))
                        .append("</td></tr>\n");
            }
        });
        StringBuilder subs = new StringBuilder();
        root.path("subscribers").forEach(s -> subs.append("<tr><td>").append(escape(s.path("name").asText()))
                .append("</td><td>").append(s.path("received").asLong()).append("</td><td>")
                .append(s.path("lastSeq").asLong()).append("</td><td>").append(s.path("reconnects").asInt())
                .append("</td><td>").append(escape(s.path("gaps").toString())).append("</td></tr>\n"));
        StringBuilder violations = new StringBuilder();
        root.path("violations").forEach(v -> violations.append("<li>").append(escape(v.asText())).append("</li>\n"));
        String verdictText = root.path("passed").asBoolean() ? "PASSED" : "FAILED";
        return """
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>%s</title>
                <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
                th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}
                .PASSED{color:#060}.FAILED{color:#a00}</style></head><body>
                <h1>%s: <span class="%s">%s</span></h1>
                <p>%s</p>
                <h2>Figures</h2><table>
                %s</table>
                <h2>Subscribers</h2><table>
                <tr><th>name</th><th>received</th><th>last seq</th><th>reconnects</th><th>gaps told</th></tr>
                %s</table>
                <h2>First violations</h2><ul>
                %s</ul>
                </body></html>
                """.formatted(escape(scenario), escape(scenario), verdictText, verdictText, escape(description),
                rows, subs, violations.isEmpty() ? "<li>none</li>" : violations);
    }

    /** What git says about the code under test (the worktree the build runs in), for the record. */
    private static String git(String... args) {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes()).trim();
            return process.waitFor() == 0 ? out : "?";
        } catch (IOException e) {
            return "?";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "?";
        }
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
