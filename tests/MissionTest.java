import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import common.Region;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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
        String password = Region.password(home);
        try (Stream<Path> files = Files.walk(evidence)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                assertFalse(Files.readString(f).contains(password), "the password is not in " + f);
            }
        }
    }

    @Test
    @Order(2)
    void theMissionAlsoPassesWhenThePrimaryIsKilled() throws Exception {
        Map<?, ?> m = mission("--json", "--crash");
        assertEquals("crash", m.get("failover"));
        try (Stream<Path> kept = Files.list(home.resolve("evidence"))) {
            assertEquals(2, kept.count(), "the first mission's evidence was kept, renamed, beside the new one");
        }
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
