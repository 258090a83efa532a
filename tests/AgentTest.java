import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import mission.Journal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent in the background, as a student runs it, and a proof that fails when it should. */
class AgentTest {
    Kit kit;
    Path evidence;

    @BeforeEach
    void up(@TempDir Path home) {
        kit = new Kit(home);
        evidence = home.resolve("evidence/maz");
        kit.ok("maz1");
        kit.ok("maz2");
        Kit.Result r = kit.ok("maz3", "--background");
        assertTrue(r.out().contains("background"), r.all());
    }

    @AfterEach
    void purge() {
        kit.run("maz3", "stop");
        kit.purge();
    }

    @Test
    void theAgentLivesThroughAFailoverAndACrashWithoutStopping() throws Exception {
        kit.ok("lab", "failover");
        kit.ok("lab", "crash");
        Thread.sleep(500);
        kit.ok("maz3", "stop");
        List<Journal.Entry> journal = Journal.read(evidence.resolve("journal.csv"));
        Set<String> azs = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack).map(Journal.Entry::az).collect(Collectors.toSet());
        assertEquals(Set.of("az1", "az2"), azs, "writes were acknowledged in both AZs, by one agent run");
        assertEquals("az1", journal.get(journal.size() - 1).az(), "after failover and crash the primary is back in az1");
        Kit.Result proof = kit.run("maz8");
        assertEquals(0, proof.exit(), proof.all());
        Map<?, ?> p = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals(0, ((Number) p.get("lost_writes")).intValue());
    }

    @Test
    void rowsDeletedOrAlteredBehindTheAgentsBackFailTheProof() throws Exception {
        Thread.sleep(1000);
        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            assertEquals(5, st.executeUpdate("DELETE FROM db007_writes WHERE seq BETWEEN 10 AND 14"));
            assertEquals(1, st.executeUpdate("UPDATE db007_writes SET payload = payload || ' (altered)' WHERE seq = 20"));
        }
        Kit.Result r = kit.run("maz8");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("PROOF FAILS"), r.out());
        Map<?, ?> p = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals("fail", p.get("verdict"));
        assertEquals(5, ((Number) p.get("lost_writes")).intValue());
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), p.get("lost_seqs"));
        assertEquals(1, ((Number) p.get("corrupt_rows")).intValue());
        assertTrue(Files.readString(evidence.resolve("report.html")).contains("class=\"verdict fail\""));

        Files.writeString(evidence.resolve("journal.csv"), "garbage line\n", StandardOpenOption.APPEND);
        Kit.Result damaged = kit.run("maz8");
        assertEquals(1, damaged.exit(), damaged.all());
        assertTrue(damaged.err().contains("is damaged at line") && damaged.err().contains("journal.csv"), damaged.err());
    }
}
