import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Processes;
import region.Region;

/** The unplanned failovers: a primary killed outright, and one frozen by SIGSTOP that must stay fenced. */
class LabCrashTest {
    Kit kit;

    @BeforeEach
    void up(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY)");
            st.execute("INSERT INTO t SELECT generate_series(1, 1000)");
        }
    }

    @AfterEach
    void purge() {
        kit.purge();
    }

    @Test
    void aKilledPrimaryIsReplacedByTheStandbyWithEveryCommittedRow() throws Exception {
        Kit.Result r = kit.ok("lab", "crash");
        assertTrue(r.out().contains("SIGKILL"), r.all());
        Region.Status s = kit.status();
        assertEquals("az2", s.primaryAz());
        assertEquals("az1", s.standbyAz());
        assertEquals(Region.SyncState.SYNC, s.node("az1").syncState());
        assertTrue(s.events().stream().anyMatch(e -> e.type() == Region.EventType.PRIMARY_LOST && e.az().equals("az1")));
        assertEquals(1000, count(kit.endpoint()));
        assertEquals(1000, count(kit.connect(kit.state().node("az2").port())));
    }

    @Test
    void aFrozenPrimaryResumedAfterTheFailoverCannotTakeAWrite() throws Exception {
        Region.State state = kit.state();
        // A session opened straight on the old primary, bypassing the endpoint, as a stale client would.
        Connection stale = kit.connect(state.node("az1").port());
        long postmaster = kit.status().node("az1").pid();
        assertEquals(0, signal("STOP", postmaster));
        try {
            Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
            Region.Status s = kit.status();
            while (!("az2".equals(s.primaryAz()) && s.healthy()) && Instant.now().isBefore(deadline)) {
                Thread.sleep(100);
                s = kit.status();
            }
            assertEquals("az2", s.primaryAz(), "the control plane failed over from the frozen primary");
        } finally {
            // Resume it, if the control plane left anything to resume.
            signal("CONT", postmaster);
        }
        assertFalse(Processes.alive(postmaster), "the old postmaster was fenced (killed), not left to wake up");
        assertThrows(SQLException.class, () -> {
            try (Statement st = stale.createStatement()) {
                st.execute("INSERT INTO t VALUES (5000)");
            }
        });
        assertEquals(1000, count(kit.endpoint()), "the new primary has every committed row and nothing else");
    }

    private static long count(Connection c) throws SQLException {
        try (c; Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT count(*) FROM t")) {
            r.next();
            return r.getLong(1);
        }
    }

    private static int signal(String name, long pid) throws Exception {
        return new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
