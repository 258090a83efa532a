import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import mission.Journal;
import mission.Mole;
import mission.Proof;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import region.Region;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.RdsException;

/**
 * Step 10 on real servers: the mole's DELETE reaches the standby; a restore to one second before
 * it holds every row acknowledged before that point; a time outside the restorable window and a
 * gap in the WAL archive are refused with what to do, and touch nothing of the live region; the
 * restored instance never takes the writer endpoint. The restores go through the same RDS API
 * (RestoreDBInstanceToPointInTime) that RDS offers, with the real SDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MoleTest {
    Path home;
    Kit kit;

    @BeforeAll
    void region(@TempDir Path dir) {
        home = dir.resolve("home");
        kit = new Kit(home);
        kit.ok("lab", "up");
    }

    @AfterAll
    void down() {
        if (kit != null) kit.purge();
    }

    @Test
    void theErrorReachesTheStandbyAndARestoreOneSecondBeforeHoldsEveryRowAcknowledgedBeforeIt() throws Exception {
        Kit.Result r = kit.ok("maz10", "--restore-before", "1", "--replace");
        Mole m = Mole.read(home.resolve("evidence/maz/mole"));
        assertNotNull(m, r.all());
        assertEquals("pass", m.verdict(), r.all());
        assertTrue(m.deletedRows() > 100, "the mole deleted the agent's last seconds: " + m.deletedRows());
        assertNotNull(m.standbyLostWithinMs(), "asked on the standby itself: " + r.all());
        assertTrue(m.standbyLostWithinMs() < 2000, "the standby lost the rows within milliseconds: " + m.standbyLostWithinMs());
        Instant errorAt = Instant.parse(m.errorAt());
        Instant point = Instant.parse(m.restoreTime());
        assertEquals(errorAt.getEpochSecond() - 1, point.getEpochSecond(), "one second before the error's second");
        assertEquals(java.time.Duration.between(point, errorAt).toMillis() / 1000.0, m.rpoSeconds(), 0.0005, "RPO: from the recovery point to the error");

        // Asked of the restored instance itself, not of the step: every write acknowledged before the point is there.
        List<Journal.Entry> journal = Journal.read(home.resolve("evidence/maz/mole/" + Journal.FILE));
        String runId = Files.readString(home.resolve("evidence/maz/mole/agent.json")).replaceAll("(?s).*\"run_id\": \"([^\"]+)\".*", "$1");
        String[] at = m.restoredEndpoint().split(":");
        Set<Long> held = new HashSet<>();
        try (Connection c = kit.connect(Integer.parseInt(at[1])); PreparedStatement q = c.prepareStatement("SELECT seq FROM db007_writes WHERE run_id = ?")) {
            q.setString(1, runId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) held.add(rs.getLong(1));
            }
        }
        long before = 0;
        for (Journal.Entry e : journal) {
            if (e.outcome() != Journal.Outcome.ack || e.doneAt().isAfter(point)) continue;
            before++;
            assertTrue(held.contains(e.seq()), "write #" + e.seq() + ", acknowledged at " + e.doneAt() + ", before the recovery point " + point);
        }
        assertTrue(before > 100, "the check saw the writes: " + before);
        assertTrue(journal.stream().anyMatch(e -> e.outcome() == Journal.Outcome.ack && e.doneAt().isAfter(errorAt) && !held.contains(e.seq())),
                "the restored instance is the past: it lacks what came after the error");

        // The live database has every write before the point, and (copy) the writes after the error.
        assertTrue(Proof.readRows(home.resolve("evidence/maz/mole/" + Proof.ROWS)).size() >= before);
        assertEquals(0, m.lostAfterError(), "copy keeps the writes made since the error");

        // The restored instance is never behind the writer endpoint.
        try (Connection c = kit.endpoint(); var s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_setting('cluster_name')")) {
            rs.next();
            assertTrue(rs.getString(1).startsWith("az"), "the endpoint still reaches " + rs.getString(1));
        }

        // The grader recounts step 10 from the journal and the rows; a row removed from the hand-in is caught.
        Path bundle = home.resolve("mole.zip");
        kit.ok("bundle", "--student", "mole", "--out", bundle.toString());
        Kit.Result graded = kit.run("grade", bundle.toString(), "--csv", home.resolve("g.csv").toString(), "--junit", home.resolve("g.xml").toString());
        assertTrue(graded.out().matches("(?s).*\\[ ok  \\] maz\\.mole.*"), graded.out());
        Path unpacked = grading.BundleReader.unpack(bundle, Files.createTempDirectory(home, "b"), grading.BundleReader.Limits.CLASS);
        Path rowsFile = unpacked.resolve("maz/mole/" + Proof.ROWS);
        java.util.Map<Long, Proof.Row> kept = new java.util.TreeMap<>(Proof.readRows(rowsFile));
        long victim = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack && !e.doneAt().isAfter(point)).findFirst().orElseThrow().seq();
        kept.remove(victim);
        Proof.writeRows(rowsFile, kept.values());
        common.Bundle.Manifest mf = common.Json.read(unpacked.resolve(common.Bundle.MANIFEST), common.Bundle.Manifest.class);
        java.util.Map<String, String> hashes = new java.util.TreeMap<>(mf.files());
        hashes.put("maz/mole/" + Proof.ROWS, common.Bundle.sha256(rowsFile));
        Files.writeString(unpacked.resolve(common.Bundle.MANIFEST), common.Json.write(new common.Bundle.Manifest(mf.kit(), mf.student(), mf.createdAt(), hashes)));
        Kit.Result tampered = kit.run("grade", unpacked.toString(), "--csv", home.resolve("g2.csv").toString(), "--junit", home.resolve("g2.xml").toString());
        assertTrue(tampered.out().matches("(?s).*\\[FAIL \\] maz\\.mole.*missing from the live database: 1.*"), tampered.out());

        // Run again without --replace: the first restored instance is kept, and the step says how to go on.
        Kit.Result again = kit.run("maz10");
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.err().contains("still exists") && again.err().contains("--replace"), again.err());

        // The other choice: the restored data replaces the live data, and the writes made since the error are lost, counted.
        Kit.Result promoted = kit.ok("maz10", "--replace", "--bring-back", "promote");
        Mole p = Mole.read(home.resolve("evidence/maz/mole"));
        assertEquals("pass", p.verdict(), promoted.all());
        assertTrue(p.lostAfterError() > 0 && p.keptAfterError() == 0, "promote loses what came after the error: " + promoted.out());
        assertEquals(p.acknowledgedBeforeError() - p.lostBeforeError(), p.backBeforeError(), promoted.out());
    }

    @Test
    void aTimeOutsideTheWindowIsRefusedWithTheWindow() throws Exception {
        Kit.Result r = kit.run("maz10", "--restore-time", "2001-01-01T00:00:00Z", "--restored-id", "too-early");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("outside the restorable window") && r.err().matches("(?s).*from 20\\d\\d-.*to 20\\d\\d-.*"), r.err());
        try (RdsClient rds = sdk()) {
            RdsException e = assertThrows(RdsException.class, () -> rds.restoreDBInstanceToPointInTime(q -> q.sourceDBInstanceIdentifier("db007")
                    .targetDBInstanceIdentifier("from-the-future").restoreTime(Instant.now().plusSeconds(3600))));
            assertEquals("InvalidRestoreFault", e.awsErrorDetails().errorCode());
            assertTrue(e.getMessage().contains("outside the restorable window"), e.getMessage());
            assertFalse(rds.describeDBInstances().dbInstances().stream().anyMatch(i -> i.dbInstanceIdentifier().equals("from-the-future")));
        }
    }

    @Test
    void aGapInTheArchiveIsNamedAndNothingLiveIsTouched() throws Exception {
        Region.State state = kit.state();
        Path wal = Path.of(state.dataRoot(), "archive", "wal");
        // Enough WAL for a segment in the middle: rows written through the endpoint, then a segment switch.
        String last = null;
        try (Connection c = kit.endpoint(); var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS filler (x text)");
            for (int i = 0; i < 4; i++) {
                s.execute("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 2000)");
                try (var r = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                    r.next();
                    last = r.getString(1);
                }
            }
        }
        // Both servers archive (archive_mode = always): a segment moved aside while the standby's archiver
        // is still behind would be put back by it. Each must have archived the last segment switched.
        String lastSwitched = last;
        for (Region.Node n : kit.status().nodes()) {
            assertTrue(common.Wait.within(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(50), () -> {
                try (Connection c = kit.connect(n.port()); var s = c.createStatement(); var r = s.executeQuery("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")) {
                    return r.next() && r.getString(1).compareTo(lastSwitched) >= 0;
                }
            }), "the archiver in " + n.az() + " has the last segment switched, " + lastSwitched);
        }
        List<Path> segments;
        try (Stream<Path> list = Files.list(wal)) {
            segments = list.filter(p -> p.getFileName().toString().matches("[0-9A-F]{24}\\.gz")).sorted().toList();
        }
        assertTrue(segments.size() >= 4, segments.toString());
        Path victim = segments.get(segments.size() - 2);
        Path aside = victim.resolveSibling("aside");
        Files.move(victim, aside);
        String missing = victim.getFileName().toString().replace(".gz", "");
        try (RdsClient rds = sdk()) {
            Region.Status before = kit.status();
            RdsException e = assertThrows(RdsException.class, () -> rds.restoreDBInstanceToPointInTime(q -> q.sourceDBInstanceIdentifier("db007")
                    .targetDBInstanceIdentifier("across-a-gap").useLatestRestorableTime(true)));
            assertEquals("InvalidRestoreFault", e.awsErrorDetails().errorCode());
            assertTrue(e.getMessage().contains(missing), "the missing segment is named: " + e.getMessage());
            Region.Status after = kit.status();
            assertEquals(before.primaryAz(), after.primaryAz());
            assertEquals(before.events().stream().filter(ev -> Json.key(ev.type()).startsWith("restore")).count(),
                    after.events().stream().filter(ev -> Json.key(ev.type()).startsWith("restore")).count(), "no restore was started");
        } finally {
            Files.move(aside, victim);
        }
    }

    /**
     * After a failover the archive holds two timelines: a restore to a moment after it replays
     * both, and holds the rows written on each primary. Then the archivers of both AZs are frozen
     * (SIGSTOP): a restore to the latest restorable time finds no commit after it in the archive,
     * waits for more, and fails with the reason instead of hanging or promoting a copy that may
     * lack writes; the live region never stops taking writes.
     */
    @Test
    void aRestoreReplaysAcrossAFailoverAndOneTheArchiveCannotFinishFailsWithTheReason() throws Exception {
        insert("before-failover", 50);
        kit.ok("lab", "failover");
        Instant after = insert("after-failover", 50);
        try (RdsClient rds = sdk()) {
            Instant deadline = Instant.now().plusSeconds(30);
            while (rds.describeDBInstanceAutomatedBackups(q -> q.dbInstanceIdentifier("db007")).dbInstanceAutomatedBackups().get(0)
                    .restoreWindow().latestTime().isBefore(after) && Instant.now().isBefore(deadline)) {
                Thread.sleep(200);
            }
            rds.restoreDBInstanceToPointInTime(q -> q.sourceDBInstanceIdentifier("db007").targetDBInstanceIdentifier("across-timelines")
                    .restoreTime(after.plusMillis(1)));
            var restored = rds.describeDBInstances(q -> q.dbInstanceIdentifier("across-timelines")).dbInstances().get(0);
            for (Instant until = Instant.now().plusSeconds(60); !restored.dbInstanceStatus().equals("available") && Instant.now().isBefore(until); ) {
                assertFalse(restored.dbInstanceStatus().equals("failed"), "the restore failed: " + kit.status().events());
                Thread.sleep(200);
                restored = rds.describeDBInstances(q -> q.dbInstanceIdentifier("across-timelines")).dbInstances().get(0);
            }
            assertEquals("available", restored.dbInstanceStatus());
            try (Connection c = kit.connect(restored.endpoint().port())) {
                assertEquals(50, count(c, "before-failover"), "rows of the first timeline");
                assertEquals(50, count(c, "after-failover"), "rows of the second timeline");
            }
            rds.deleteDBInstance(q -> q.dbInstanceIdentifier("across-timelines").skipFinalSnapshot(true));

            List<Long> archivers = new java.util.ArrayList<>();
            for (Region.Node n : kit.status().nodes()) {
                ProcessHandle.of(n.pid()).orElseThrow().children()
                        .filter(p -> title(p.pid()).contains("archiver")).forEach(p -> archivers.add(p.pid()));
            }
            assertEquals(2, archivers.size(), "one archiver per AZ");
            signal("STOP", archivers);
            try {
                Instant asked = Instant.now();
                rds.restoreDBInstanceToPointInTime(q -> q.sourceDBInstanceIdentifier("db007").targetDBInstanceIdentifier("never-archived")
                        .useLatestRestorableTime(true));
                Region.Event failed = null;
                while (failed == null && Instant.now().isBefore(asked.plusSeconds(60))) {
                    failed = kit.status().events().stream().filter(e -> e.type() == Region.EventType.RESTORE_FAILED && e.message().contains("never-archived"))
                            .findFirst().orElse(null);
                    insert("while-frozen", 1);
                    Thread.sleep(200);
                }
                assertNotNull(failed, "the restore fails instead of waiting");
                assertTrue(failed.message().contains("no commit at or after the target") && failed.message().contains("Try again"), failed.message());
                assertTrue(Duration.between(asked, Instant.parse(failed.time())).toSeconds() < 30, "it gives up after the archive's silence, not ten minutes");
                assertTrue(kit.status().healthy(), "the live region took writes all along");
            } finally {
                signal("CONT", archivers);
            }
        }
    }

    /** N rows of a run of their own through the writer endpoint; returns the commit's time as the server kept it. */
    private Instant insert(String runId, int n) throws Exception {
        try (Connection c = kit.endpoint(); var s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS marks (run_id text, n int)");
            s.execute("INSERT INTO marks SELECT '" + runId + "', g FROM generate_series(1, " + n + ") g");
            try (ResultSet r = s.executeQuery("SELECT clock_timestamp()")) {
                r.next();
                return r.getTimestamp(1).toInstant();
            }
        }
    }

    private static long count(Connection c, String runId) throws Exception {
        try (var s = c.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM marks WHERE run_id = '" + runId + "'")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** A server process's title, as ps shows it: PostgreSQL writes its role there, which ProcessHandle's info does not give back. */
    private static String title(long pid) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    private static void signal(String sig, List<Long> pids) throws Exception {
        for (long pid : pids) new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor();
    }

    private RdsClient sdk() throws Exception {
        return RdsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + kit.state().apiPort()))
                .region(software.amazon.awssdk.regions.Region.of("local")).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any"))).build();
    }
}
