import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import common.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mission.Journal;
import mission.Proof;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import region.Region;
import region.Topology;

/**
 * Network faults on a real region, with the agent writing all along: the primary's AZ cut off,
 * the standby's AZ cut off, replication cut, replication slowed, each healed in turn. Nothing
 * acknowledged is lost, no write is acknowledged by two primaries, the side that can decide takes
 * over within 2 s where a takeover is due, and the region is whole again after each heal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkFaultsTest {
    Kit kit;
    Path home;
    Path evidence;

    @BeforeAll
    void region(@TempDir Path dir) {
        home = dir;
        kit = new Kit(home);
        kit.ok("maz1");
        kit.ok("maz2");
        evidence = home.resolve("faults");
        kit.ok("maz3", "--background", "--evidence", evidence.toString());
    }

    @AfterAll
    void down() {
        kit.run("maz3", "stop", "--evidence", evidence.toString());
        kit.purge();
    }

    /** What one fault did: when it began, what the control plane did and when. */
    record Took(String fault, Instant at, Instant cure, Region.EventType kind) {}

    @Test
    @Order(1)
    void everyFaultLosesNothingAndTheSideThatCanDecideTakesOver() throws Exception {
        List<Took> took = new ArrayList<>();
        Region.Status s = kit.status();
        String primary = s.primaryAz();
        String standby = s.standbyAz();

        took.add(fault("isolate the primary's AZ", Region.EventType.FAILOVER_COMPLETED, "isolate", primary));
        s = kit.status();
        assertEquals(standby, s.primaryAz(), "the standby's side took over: it could still decide with the control plane");
        primary = s.primaryAz();
        standby = s.standbyAz();

        took.add(fault("isolate the standby's AZ", Region.EventType.UNPROTECTED, "isolate", standby));
        assertEquals(primary, kit.status().primaryAz(), "the primary kept its place, without its standby");

        took.add(fault("cut replication", Region.EventType.UNPROTECTED, "cut", "az1-az2"));
        assertEquals(primary, kit.status().primaryAz(), "a cut link is no reason to fail over");

        took.add(fault("slow replication", null, "slow", "az1-az2", "50ms"));
        assertEquals(primary, kit.status().primaryAz());

        for (Took t : took) {
            if (t.kind() == null) continue;
            assertTrue(t.cure() != null, t.fault() + ": the control plane acted");
            long ms = Duration.between(t.at(), t.cure()).toMillis();
            assertTrue(ms <= 2000, t.fault() + ": the side that can decide acted within 2 s of the fault, not " + ms + " ms");
        }

        kit.ok("maz3", "stop", "--evidence", evidence.toString());
        Kit.Result proof = kit.run("maz8", "--evidence", evidence.toString());
        Map<?, ?> p = Json.read(evidence.resolve("proof.json"), Map.class);
        assertEquals(0, ((Number) p.get("lost_writes")).intValue(), proof.all());
        assertEquals(0, ((Number) p.get("corrupt_rows")).intValue(), proof.all());
        assertNoWriteAcknowledgedByTwoPrimaries(Journal.read(evidence.resolve("journal.csv")), kit.status().events());
    }

    /** Applies a fault, waits for the control plane's answer (if one is due), heals, and waits for the region to be whole. */
    private Took fault(String name, Region.EventType cure, String... lab) throws Exception {
        Instant before = Instant.now();
        List<String> args = new ArrayList<>(List.of("lab"));
        args.addAll(List.of(lab));
        kit.ok(args.get(0), args.subList(1, args.size()).toArray(String[]::new));
        Instant at = kit.status().firstEvent(Region.EventType.NETWORK_FAULT, before);
        Instant cured = null;
        if (cure != null) {
            cured = Wait.until(name + ": the control plane's answer", Duration.ofSeconds(10), Duration.ofMillis(50),
                    () -> kit.status().firstEvent(cure, at));
        } else {
            // A slow link is no fault to cure: commits only take longer. Writes go on meanwhile.
            Wait.pause(2000);
            assertEquals(Topology.Phase.READY, kit.status().phase(), name + ": nothing to do");
        }
        kit.ok("lab", "heal");
        assertTrue(Wait.within(Duration.ofSeconds(60), Duration.ofMillis(100), () -> kit.status().healthy()), name + ": whole again after heal: " + kit.status());
        return new Took(name, at, cured, cure);
    }

    /**
     * Between two failovers every acknowledged write comes from one server: a write acknowledged
     * by the old primary after the new one's first would be a split brain.
     */
    private static void assertNoWriteAcknowledgedByTwoPrimaries(List<Journal.Entry> journal, List<Region.Event> events) {
        List<Instant> promotions = events.stream().filter(e -> e.type() == Region.EventType.STANDBY_PROMOTED).map(e -> Instant.parse(e.time())).toList();
        String current = null;
        Instant firstOnCurrent = null;
        for (Journal.Entry e : journal) {
            if (e.outcome() != Journal.Outcome.ack) continue;
            if (current == null || e.server().equals(current)) {
                current = e.server();
                if (firstOnCurrent == null) firstOnCurrent = e.doneAt();
                continue;
            }
            // Another server acknowledges from here on: a promotion must lie between the two.
            Instant switched = e.doneAt();
            Instant last = firstOnCurrent;
            assertTrue(promotions.stream().anyMatch(p -> p.isAfter(last) && !p.isAfter(switched)),
                    "write #" + e.seq() + " acknowledged by " + e.server() + " with no promotion since " + current + " acknowledged");
            current = e.server();
            firstOnCurrent = e.doneAt();
        }
    }

    /** The classic lesson: behind a blackhole, a client with a typical pool's settings waits far longer than the agent. */
    @Test
    @Order(2)
    void theOrdinaryClientWaitsLongerThanTheAgentWhenItsPrimaryIsCutOff() throws Exception {
        Kit.Result r = kit.run("mission", "--fault", "isolate-az1", "--json");
        assertEquals(0, r.exit(), r.all());
        Path maz = home.resolve("evidence/maz");
        long agent = ((Number) Json.read(maz.resolve("proof.json"), Map.class).get("rto_ms")).longValue();
        Map<?, ?> step6 = (Map<?, ?>) ((Map<?, ?>) Json.read(maz.resolve("steps/maz6.json"), Map.class).get("observed")).get("ordinary_client");
        assertTrue(step6 != null && step6.containsKey("waiting_ms"), "step 6 found the ordinary client still waiting: " + step6);
        List<Journal.Entry> ordinary = Journal.read(maz.resolve("ordinary.csv"));
        Proof.Outage o = Proof.Outage.of(ordinary, null);
        assertTrue(o.ms() > agent, "the ordinary client's outage, " + o.ms() + " ms, is longer than the agent's, " + agent + " ms");
        String report = java.nio.file.Files.readString(maz.resolve("report.html"));
        assertTrue(report.contains(o.ms() + " ms; writes failed and never tried again"), "the report shows both outages");
        assertTrue(kit.status().events().stream().anyMatch(e -> e.type() == Region.EventType.NETWORK_FAULT), "the events tell the fault from a reboot");
    }

    /**
     * A connection that sends nothing while its AZ is cut off hears nothing either, not even the
     * reset of the failover that follows: like the ordinary client, it waits on its own timeout.
     * A blackhole decides this, not whether the client happened to write since the fault.
     */
    @Test
    @Order(3)
    void aConnectionIdleBehindABlackholeHearsNoResetFromTheFailover() throws Exception {
        Region.Status before = Wait.until("a healthy region", Duration.ofSeconds(60), Duration.ofMillis(100), () -> {
            Region.Status now = kit.status();
            return now.healthy() ? now : null;
        });
        try (java.sql.Connection idle = kit.endpoint(); java.sql.Statement st = idle.createStatement()) {
            st.execute("SELECT 1");
            Instant at = Instant.now();
            kit.ok("lab", "isolate", before.primaryAz());
            Wait.until("the failover", Duration.ofSeconds(20), Duration.ofMillis(50), () -> kit.status().firstEvent(Region.EventType.FAILOVER_COMPLETED, at));
            idle.setNetworkTimeout(Runnable::run, 1500);
            java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class, () -> st.execute("SELECT 1"));
            boolean timedOut = false;
            for (Throwable t = e; t != null; t = t.getCause()) timedOut |= t instanceof java.net.SocketTimeoutException;
            assertTrue(timedOut, "the connection waited until its own timeout; it was not reset: " + e);
        } finally {
            kit.ok("lab", "heal");
        }
    }
}
