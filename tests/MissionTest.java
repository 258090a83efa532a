import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/** The whole mission, unattended, on real PostgreSQL: planned failover, then a crash. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MissionTest {
    Kit kit;
    Path home;

    @BeforeAll
    void home(@TempDir Path dir) {
        home = dir;
        kit = new Kit(dir);
    }

    @AfterAll
    void purge() {
        kit.purge();
    }

    @Test
    @Order(1)
    void theMissionPassesWithThePrimaryMovedAndNoWriteLost() throws Exception {
        Map<?, ?> m = mission("--json");
        assertEquals("reboot-with-failover", m.get("failover"));
        Path evidence = home.resolve("evidence/maz");
        for (int i = 1; i <= 9; i++) {
            if (i == 3) continue;
            Map<?, ?> step = Json.read(evidence.resolve("steps/maz" + i + ".json"), Map.class);
            assertEquals("pass", step.get("verdict"), "maz" + i);
        }
        for (String f : new String[] {"journal.csv", "agent.json", "proof.json", "database.csv", "events.json", "report.html"}) {
            assertTrue(Files.exists(evidence.resolve(f)), f + " is in the evidence");
        }
        String report = Files.readString(evidence.resolve("report.html"));
        // One file that needs no network: no script, style or picture fetched from anywhere.
        assertTrue(report.contains("id=\"db007-proof\"") && report.contains("createElementNS") && !report.contains("<script src") && !report.contains("<link")
                && !report.matches("(?s).*(src|href)=[\"']?https?:.*") && !report.contains("@import"), "self-contained report");
        String password = Kit.password(home);
        try (Stream<Path> files = Files.walk(evidence)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertFalse(Files.readString(f).contains(password), "the password is not in " + f);
            }
        }
    }

    /**
     * Run as a student reads it, in text: the times step 6 prints subtract to the figures it
     * prints, and those are the proof's own (step 8), to the millisecond.
     */
    @Test
    @Order(2)
    void theMissionAlsoPassesWhenThePrimaryIsKilledAndStep6sFiguresAreTheProofs() throws Exception {
        Kit.Result r = kit.run("mission", "--crash");
        assertEquals(0, r.exit(), r.all());
        String out = r.out();
        Path evidence = home.resolve("evidence/maz");
        Map<?, ?> proof = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals("pass", proof.get("verdict"));
        assertEquals("crash", ((Map<?, ?>) Json.read(evidence.resolve("steps/maz5.json"), Map.class).get("observed")).get("kind"));
        long rto = ((Number) proof.get("rto_ms")).longValue();

        Matcher outage = Pattern.compile("Outage: (\\d+) ms without an acknowledged write, from (\\S+) \\(#(\\d+), the last before\\) to (\\S+) \\(#(\\d+), the first after\\)").matcher(out);
        assertTrue(outage.find(), out);
        assertEquals(rto, Long.parseLong(outage.group(1)), "step 6 and the proof give one RTO");
        assertEquals(rto, millis(outage.group(4)) - millis(outage.group(2)), "the two times step 6 prints subtract to it");
        Matcher rtoLine = Pattern.compile("RTO: (\\d+) ms without an acknowledged write, from (\\S+) \\(#(\\d+)\\) to (\\S+) \\(#(\\d+)\\); (\\S+) ms from").matcher(out);
        assertTrue(rtoLine.find(), out);
        assertEquals(List.of(outage.group(1), outage.group(2), outage.group(3), outage.group(4), outage.group(5)),
                List.of(rtoLine.group(1), rtoLine.group(2), rtoLine.group(3), rtoLine.group(4), rtoLine.group(5)), "step 8 prints the same outage");

        Matcher first = Pattern.compile("From the first attempt not acknowledged \\(#(\\d+), sent at (\\S+)\\) to the first success: (\\d+) ms").matcher(out);
        assertTrue(first.find(), out);
        assertEquals(((Number) proof.get("first_error_to_success_ms")).longValue(), Long.parseLong(first.group(3)));
        assertEquals(Long.parseLong(first.group(3)), millis(outage.group(4)) - millis(first.group(2)), "sent time to the first success, as printed");
        assertTrue(out.contains("write #" + first.group(1) + ", sent at " + first.group(2) + ":"), "the first miss is printed with the time it was sent: " + out);

        Matcher missed = Pattern.compile("Attempts not acknowledged during the outage: (\\d+), of which failed: (\\d+) .* and outcome unknown: (\\d+)").matcher(out);
        assertTrue(missed.find(), out);
        assertEquals(Long.parseLong(missed.group(1)), Long.parseLong(missed.group(2)) + Long.parseLong(missed.group(3)));
        String report = Files.readString(evidence.resolve("report.html"));
        assertTrue(report.contains("data-figure=\"missed\">" + missed.group(1) + ": failed " + missed.group(2) + ", outcome unknown " + missed.group(3) + "<"),
                "the report counts the outage's attempts as step 6 does");
        try (Stream<Path> kept = Files.list(home.resolve("evidence"))) {
            assertEquals(2, kept.count(), "the first mission's evidence was kept, renamed, beside the new one");
        }
    }

    /** A clock time as the kit prints it, HH:mm:ss.SSS UTC, in milliseconds of the day. */
    private static long millis(String clock) {
        return java.time.LocalTime.parse(clock).toNanoOfDay() / 1_000_000;
    }

    private Map<?, ?> mission(String... args) throws Exception {
        Kit.Result r = kit.run("mission", args);
        Map<?, ?> m = Json.read(r.out(), Map.class);
        assertEquals(0, r.exit(), r.all());
        assertEquals("pass", m.get("verdict"));
        assertEquals("az1", m.get("primary_az_before"));
        assertEquals("az2", m.get("standby_az_before"));
        assertEquals("az2", m.get("primary_az_after"));
        assertEquals("az1", m.get("standby_az_after"));
        assertEquals(0, ((Number) m.get("lost_writes")).intValue());
        assertEquals(0, ((Number) m.get("corrupt_rows")).intValue());
        assertTrue(((Number) m.get("acknowledged_writes")).intValue() > 100, m.toString());
        assertTrue(((Number) m.get("rto_ms")).intValue() > 0, m.toString());
        return m;
    }
}
