import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Bundle;
import common.Json;
import grading.BundleReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import mission.Journal;
import mission.Proof;
import mission.RegionLoss;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import recovery.Restore;

/** Bundles from real runs of both workshops (Workshop), graded as they are, then tampered with one way at a time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradeTest {
    Path home;
    Path zip;
    Kit kit;

    /** What the student did, as the test itself saw it: the figures the kit reports are checked against these. */
    final List<String> said = new ArrayList<>();
    Instant disasterFrom;
    Instant disasterTo;
    recovery.Backups.Point olderPoint;
    Workshop workshop;

    @BeforeAll
    void realRuns() throws Exception {
        Workshop w = Workshop.get();
        home = w.home;
        kit = w.kit;
        zip = w.zip;
        said.addAll(w.said);
        disasterFrom = w.disasterFrom;
        disasterTo = w.disasterTo;
        olderPoint = w.olderPoint;
        workshop = w;
    }

    @Test
    void aBundleFromRealRunsPassesEveryAutomatedCheck(@TempDir Path dir) throws Exception {
        Kit.Result r = grade(dir, zip);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("alice") && r.out().contains("Mission 11/20   PRA 10/20   Total 21/40"), r.out());
        assertFalse(r.out().contains("FLAG"), r.out());
        String csv = Files.readString(dir.resolve("g.csv"));
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("\"alice\",\"" + zip + "\",11,10,21,40,false,\"\"")), csv);
        String xml = Files.readString(dir.resolve("g.xml"));
        assertTrue(xml.contains("<testsuite name=\"alice\"") && xml.contains("failures=\"0\""), xml);
    }

    /**
     * The PRA workshop run by hand in the README's order: every automated PRA check passes, and
     * each figure the kit reported is the one the test computes from what it did itself.
     */
    @Test
    void theWorkshopRunInTheReadmesOrderPassesEveryPraCheckWithItsOwnFigures(@TempDir Path dir) throws Exception {
        Kit.Result graded = grade(dir, zip);
        for (String check : List.of("pra.restore", "pra.rpo", "pra.status", "pra.point", "pra.exercise3")) {
            assertTrue(graded.out().matches("(?s).*\\[ ok  \\] " + check.replace(".", "\\.") + ".*"), check + "\n" + graded.out());
        }

        List<Restore.Result> restores = Restore.readAll(home.resolve("evidence/pra"));
        assertEquals(2, restores.size(), "the disaster's restore and task 2's");
        Restore.Result disaster = restores.get(0);
        assertEquals(Restore.DISASTER, disaster.kind());
        assertTrue(disaster.verified());
        // Counted again from the users' own journal: their writes acknowledged before the restore, past the restored backup.
        Instant restoreStarted = Instant.parse(disaster.startedAt());
        long expectedLost = recovery.Client.read(home.resolve("pra/" + recovery.Traffic.FILE)).stream()
                .filter(a -> a.acknowledged() && a.doneAt().isBefore(restoreStarted) && a.id() > disaster.backupLastId()).count();
        assertTrue(expectedLost >= 1, "the disaster struck an app in use, between two backups: the users lost writes");
        assertEquals(expectedLost, disaster.lostMessages(), "the messages acknowledged after the restored backup");
        Instant struck = Instant.parse(disaster.disasterAt());
        assertFalse(struck.isBefore(disasterFrom) || struck.isAfter(disasterTo), "the disaster struck while pra-disaster ran");
        assertEquals(java.time.Duration.between(recovery.Backups.timeOf(Path.of(disaster.restoredFrom())), struck).toMillis() / 1000.0,
                disaster.rpoSeconds(), 0.0005, "RPO: from the recovery point to the disaster");
        assertEquals(java.time.Duration.between(struck, Instant.parse(disaster.firstAddAt())).toMillis() / 1000.0, disaster.rtoSeconds(), 0.0005);

        Restore.Result rollback = restores.get(1);
        assertEquals(Restore.ROLLBACK, rollback.kind());
        assertEquals(olderPoint.file(), rollback.restoredFrom());
        assertEquals(olderPoint.messages(), rollback.restoredMessages());
        // What the data held when task 2 replaced it is the database the restore kept aside.
        Set<recovery.AppLog.Ack> discarded = new java.util.HashSet<>(recovery.Backups.rows(Path.of(rollback.keptAside())));
        discarded.removeAll(recovery.Backups.rows(home.resolve("pra/volumes/pra-backup").resolve(olderPoint.file())));
        assertEquals(discarded.size(), rollback.lostMessages(), "task 2 discards what came after the chosen point");
        assertNull(rollback.disasterAt(), "a restore chosen on purpose is not a disaster");
        assertEquals(java.time.Duration.between(recovery.Backups.timeOf(Path.of(rollback.restoredFrom())), Instant.parse(rollback.startedAt())).toMillis() / 1000.0,
                rollback.rpoSeconds(), 0.0005);

        List<recovery.App.Reading> readings = recovery.App.Reading.readAll(home.resolve("evidence/pra"));
        assertEquals(2, readings.size(), "task 1: /status read before the disaster and after the restore");
        assertTrue(readings.stream().allMatch(recovery.App.Reading::answered));

        workshop.assertUntouched(home);
        assertTrue(Files.exists(home.resolve("evidence/pra-drill/drill.json")) && Files.exists(home.resolve("evidence/pra5/pra5.json")));
        for (String text : said) assertFalse(text.matches("(?s).*\\b(null|undefined)\\b.*"), text);
    }

    @Test
    void anExercise3AnswerThatDisagreesWithTheRunLosesItsPoint(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Files.writeString(b.resolve("answers/pra.md"), "## 3\nOur RPO was 42 s and our RTO 7 s.\n");
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertEquals(0, r.exit(), "not a required check: " + r.all());
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] pra\\.exercise3.*says RPO 42\\.0 s.*"), r.out());
    }

    @Test
    void theLossIsRecountedFromTheAppsOwnLogAndAnEditedFigureIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path log = b.resolve("pra-log/app.log");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        lines.removeIf(l -> l.startsWith("ADD id="));
        Files.write(log, lines);
        Kit.rehash(b);
        Kit.Result hidden = grade(dir, b);
        assertTrue(hidden.out().matches("(?s).*\\[FAIL \\] pra\\.rpo.*"), hidden.out());

        // Another RPO typed into the restore's record, the rest left as it was: smaller when the run's allows it,
        // else larger (with a backup every 2 s the real one can be a few hundredths of a second).
        Path c = unpacked(dir);
        Path first;
        try (Stream<Path> list = Files.list(c.resolve("pra/restores"))) {
            first = list.sorted().findFirst().orElseThrow();
        }
        Restore.Result r = Json.read(first, Restore.Result.class);
        double claimed = r.rpoSeconds() > 0.5 ? 0.1 : 7.5;
        Files.writeString(first, Json.write(new Restore.Result(r.startedAt(), r.kind(), r.restoredFrom(), r.backupTime(), r.backupMessages(), r.backupLastId(),
                r.restoredMessages(), r.skipped(), r.keptAside(), r.healthyAt(), r.verified(), r.disasterAt(), r.lostMessages(), claimed,
                r.checkMessageId(), r.firstAddAt(), r.rtoSeconds())));
        Kit.rehash(c);
        Kit.Result edited = grade(dir, c);
        assertTrue(edited.out().matches("(?s).*\\[FAIL \\] pra\\.rpo.*the RPO reported is " + claimed + " s.*"), edited.out());
    }

    /**
     * Step 11's loss cannot be talked down: a smaller figure typed into its proof is flagged;
     * the lost writes marked "failed" in the journal are caught (the agent drops a connection at
     * any error, so a failed write is always the last of its connection); a kept row removed
     * from the replica's rows leaves a hole no asynchronous copy makes.
     */
    @Test
    void stepElevensLossIsRecountedAndAnEditCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path proof = b.resolve("maz11/proof.json");
        Files.writeString(proof, Files.readString(proof).replaceFirst("\"lost_writes\": \\d+", "\"lost_writes\": 0"));
        Kit.rehash(b);
        Kit.Result typed = grade(dir, b);
        assertTrue(typed.out().contains("FLAG") && typed.out().contains("maz11/proof.json") && typed.out().contains("lost_writes"), typed.out());

        Path c = unpacked(dir);
        RegionLoss p = Json.read(c.resolve("maz11/proof.json"), RegionLoss.class);
        Path journal = c.resolve("maz11/journal.csv");
        java.util.Set<String> lost = new java.util.HashSet<>();
        for (Long seq : p.lostSeqs()) lost.add(seq + ",");
        List<String> lines = new java.util.ArrayList<>();
        for (String line : Files.readAllLines(journal)) {
            boolean isLost = lost.stream().anyMatch(line::startsWith);
            lines.add(isLost ? line.replace(",ack,", ",fail,") : line);
        }
        Files.write(journal, lines);
        Kit.rehash(c);
        Kit.Result hidden = grade(dir, c);
        assertTrue(hidden.out().matches("(?s).*\\[FAIL \\] maz\\.region.*went on after " + p.lostWrites() + ".*")
                || hidden.out().matches("(?s).*\\[FAIL \\] maz\\.region.*connection went on after [1-9].*"), hidden.out());

        // A row the lost Region had replicated, half way to the first lost write: later ones are kept. (The middle row of
        // the file was one of the new instance's when a busy machine gave it more writes than the lost Region.)
        Path d = unpacked(dir);
        Path rows = d.resolve("maz11/dr-database.csv");
        List<String> kept = new java.util.ArrayList<>(Files.readAllLines(rows));
        String replicated = (p.lostSeqs().get(0) / 2) + ",";
        assertTrue(kept.removeIf(line -> line.startsWith(replicated)), "row " + replicated + " in " + rows);
        Files.write(rows, kept);
        Kit.rehash(d);
        Kit.Result holed = grade(dir, d);
        assertTrue(holed.out().matches("(?s).*\\[FAIL \\] maz\\.region.*lost writes with a later one kept [1-9].*"), holed.out());
    }

    @Test
    void aRemovedJournalLineIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path journal = b.resolve("maz/journal.csv");
        List<String> lines = Files.readAllLines(journal);
        lines.remove(50);
        Files.write(journal, lines);
        Kit.rehash(b);
        assertFails(dir, b, "maz.journal");
    }

    @Test
    void aHiddenLostWriteIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path rows = b.resolve("maz/database.csv");
        List<String> lines = Files.readAllLines(rows);
        lines.remove(100);
        Files.write(rows, lines);
        Kit.rehash(b);
        assertFails(dir, b, "maz.rpo");
    }

    @Test
    void anRtoEditedInTheSummaryIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path proof = b.resolve("maz/proof.json");
        Files.writeString(proof, Files.readString(proof).replaceAll("\"rto_ms\": \\d+", "\"rto_ms\": 1"));
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] maz\\.rto.*"), r.out());
    }

    @Test
    void aSwappedBackupIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Map<?, ?> restore = Json.read(b.resolve("pra/restore.json"), Map.class);
        Path restored = b.resolve("pra-backup").resolve((String) restore.get("restored_from"));
        Path other;
        try (Stream<Path> list = Files.list(b.resolve("pra-backup"))) {
            // Another backup that holds something else: two backups of an idle app are the same data.
            long held = recovery.Backups.check(restored).messages();
            other = list.filter(p -> p.toString().endsWith(".db") && !p.equals(restored) && !Long.valueOf(held).equals(check(p).messages()))
                    .findFirst().orElseThrow();
        }
        Files.copy(other, restored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Kit.rehash(b);
        assertFails(dir, b, "pra.restore");
    }

    @Test
    void aFileChangedAfterBundlingBreaksTheManifest(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Files.writeString(b.resolve("maz/events.json"), "[]");
        assertFails(dir, b, "manifest");
    }

    @Test
    void aMalformedBundleGetsAReasonAndTheOthersAreStillGraded(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("class"));
        Files.copy(zip, folder.resolve("alice.zip"));
        Files.writeString(folder.resolve("bob.zip"), "not a zip at all");
        Kit.Result r = grade(dir, folder);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("not graded, because it is neither a zip nor a folder."), r.out());
        assertTrue(r.out().contains("Total 21/40"), "alice is graded all the same: " + r.out());
    }

    @Test
    void figuresEditedAfterTheRunAreFlaggedBesideTheGenuineScore(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path proof = b.resolve("maz/proof.json");
        long acks = ((Number) Json.read(proof, Map.class).get("acknowledged_writes")).longValue();
        Files.writeString(proof, Files.readString(proof).replaceAll("\"acknowledged_writes\": \\d+", "\"acknowledged_writes\": 99999"));
        Path report = b.resolve("maz/report.html");
        Files.writeString(report, Files.readString(report).replaceAll("data-figure=\"rto_ms\">\\d+ ms<", "data-figure=\"rto_ms\">7 ms<"));
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().contains("FLAG: maz/proof.json says acknowledged_writes = 99999, but the recount from the raw journal and rows gives " + acks), r.out());
        assertTrue(r.out().contains("FLAG: maz/report.html says rto_ms = 7, but the recount"), r.out());
        assertTrue(r.out().matches("(?s).*\\[ ok  \\] maz\\.rpo.*"), "the recount scores as before: " + r.out());
    }

    @Test
    void anRtoShorterThanTheRegionsOwnFailoverIsFlagged(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        long rto = ((Number) Json.read(b.resolve("maz/proof.json"), Map.class).get("rto_ms")).longValue();
        // The region's events moved apart: a failover recorded as lasting ten times the agent's outage.
        Path events = b.resolve("maz/events.json");
        List<Map<String, Object>> list = new ArrayList<>();
        for (Object o : Json.read(events, List.class)) list.add(new java.util.LinkedHashMap<>(Json.toMap(o)));
        Instant started = list.stream().filter(e -> String.valueOf(e.get("message")).startsWith("Multi-AZ instance failover started"))
                .map(e -> Instant.parse((String) e.get("time"))).findFirst().orElseThrow();
        for (Map<String, Object> e : list) {
            if (String.valueOf(e.get("message")).matches("The standby in \\S+ was promoted to primary.*")) e.put("time", started.plusMillis(rto * 10).toString());
        }
        Files.writeString(events, Json.write(list));
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().contains("FLAG: the RTO, " + rto + " ms, is shorter than the region's own recorded failover (" + rto * 10 + " ms"), r.out());
    }

    /** A name with a forged score or markup in it reads as a name, in quotes, in all four outputs. */
    @Test
    void aForgedScoreInANameNeverPassesForTheGradersOwn(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        String forged = "mallory 40 / 40 <b>top</b>";
        Bundle.Manifest m = Json.read(b.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        Files.writeString(b.resolve(Bundle.MANIFEST), Json.write(new Bundle.Manifest(m.kit(), forged, m.createdAt(), m.files())));
        Path html = dir.resolve("class.html");
        Kit.Result r = kit.run("grade", b.toString(), "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString(),
                "--html", html.toString());
        String quoted = "\"" + forged + "\"";
        String table = r.out().substring(r.out().indexOf("\nClass:"));
        assertTrue(table.contains("  " + quoted + " "), "the class table: " + table);
        assertTrue(r.out().contains("== " + quoted), r.out());
        String csv = Files.readString(dir.resolve("g.csv"));
        assertTrue(csv.contains("\"\"\"mallory 40 / 40 <b>top</b>\"\"\""), csv);
        String junit = Files.readString(dir.resolve("g.xml"));
        assertTrue(junit.contains("name=\"&quot;mallory 40 / 40 &lt;b&gt;top&lt;/b&gt;&quot;\""), junit);
        assertFalse(junit.contains("<b>"), junit);
        String page = Files.readString(html);
        assertFalse(page.contains("<b>top"), "no markup of the student's reaches the page");
        assertTrue(page.contains("\\\"mallory 40 / 40 \\u003cb>top\\u003c/b>\\\""), "the page holds the name in quotes, its markup escaped");
    }

    // ---- hostile bundles: made from the real one, each edited the way a student could --------

    /**
     * A class where every bundle but alice's is hostile. The grader must grade alice, give each of
     * the others its reason, and leave no file anywhere but in its own scratch folder.
     */
    @Test
    void hostileBundlesNeverReachOutsideTheirScratchFolderAndTheHonestOneIsGraded(@TempDir Path dir) throws Exception {
        Path klass = Files.createDirectories(dir.resolve("class"));
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.copy(zip, klass.resolve("alice.zip"));

        // restored_from climbing out of the bundle, and pointing at a database elsewhere on the machine.
        Path outside = elsewhere.resolve("app.db");
        Files.copy(firstBackup(unpacked(dir)), outside);
        zipped(withRestoredFrom(unpacked(dir), "../x"), klass.resolve("dotdot.zip"));
        zipped(withRestoredFrom(unpacked(dir), outside.toString()), klass.resolve("absolute.zip"));

        // A manifest with no student; a name that forges lines, moves the terminal and starts a formula.
        Path noName = unpacked(dir);
        rewriteManifest(noName, null);
        zipped(noName, klass.resolve("noname.zip"));
        Path mallory = unpacked(dir);
        String evil = "=HYPERLINK(\"http://evil\")\n  mallory            20/20    20/20    40/40\u001b[2J\u001b[31m";
        rewriteManifest(mallory, evil);
        zipped(mallory, klass.resolve("mallory.zip"));

        // A zip bomb: a few hundred KB that inflate to 300 MB.
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(klass.resolve("bomb.zip")))) {
            z.putNextEntry(new ZipEntry("maz/journal.csv"));
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) z.write(zeros);
            z.closeEntry();
        }
        // A folder bundle whose journal is a link to a file of the instructor's machine.
        Path linked = unpacked(dir);
        Files.delete(linked.resolve("maz/journal.csv"));
        Files.createSymbolicLink(linked.resolve("maz/journal.csv"), outside);

        Map<Path, Set<String>> before = listings(klass, elsewhere, linked, Path.of(System.getProperty("java.io.tmpdir")));
        Path results = Files.createDirectories(dir.resolve("results"));
        Kit.Result r = kit.run("grade", klass.toString(), linked.toString(), "--csv", results.resolve("g.csv").toString(),
                "--junit", results.resolve("g.xml").toString());
        assertEquals(before, listings(klass, elsewhere, linked, Path.of(System.getProperty("java.io.tmpdir"))),
                "nothing was written or left beside the bundles, the outside file or in the temporary folder");

        assertEquals(1, r.exit(), r.all());
        String out = r.out();
        assertTrue(section(out, "alice.zip").contains("Total 21/40"), "the honest bundle is graded as alone: " + out);
        assertTrue(section(out, "dotdot.zip").matches("(?s).*\\[FAIL \\] pra\\.restore.*names \"\\.\\./x\", which is not a backup file.*"), out);
        assertTrue(section(out, "absolute.zip").contains("names \"" + outside + "\", which is not a backup file"), out);
        assertTrue(section(out, "noname.zip").contains("manifest.json has no student"), out);
        assertTrue(section(out, "bomb.zip").contains("inflates more than 200 times its packed size"), out);
        assertTrue(out.contains("holds maz/journal.csv, a symbolic link"), out);
        assertFalse(out.contains("\u001b"), "no escape sequence reaches the terminal");
        assertFalse(out.lines().anyMatch(l -> l.startsWith("  mallory ")), "no forged line in the class table: " + out);
        assertFalse(out.contains(System.getProperty("java.io.tmpdir") + "/db007-grade"), "no reason shows a temporary path: " + out);

        String csv = Files.readString(results.resolve("g.csv"));
        assertTrue(csv.contains("\"\"\"=HYPERLINK(\\\"\"http://evil\\\"\")?"), "the name is shown in quotes, so it cannot start a formula in a spreadsheet: " + csv);
        assertEquals(8, csv.lines().count(), "a header and all seven bundles: " + csv);
        String xml = Files.readString(results.resolve("g.xml"));
        assertFalse(xml.contains("\u001b"), xml);
    }

    /** LMS exports name every file alike: each bundle is unpacked apart, and bob sees nothing of alice's. */
    @Test
    void bundlesOfTheSameNameInDifferentFoldersAreGradedApart(@TempDir Path dir) throws Exception {
        Path a = Files.createDirectories(dir.resolve("a"));
        Path b = Files.createDirectories(dir.resolve("b"));
        Files.copy(zip, a.resolve("submission.zip"));
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(b.resolve("submission.zip")))) {
            z.putNextEntry(new ZipEntry(Bundle.MANIFEST));
            z.write(Json.write(new Bundle.Manifest("DB007 1.0.0", "bob", Instant.now().toString(), Map.of())).getBytes(StandardCharsets.UTF_8));
            z.closeEntry();
        }
        Kit.Result r = kit.run("grade", a.resolve("submission.zip").toString(), b.resolve("submission.zip").toString(),
                "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString());
        assertTrue(section(r.out(), "alice").contains("Total 21/40"), r.out());
        String bob = section(r.out(), "b/submission.zip");
        assertTrue(bob.contains("holds no evidence"), r.out());
        assertFalse(bob.contains("Total 21/40") || bob.contains("answer"), "bob is not graded on alice's files: " + bob);
    }

    /** A lost write hidden as "unknown", its row deleted, and the proof and report edited to match. */
    @Test
    void aLostWriteDisguisedAsUnknownIsCountedLost(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        List<Journal.Entry> journal = Journal.read(b.resolve("maz/journal.csv"));
        Journal.Entry victim = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack && e.seq() > 100).findFirst().orElseThrow();
        List<Journal.Entry> edited = journal.stream().map(e -> e.seq() != victim.seq() ? e : new Journal.Entry(e.seq(), e.sentAt(), e.doneAt(),
                Journal.Outcome.unknown, e.conn(), null, null, e.latencyMicros(), e.checksum(), "08006 An I/O error occurred")).toList();
        writeJournal(b, edited);
        Map<Long, Proof.Row> rows = Proof.readRows(b.resolve("maz/database.csv"));
        rows.remove(victim.seq());
        Proof.writeRows(b.resolve("maz/database.csv"), rows.values());
        Path proof = b.resolve("maz/proof.json");
        Files.writeString(proof, Files.readString(proof).replaceAll("\"unknown_writes\": (\\d+)", "\"unknown_writes\": 2"));
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] maz\\.rpo.*lost 1,.*cannot have lost their answer.*\\[" + victim.seq() + "\\].*"), r.out());
        assertTrue(r.out().contains("FLAG: \"unknown\" writes where no connection broke: 1"), r.out());
    }

    /** The outage shortened: every attempt after it moved earlier, in the journal and the rows' client times alike. */
    @Test
    void anOutageShortenedConsistentlyInTheStudentsFilesDisagreesWithTheServer(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Proof claimed = Json.read(b.resolve("maz/proof.json"), Proof.class);
        Instant resumed = Instant.parse(claimed.outageTo());
        long shift = claimed.rtoMs() / 2;
        String runId = (String) Json.read(b.resolve("maz/agent.json"), Map.class).get("run_id");
        Map<Long, Proof.Row> rows = Proof.readRows(b.resolve("maz/database.csv"));
        List<Journal.Entry> edited = new ArrayList<>();
        for (Journal.Entry e : Journal.read(b.resolve("maz/journal.csv"))) {
            if (e.doneAt().isBefore(resumed)) {
                edited.add(e);
                continue;
            }
            Instant sent = e.sentAt().minusMillis(shift);
            Proof.Row row = rows.get(e.seq());
            String checksum = row == null ? e.checksum() : Journal.checksum(runId, e.seq(), sent, row.payload());
            edited.add(new Journal.Entry(e.seq(), sent, e.doneAt().minusMillis(shift), e.outcome(), e.conn(), e.az(), e.server(), e.latencyMicros(), checksum, e.error()));
            if (row != null) rows.put(e.seq(), new Proof.Row(row.seq(), sent, row.writtenAt(), row.xid(), row.payload(), checksum));
        }
        writeJournal(b, edited);
        Proof.writeRows(b.resolve("maz/database.csv"), new TreeMap<>(rows).values());
        Path proof = b.resolve("maz/proof.json");
        Files.writeString(proof, Files.readString(proof).replaceAll("\"rto_ms\": \\d+", "\"rto_ms\": " + (claimed.rtoMs() - shift)));
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] maz\\.rto.*the journal disagrees with the database.*"), r.out());
        assertTrue(r.out().contains("FLAG:") && r.out().contains("server time or transaction order disagrees"), r.out());
    }

    /** Practical task 2 claimed with the newest backup of the volume, taken after the restore began. */
    @Test
    void aChosenPointThatDidNotExistYetDoesNotCount(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path newest;
        try (Stream<Path> list = Files.list(b.resolve("pra-backup"))) {
            newest = list.filter(p -> p.toString().endsWith(".db")).max(Path::compareTo).orElseThrow();
        }
        recovery.Backups.Point p = recovery.Backups.check(newest);
        try (Stream<Path> list = Files.list(b.resolve("pra/restores"))) {
            for (Path f : (Iterable<Path>) list::iterator) {
                Restore.Result r = Json.read(f, Restore.Result.class);
                Files.writeString(f, Json.write(new Restore.Result(r.startedAt(), r.kind(), newest.getFileName().toString(), p.time(), p.messages(), p.lastId(),
                        p.messages(), r.skipped(), r.keptAside(), r.healthyAt(), true, r.disasterAt(), r.lostMessages(), r.rpoSeconds(),
                        r.checkMessageId(), r.firstAddAt(), r.rtoSeconds())));
            }
        }
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] pra\\.point.*"), r.out());
        assertTrue(r.out().contains("FLAG: a restore names a backup taken after that restore began"), r.out());
    }

    /** One bundle handed in three times under three names: all three are flagged, naming each other. */
    @Test
    void copiesOfOneBundleAreFlaggedEachNamingTheOthers(@TempDir Path dir) throws Exception {
        Path klass = Files.createDirectories(dir.resolve("class"));
        for (String who : List.of("alice", "bob", "carol")) {
            Path copy = unpacked(dir);
            rewriteManifest(copy, who);
            zipped(copy, klass.resolve(who + ".zip"));
        }
        Kit.Result r = grade(dir, klass);
        for (String who : List.of("alice", "bob", "carol")) {
            String s = section(r.out(), who + ".zip");
            assertTrue(s.contains("FLAG: shares its agent run, journal or a backup with"), r.out());
            for (String other : List.of("alice", "bob", "carol")) if (!other.equals(who)) assertTrue(s.contains(other + " ("), s);
        }
        assertTrue(Files.readString(dir.resolve("g.csv")).contains("a copy?"), "the flags are in the class CSV");
    }

    /** The instructor's marks complete the grade: only for what a person judges, and the CSV carries the total. */
    @Test
    void marksCompleteTheGradeForWhatOnlyAPersonCanJudge(@TempDir Path dir) throws Exception {
        Path marks = dir.resolve("marks.csv");
        Files.writeString(marks, String.join("\n", "student,check,points,comment",
                "alice,pra.exercises,3,\"clear, but exercise 5 forgets the off-site lag\"",
                "alice,pra.readme,2,",
                "alice,maz.rpo,5,not the instructor's to give",
                "zoe,pra.process,4,nobody of that name",
                "alice,maz.questions,3,\"names detection, promotion and reconnection\"", ""));
        Kit.Result r = kit.run("grade", zip.toString(), "--marks", marks.toString(), "--csv", dir.resolve("g.csv").toString(),
                "--junit", dir.resolve("g.xml").toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("Mission 14/20   PRA 13/20   Total 27/40"), r.out());
        assertTrue(r.out().contains("instructor: clear, but exercise 5 forgets the off-site lag"), r.out());
        assertTrue(r.out().contains("marks line 4: \"maz.rpo\" is not a check the instructor marks") && r.out().contains("marks line 5: no student named \"zoe\""), r.out());
        assertTrue(Files.readString(dir.resolve("g.csv")).lines().anyMatch(l -> l.startsWith("\"alice\",") && l.contains(",14,13,27,40,")), r.out());
        assertTrue(r.out().contains("Our RPO was") && r.out().contains("Key points:"), "answers and keys in full: " + r.out());
        String flowing = r.out().replaceAll("\\s+", " ");
        assertTrue(flowing.contains("Nobody was told; step 8 looks for the row.") && flowing.contains("high availability and backups answer different failures"),
                "the mission's answers beside their keys: " + r.out());
    }

    /** A student's damaged file gets a reason naming it as the student knows it, never a temporary path. */
    @Test
    void aDamagedFileIsNamedAsTheStudentKnowsIt(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        try (Stream<Path> list = Files.list(b.resolve("pra/restores"))) {
            Files.writeString(list.findFirst().orElseThrow(), "{ \"restored_from\": 42, ");
        }
        Kit.rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] pra\\.restore.*pra/restores cannot be read: [0-9TZ-]+\\.json: End of input.*"), r.out());
        assertFalse(r.out().contains("db007-grade"), "no reason shows where the grader unpacked the bundle: " + r.out());
        assertTrue(r.out().contains("[ ok  ] maz.rpo"), "the mission is still graded: " + r.out());
    }

    private Kit.Result grade(Path dir, Path bundle) {
        return kit.run("grade", bundle.toString(), "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString());
    }

    private void assertFails(Path dir, Path bundle, String check) {
        Kit.Result r = grade(dir, bundle);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] " + check.replace(".", "\\.") + ".*"), r.out());
    }

    private Path unpacked(Path dir) throws Exception {
        return BundleReader.unpack(zip, Files.createTempDirectory(dir, "b"), BundleReader.Limits.CLASS);
    }

    /** The lines of the grader's output about one student, from their heading to the next. */
    private static String section(String out, String who) {
        int start = out.indexOf("== ");
        while (start >= 0 && !out.substring(start, out.indexOf('\n', start)).contains(who)) start = out.indexOf("== ", start + 3);
        if (start < 0) return "";
        int end = out.indexOf("\n== ", start + 3);
        int table = out.indexOf("\nClass:", start);
        return out.substring(start, end < 0 || (table >= 0 && table < end) ? (table < 0 ? out.length() : table) : end);
    }

    private static recovery.Backups.Point check(Path backup) {
        try {
            return recovery.Backups.check(backup);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Path firstBackup(Path bundle) throws IOException {
        try (Stream<Path> list = Files.list(bundle.resolve("pra-backup"))) {
            return list.filter(p -> p.toString().endsWith(".db")).sorted().findFirst().orElseThrow();
        }
    }

    /** Every recorded restore now names this as its backup. */
    private static Path withRestoredFrom(Path bundle, String name) throws Exception {
        List<Path> files;
        try (Stream<Path> list = Files.list(bundle.resolve("pra/restores"))) {
            files = new ArrayList<>(list.toList());
        }
        files.add(bundle.resolve("pra/restore.json"));
        for (Path f : files) {
            Restore.Result r = Json.read(f, Restore.Result.class);
            Files.writeString(f, Json.write(new Restore.Result(r.startedAt(), r.kind(), name, r.backupTime(), r.backupMessages(), r.backupLastId(),
                    r.restoredMessages(), r.skipped(), r.keptAside(), r.healthyAt(), r.verified(), r.disasterAt(), r.lostMessages(), r.rpoSeconds(),
                    r.checkMessageId(), r.firstAddAt(), r.rtoSeconds())));
        }
        Kit.rehash(bundle);
        return bundle;
    }

    private static void rewriteManifest(Path bundle, String student) throws Exception {
        Bundle.Manifest m = Json.read(bundle.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        Files.writeString(bundle.resolve(Bundle.MANIFEST), Json.write(new Bundle.Manifest(m.kit(), student, m.createdAt(), m.files())));
    }

    private static void writeJournal(Path bundle, List<Journal.Entry> entries) throws IOException {
        Path file = bundle.resolve("maz/journal.csv");
        Files.delete(file);
        try (Journal j = Journal.create(file)) {
            for (Journal.Entry e : entries) j.append(e);
        }
    }

    /** A folder zipped again, as a student would after editing it. */
    private static Path zipped(Path folder, Path zipFile) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(folder)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(zipFile))) {
            for (Path f : files) {
                z.putNextEntry(new ZipEntry(folder.relativize(f).toString()));
                Files.copy(f, z);
                z.closeEntry();
            }
        }
        return zipFile;
    }

    /** Every file below each folder (and the folder's own entries for the temporary folder). */
    private static Map<Path, Set<String>> listings(Path... folders) throws IOException {
        Map<Path, Set<String>> m = new TreeMap<>();
        for (Path f : folders) {
            boolean tmp = f.equals(Path.of(System.getProperty("java.io.tmpdir")));
            try (Stream<Path> walk = tmp ? Files.list(f) : Files.walk(f)) {
                m.put(f, walk.filter(p -> !tmp || p.getFileName().toString().startsWith("db007")).map(Path::toString).collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        return m;
    }
}
