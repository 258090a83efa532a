import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import common.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import mission.Journal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The agent in the background, as a student runs it, and a proof that fails when it should: one region, an agent run per test. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentTest {
    Kit kit;
    Path evidence;

    @BeforeAll
    void region(@TempDir Path home) {
        kit = new Kit(home);
        kit.ok("maz1");
        kit.ok("maz2");
    }

    @BeforeEach
    void agent(@TempDir Path folder) {
        evidence = folder;
        Kit.Result r = kit.ok("maz3", "--background", "--evidence", folder.toString());
        assertTrue(r.out().contains("background"), r.all());
    }

    @AfterEach
    void stop() {
        kit.run("maz3", "stop", "--evidence", evidence.toString());
    }

    @AfterAll
    void purge() {
        kit.purge();
    }

    @Test
    void theAgentLivesThroughAFailoverAndACrashWithoutStopping() throws Exception {
        kit.ok("lab", "failover");
        kit.ok("lab", "crash");
        // Writes on the new primary after the crash, before the agent stops.
        Instant crashed = Instant.now();
        assertTrue(Wait.within(Duration.ofSeconds(10), Duration.ofMillis(20), () -> Journal.read(evidence.resolve("journal.csv")).stream()
                .anyMatch(e -> e.outcome() == Journal.Outcome.ack && e.doneAt().isAfter(crashed))), "writes resumed after the crash");
        kit.ok("maz3", "stop", "--evidence", evidence.toString());
        List<Journal.Entry> journal = Journal.read(evidence.resolve("journal.csv"));
        Set<String> azs = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack).map(Journal.Entry::az).collect(Collectors.toSet());
        assertEquals(Set.of("az1", "az2"), azs, "writes were acknowledged in both AZs, by one agent run");
        assertEquals("az1", journal.get(journal.size() - 1).az(), "after failover and crash the primary is back in az1");
        Kit.Result proof = kit.run("maz8", "--evidence", evidence.toString());
        assertEquals(0, proof.exit(), proof.all());
        Map<?, ?> p = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals(0, ((Number) p.get("lost_writes")).intValue());
    }

    @Test
    void rowsDeletedOrAlteredBehindTheAgentsBackFailTheProof() throws Exception {
        String run = (String) Json.read(evidence.resolve("agent.json"), Map.class).get("run_id");
        assertTrue(Wait.within(Duration.ofSeconds(10), Duration.ofMillis(20), () -> Journal.read(evidence.resolve("journal.csv")).size() > 20),
                "the agent wrote its first twenty rows");
        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            assertEquals(5, st.executeUpdate("DELETE FROM db007_writes WHERE run_id = '" + run + "' AND seq BETWEEN 10 AND 14"));
            assertEquals(1, st.executeUpdate("UPDATE db007_writes SET payload = payload || ' (altered)' WHERE run_id = '" + run + "' AND seq = 20"));
        }
        Kit.Result r = kit.run("maz8", "--evidence", evidence.toString());
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("PROOF FAILS"), r.out());
        Map<?, ?> p = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals("fail", p.get("verdict"));
        assertEquals(5, ((Number) p.get("lost_writes")).intValue());
        assertEquals(List.of(10L, 11L, 12L, 13L, 14L), p.get("lost_seqs"));
        assertEquals(1, ((Number) p.get("corrupt_rows")).intValue());
        assertTrue(Files.readString(evidence.resolve("report.html")).contains("class=\"verdict fail\""));

        Files.writeString(evidence.resolve("journal.csv"), "garbage line\n", StandardOpenOption.APPEND);
        Kit.Result damaged = kit.run("maz8", "--evidence", evidence.toString());
        assertEquals(1, damaged.exit(), damaged.all());
        assertTrue(damaged.err().contains("is damaged at line") && damaged.err().contains("journal.csv"), damaged.err());
    }

    /**
     * DB007_AGENT_RATE caps the agent's writes a second (this suite runs its agents at 100, see
     * the pom), counted from the agent's own journal; blank, it writes without pause; anything
     * but a whole number is refused with what to give.
     */
    @Test
    void theRateCapHoldsBlankWritesWithoutPauseAndNonsenseIsRefused(@TempDir Path other) throws Exception {
        long capped = acknowledged(other.resolve("capped"), "50");
        assertTrue(capped >= 40 && capped <= 101, "at 50 a second for 2 s: " + capped);
        long flat = acknowledged(other.resolve("flat"), "");
        assertTrue(flat > 2 * capped, "without a cap: " + flat + ", at 50 a second: " + capped);
        Kit.Result refused = kit.run(Map.of("DB007_AGENT_RATE", "fast"), "maz3", "--duration", "1", "--evidence", other.resolve("refused").toString());
        assertEquals(common.Problem.USAGE, refused.exit(), refused.all());
        assertTrue(refused.err().contains("DB007_AGENT_RATE is \"fast\"") && refused.err().contains("leave it unset"), refused.err());
    }

    /** The agent in the foreground for 2 s at that rate: its acknowledged writes, from its journal. */
    private long acknowledged(Path folder, String rate) throws Exception {
        Kit.Result r = kit.run(Map.of("DB007_AGENT_RATE", rate), "maz3", "--duration", "2", "--evidence", folder.toString());
        assertEquals(0, r.exit(), r.all());
        return Journal.read(folder.resolve("journal.csv")).stream().filter(e -> e.outcome() == Journal.Outcome.ack).count();
    }
}
