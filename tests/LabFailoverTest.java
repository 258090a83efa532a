import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import region.Processes;
import region.Region;

/** One region's life: up, replication, up again, a planned failover, and down. Real servers throughout. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LabFailoverTest {
    Path home;
    Kit kit;

    @BeforeAll
    void up(@TempDir Path dir) {
        home = dir;
        kit = new Kit(home);
        Kit.Result r = kit.ok("lab", "up");
        assertTrue(r.out().contains("Region up in"), r.all());
    }

    @AfterAll
    void purge() {
        kit.purge();
    }

    @Test
    @Order(1)
    void primaryInAz1AndSynchronousStandbyInAz2() throws Exception {
        Region.Status s = kit.status();
        assertEquals("az1", s.primaryAz());
        assertEquals("az2", s.standbyAz());
        assertEquals(Region.SyncState.SYNC, s.node("az2").syncState());
        Region.State state = kit.state();
        for (Region.NodeSpec n : state.nodes()) {
            try (Connection c = kit.connect(n.port()); Statement st = c.createStatement();
                 ResultSet r = st.executeQuery("SELECT current_setting('db007.az'), pg_is_in_recovery(), current_setting('synchronous_commit')")) {
                r.next();
                assertEquals(n.az(), r.getString(1), "each node says by SQL which AZ it is");
                assertEquals(n.az().equals("az2"), r.getBoolean(2), "only az2 is in recovery");
                assertEquals("on", r.getString(3));
            }
        }
        try (Connection c = kit.connect(state.node("az1").port()); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT current_setting('synchronous_standby_names'), current_setting('listen_addresses'), current_setting('password_encryption')")) {
            r.next();
            assertEquals("az2", r.getString(1));
            assertEquals("127.0.0.1", r.getString(2));
            assertEquals("scram-sha-256", r.getString(3));
        }
        Path pw = Kit.lab(home).resolve("password");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(pw)));
    }

    @Test
    @Order(2)
    void aCommitOnThePrimaryIsReadOnTheStandby() throws Exception {
        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO t SELECT g, 'row ' || g FROM generate_series(1, 500) g");
        }
        // synchronous_commit = on waits for the standby's flush, not its replay: allow the replay a moment.
        try (Connection c = kit.connect(kit.state().node("az2").port()); Statement st = c.createStatement()) {
            long deadline = System.currentTimeMillis() + 5000;
            long count = 0;
            while (System.currentTimeMillis() < deadline && count < 500) {
                try (ResultSet r = st.executeQuery("SELECT count(*) FROM t")) {
                    r.next();
                    count = r.getLong(1);
                } catch (java.sql.SQLException notYetReplayed) {
                    count = 0;
                }
                if (count < 500) Thread.sleep(20);
            }
            assertEquals(500, count);
        }
    }

    @Test
    @Order(3)
    void upOnAHealthyRegionChangesNothing() throws Exception {
        Region.Status before = kit.status();
        Kit.Result r = kit.ok("lab", "up");
        assertTrue(r.out().contains("already up"), r.all());
        Region.Status after = kit.status();
        assertEquals(before.node("az1").pid(), after.node("az1").pid());
        assertEquals(before.node("az2").pid(), after.node("az2").pid());
        assertEquals(before.events().size(), after.events().size());
    }

    @Test
    @Order(4)
    void upRestartsADeadControlPlaneAndAdoptsTheRunningServers() throws Exception {
        Region.Status before = kit.status();
        long controlPlane = kit.state().controlPlanePid();
        ProcessHandle.of(controlPlane).ifPresent(ProcessHandle::destroyForcibly);
        assertTrue(common.Wait.within(java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(10), () -> !Processes.alive(controlPlane)), "SIGKILL ends it");
        Kit.Result status = kit.run("lab", "status");
        assertEquals(2, status.exit(), status.all());
        assertTrue(status.err().contains("control plane is not running"), status.err());

        Kit.Result up = kit.ok("lab", "up");
        assertTrue(up.out().contains("no longer running; restarting it"), up.all());
        Region.Status after = kit.status();
        assertTrue(after.healthy());
        assertEquals(before.node("az1").pid(), after.node("az1").pid(), "the running primary was adopted, not restarted");
    }

    @Test
    @Order(5)
    void failoverMovesThePrimaryToAz2AndRebuildsASynchronousStandbyInAz1() throws Exception {
        Kit.Result r = kit.ok("lab", "failover", "--json");
        Map<?, ?> report = Json.read(r.out(), Map.class);
        assertEquals("az1", report.get("primary_az_before"));
        assertEquals("az2", report.get("primary_az_after"));
        assertEquals("az1", report.get("standby_az_after"));
        assertNotNull(report.get("failover_ms"));

        Region.Status s = kit.status();
        assertEquals("az2", s.primaryAz());
        assertEquals(Region.SyncState.SYNC, s.node("az1").syncState());
        assertTrue(s.events().stream().anyMatch(e -> e.type() == Region.EventType.FAILOVER_STARTED));
        assertTrue(s.events().stream().anyMatch(e -> e.type() == Region.EventType.STANDBY_PROMOTED && e.az().equals("az2")));
        assertTrue(s.events().stream().anyMatch(e -> e.type() == Region.EventType.STANDBY_IN_SYNC && e.az().equals("az1")));

        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT count(*), current_setting('db007.az') FROM t")) {
                rs.next();
                assertEquals(500, rs.getLong(1), "every committed row survived the failover");
                assertEquals("az2", rs.getString(2), "the endpoint now leads to az2");
            }
            st.execute("INSERT INTO t VALUES (501, 'after failover')");
        }
        try (Connection c = kit.connect(kit.state().node("az1").port()); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_is_in_recovery()")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "az1 is now the standby");
        }
    }

    @Test
    @Order(6)
    void downLeavesNoProcessBehind() throws Exception {
        Region.State state = kit.state();
        long controlPlane = state.controlPlanePid();
        kit.ok("lab", "down");
        assertFalse(Processes.alive(controlPlane), "the control plane has exited");
        for (Region.NodeSpec n : state.nodes()) {
            assertTrue(Processes.in(Path.of(state.dataRoot(), n.az())).isEmpty(), "no server process left in " + n.az());
        }
        assertTrue(Files.exists(Path.of(state.dataRoot(), "az1", "PG_VERSION")), "plain down keeps the data");
        Kit.Result status = kit.run("lab", "status");
        assertEquals(2, status.exit(), status.all());
        assertTrue(status.err().contains("lab up"), status.err());

        kit.ok("lab", "down", "--purge");
        assertFalse(Files.exists(Path.of(state.dataRoot())));
        assertFalse(Files.exists(Kit.lab(home)));
    }
}
