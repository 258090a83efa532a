import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.LocalSite;

/** The PRA drill on local folders, for real: app process, SQLite files, backups, disaster, restore. */
class PraDrillTest {
    Path home;

    @AfterEach
    void down() throws Exception {
        if (home != null) for (String run : new String[] {"pra", "pra-drill", "pra5"}) new LocalSite(home.resolve(run)).down(true);
    }

    /** A deployed site whose backup job will not run during the test, holding one message. */
    private static LocalSite siteHolding(Kit kit, Path dir, String message) {
        kit.ok("pra_deploy", "--backup-every", "3600");
        LocalSite site = new LocalSite(dir.resolve("pra"));
        assertEquals(200, site.get("/add?message=" + message).status());
        return site;
    }

    /**
     * Practical task 2 (a rollback) comes after the disaster's restore: pra2 and pra3 still give the
     * disaster's figures, the same restore the grader checks exercise 3 against.
     */
    @Test
    void pra2AndPra3GiveTheDisastersRestoreNotTheRollbackAfterIt() throws Exception {
        Workshop w = Workshop.get();
        java.util.List<recovery.Restore.Result> all = recovery.Restore.readAll(w.home.resolve("evidence/pra"));
        recovery.Restore.Result disaster = recovery.Restore.afterDisaster(all);
        assertEquals(recovery.Restore.ROLLBACK, all.get(all.size() - 1).kind(), "the workshop's last restore is task 2's rollback");
        assertEquals(recovery.Restore.DISASTER, disaster.kind());
        String rpo = String.format(java.util.Locale.ROOT, "RPO achieved: %.1f s", disaster.rpoSeconds());
        String three = w.kit.ok("pra_exercises", "3").out();
        assertTrue(three.contains(rpo), "pra3 gives the disaster's RPO (" + rpo + "):\n" + three);
        String two = w.kit.ok("pra_exercises", "2").out();
        assertTrue(two.contains("The restore used " + disaster.restoredFrom()), "pra2 names the disaster's restore:\n" + two);
    }

    @Test
    void theDrillLosesExactlyWhatWasWrittenAfterTheLastBackup() throws Exception {
        Workshop w = Workshop.get();
        Path dir = w.home;
        Kit.Result r = w.drill;
        assertEquals(0, r.exit(), r.all());
        Map<?, ?> o = Json.read(r.out(), Map.class);
        assertEquals("pass", o.get("verdict"));
        long acked = ((Number) o.get("acknowledged_messages")).longValue();
        long restored = ((Number) o.get("restored_messages")).longValue();
        long lost = ((Number) o.get("lost_messages")).longValue();
        long unanswered = ((Number) o.get("unanswered_in_data")).longValue();
        assertTrue(unanswered <= 1, "only the write in flight when the pod was killed can be stored unanswered: " + unanswered);
        assertEquals(acked + unanswered, restored + lost, "every acknowledged message is either restored or counted lost; the restored data holds nothing else but writes never answered");
        assertTrue(lost > 0, "the drill writes after its last backup, so something is lost");
        assertTrue(((Number) o.get("rto_seconds")).doubleValue() > 0);
        assertTrue(((Number) o.get("rpo_seconds")).doubleValue() > 0, "the backup restored precedes the disaster: " + r.out());
        Path evidence = dir.resolve("evidence/pra-drill");
        for (String f : new String[] {"adds.csv", "backups.json", "restore.json", "status.json", "drill.json"}) {
            assertTrue(Files.exists(evidence.resolve(f)), f);
        }
        Map<?, ?> restore = Json.read(evidence.resolve("restore.json"), Map.class);
        assertEquals(restore.get("rpo_seconds"), o.get("rpo_seconds"), "one RPO, the restore's: from the recovery point to the disaster");
        assertTrue(Files.exists(dir.resolve("pra-drill")) && !Json.read(evidence.resolve("restore.json"), Map.class).equals(
                Json.read(dir.resolve("evidence/pra/restore.json"), Map.class)), "the drill ran on its own site and wrote its own evidence");
        w.assertUntouched(dir);
    }

    /**
     * The disaster's moment comes after the app's last acknowledged write and after the last
     * backup: stamped before the app had stopped, a write acknowledged in between counted as lost
     * to the disaster, and a backup made in between gave an RPO below zero. A user writing without
     * pause acknowledges writes in that window every time.
     */
    @Test
    void noAcknowledgedWriteAndNoBackupComeAfterTheDisaster(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        kit.ok("pra_deploy", "--backup-every", "1");
        LocalSite site = new LocalSite(dir.resolve("pra"));
        site.waitForBackups(1, Duration.ofSeconds(60));
        AtomicBoolean stop = new AtomicBoolean();
        List<Instant> acknowledged = new CopyOnWriteArrayList<>();
        Thread user = new Thread(() -> {
            while (!stop.get()) {
                if (site.get("/add?message=busy").status() == 200) acknowledged.add(Instant.now());
            }
        });
        user.start();
        assertTrue(common.Wait.within(Duration.ofSeconds(20), Duration.ofMillis(10), () -> acknowledged.size() >= 20), "the user writes");
        Instant at = site.strikeDisaster();
        stop.set(true);
        user.join(30_000);
        List<Instant> after = acknowledged.stream().filter(t -> t.isAfter(at)).toList();
        assertEquals(List.of(), after, "writes acknowledged after the disaster at " + at);
        for (recovery.Backups.Point p : site.points()) {
            assertTrue(Instant.parse(p.time()).isBefore(at), "backup " + p.file() + " is older than the disaster at " + at);
        }
    }

    @Test
    void theStepsOneByOneCrashThePodLoseTheVolumeAndRestoreAChosenPoint(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        // Without the users: the test counts its own twenty messages.
        kit.ok("pra_deploy", "--backup-every", "1", "--no-traffic");
        LocalSite site = new LocalSite(dir.resolve("pra"));
        for (int i = 0; i < 20; i++) assertEquals(200, site.get("/add?message=m" + i).status());
        Kit.Result copy = kit.ok("pra_copy");
        assertTrue(copy.out().contains("Online backup, as the backup job takes it; messages in it: 20."), copy.out());
        // Two restore points at least, one to choose below.
        assertTrue(common.Wait.within(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(100),
                () -> recovery.Backups.list(site.backups()).size() >= 2), "the backup job keeps backing up");
        assertEquals(dir.resolve("pra/native/supervisor"), sqliteLibraryOf(site.status().supervisorPid()).getParent(),
                "the backup job's SQLite library too is unpacked in the site");
        Path killedLibrary = sqliteLibraryOf(site.status().appPid());
        Kit.Result crash = kit.ok("pra_pod_crash");
        assertTrue(crash.out().contains("messages before: 20, after: 20"), crash.out());
        // The killed app could not delete its unpacked SQLite library: the next start empties the site's folder for it.
        Path library = sqliteLibraryOf(site.status().appPid());
        assertEquals(dir.resolve("pra/native/app"), library.getParent(), "the app's SQLite library is unpacked in its site, not in /tmp");
        assertTrue(Files.notExists(killedLibrary), "the killed app's copy is gone: " + killedLibrary);

        // The app hands out its backup volume's files by name, and nothing else.
        java.util.List<?> names = Json.read(site.get("/backup").body(), java.util.List.class);
        assertTrue(names.contains("backup.log") && names.size() >= 3, names.toString());
        String first = (String) names.get(0);
        try (java.io.InputStream in = java.net.URI.create(site.url("/backup?file=" + first)).toURL().openStream()) {
            org.junit.jupiter.api.Assertions.assertArrayEquals(Files.readAllBytes(site.backups().resolve(first)), in.readAllBytes(), "a whole backup, byte for byte");
        }
        assertEquals(404, site.get("/backup?file=../pra-data/app.db").status(), "no way out of the backup volume");

        Kit.Result list = kit.ok("pra_backups", "--json");
        java.util.List<?> points = Json.read(list.out(), java.util.List.class);
        assertTrue(points.size() >= 2, list.out());
        String oldest = (String) ((Map<?, ?>) points.get(points.size() - 1)).get("file");
        long oldestCount = ((Number) ((Map<?, ?>) points.get(points.size() - 1)).get("messages")).longValue();

        kit.ok("pra_disaster");
        assertTrue(Files.notExists(site.data().resolve("app.db")), "the data volume is gone");
        Kit.Result restore = kit.ok("pra_restore", "--point", oldest);
        assertTrue(restore.out().contains("Restoring " + oldest), restore.out());
        Map<?, ?> r = Json.read(dir.resolve("evidence/pra/restore.json"), Map.class);
        assertEquals(oldest, r.get("restored_from"));
        assertEquals(oldestCount, ((Number) r.get("restored_messages")).longValue());
        assertEquals(20 - oldestCount, ((Number) r.get("lost_messages")).longValue(), "lost = acknowledged after the chosen point");
        assertTrue(((Number) r.get("rto_seconds")).doubleValue() > 0);
        assertTrue(restore.out().contains("\"restore-check\" (id " + (oldestCount + 1) + "): it stays in the data, after the " + oldestCount + " restored messages."),
                "the check message is announced: " + restore.out());
        try (var files = Files.list(site.backups())) {
            // The backup job runs again after the restore: a backup it is taking (.partial, and SQLite's files beside it) is no leftover.
            List<String> other = files.map(f -> f.getFileName().toString())
                    .filter(n -> !recovery.Backups.isBackup(n) && !n.equals("backup.log") && !n.contains(".db.partial")).toList();
            assertEquals(List.of(), other, "the backup volume holds backups and their log, no reader's leftovers");
        }

        // Restoring again onto the live data volume is refused without --force, and nothing is lost.
        Kit.Result again = kit.run("pra_restore");
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(200, site.get("/health").status(), "a refused restore leaves the app running");
        Kit.Result forced = kit.run("pra_restore", "--force", "--point", oldest);
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(forced.out().contains("is kept as"), forced.out());
        assertTrue(forced.out().contains("Messages discarded (held before, not in the chosen point): 1."), "the rollback discards the check message only: " + forced.out());
    }

    @Test
    void aDisasterBeforeTheFirstBackupIsRefusedUnlessAskedFor(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        LocalSite site = siteHolding(kit, dir, "first");
        Kit.Result refused = kit.run("pra_disaster");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.err().contains("no backup has been taken yet") && refused.err().contains("3600 s"), refused.err());
        assertTrue(site.get("/consultation").body().contains("first"), "nothing happened");
        Kit.Result anyway = kit.ok("pra_disaster", "--anyway");
        assertTrue(anyway.out().contains("and no backup at all: everything is gone"), anyway.out());
    }

    @Test
    void aRestoreWithoutAnyBackupSaysSoAndDeletesNothing(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        LocalSite site = siteHolding(kit, dir, "precious");
        Kit.Result r = kit.run("pra_restore", "--force");
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.err().contains("no backup at all"), r.err());
        assertEquals(200, site.get("/health").status());
        assertTrue(site.get("/consultation").body().contains("precious"), "nothing was deleted");
    }

    @Test
    void praDownLeavesNoProcessAndPurgeOnlyTheVolumes(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        LocalSite site = siteHolding(kit, dir, "kept-across-down");
        LocalSite.Status running = site.status();
        // Exercise 5's site beside it, whose folder's name begins with "pra": stopping one site leaves the other running.
        common.Home.use(dir);
        LocalSite neighbour = new LocalSite(dir.resolve("pra5"));
        neighbour.deploy(3600, false);
        LocalSite.Status besides = neighbour.status();
        site.down(false);
        for (Long pid : new Long[] {running.supervisorPid(), running.appPid()}) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "process " + pid + " is gone");
        }
        for (Long pid : new Long[] {besides.supervisorPid(), besides.appPid()}) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the pra5 site's process " + pid + " still runs");
        }
        assertEquals(200, neighbour.get("/health").status(), "the pra5 site still answers");
        // pra-down ends the workshop: exercise 5's site stops with it.
        Kit.Result stopped = kit.ok("pra_down");
        assertTrue(stopped.out().contains(site.dataVolume()) && stopped.out().contains("Also stopped: the site of pra5"), stopped.out());
        for (Long pid : new Long[] {besides.supervisorPid(), besides.appPid()}) {
            assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "the pra5 site's process " + pid + " is gone");
        }
        assertTrue(Files.exists(site.data().resolve("app.db")), "without --purge the volumes stay");
        kit.ok("pra_deploy", "--backup-every", "3600");
        assertTrue(site.get("/consultation").body().contains("kept-across-down"), "pra-deploy starts again on the same data");
        Files.createDirectories(dir.resolve("evidence/pra"));
        kit.ok("pra_down", "--purge");
        assertTrue(!Files.exists(site.data()) && !Files.exists(site.backups()), "--purge deletes both volumes");
        assertTrue(Files.isDirectory(dir.resolve("evidence/pra")), "the evidence is never touched");
    }

    @Test
    void theStrongerDesignSurvivesTheLossOfTheWholeSite() throws Exception {
        Path dir = Workshop.get().home;
        Kit.Result r = Workshop.get().pra5;
        assertEquals(0, r.exit(), r.all());
        Map<?, ?> o = Json.read(r.out(), Map.class);
        assertEquals("pass", o.get("verdict"));
        assertEquals(Boolean.TRUE, o.get("survived_loss_of_backup_volume"), "restored from the off-site copies alone");
        assertTrue(((Number) o.get("alert_fired_after_ms")).longValue() >= 2000, "the alert waits for two intervals, no more eager");
        assertEquals(Boolean.TRUE, o.get("restore_test_passed"));
        Path offsite = dir.resolve("pra-offsite");
        assertEquals(offsite.toString(), o.get("offsite"));
        assertTrue(Files.exists(offsite.resolve((String) o.get("restored_from"))), "restored from a copy kept off-site");
        try (var copies = Files.list(offsite)) {
            assertEquals(((Number) o.get("offsite_copies")).longValue(), copies.count(), "every valid backup copied off-site, nothing else");
        }
    }

    @Test
    void theOffsiteCopiesCanLiveInAnS3Bucket(@TempDir Path dir) throws Exception {
        home = dir;
        try (FakeS3 s3 = new FakeS3("db007-class")) {
            // A damaged copy named newer than any: the restore must pass over it, say so, and take a good one.
            s3.objects.put("db007-class/alice/app-29991231T235959.000Z.db", "not a database".getBytes());
            Kit.Result r = new Kit(dir).run(s3.env(), "pra5", "--offsite", "s3://db007-class/alice");
            assertEquals(0, r.exit(), r.all());
            assertTrue(r.out().contains("app-29991231T235959.000Z.db"), "the damaged copy is named as passed over: " + r.out());
            assertTrue(r.out().contains("aws s3 rm s3://db007-class/alice/ --recursive"), "how to delete the copies: " + r.out());
            Map<?, ?> o = Json.read(dir.resolve("evidence/pra5/pra5.json"), Map.class);
            assertEquals("pass", o.get("verdict"));
            assertEquals("s3://db007-class/alice/", o.get("offsite"));
            String restoredFrom = (String) o.get("restored_from");
            assertTrue(s3.objects.containsKey("db007-class/alice/" + restoredFrom), "restored from a copy in the bucket");
            assertTrue(s3.calls.contains("GET db007-class/alice/app-29991231T235959.000Z.db"), "the newest copy was tried first");
            int copies = 0;
            for (Map.Entry<String, byte[]> e : Map.copyOf(s3.objects).entrySet()) {
                if (e.getKey().contains("2999")) continue;
                Path copy = dir.resolve("copy.db");
                Files.write(copy, e.getValue());
                recovery.Backups.Point p = recovery.Backups.check(copy);
                assertTrue(p.valid(), e.getKey() + " is a whole, consistent backup: " + p.problem());
                copies++;
            }
            assertEquals(((Number) o.get("offsite_copies")).intValue(), copies, "every backup the job copied is in the bucket");
            assertTrue(copies >= 3, "a backup every second for several seconds: " + copies);
        }
    }

    @Test
    void aBucketThatCannotBeUsedStopsNothing(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        LocalSite site = siteHolding(kit, dir, "still-here");
        try (FakeS3 s3 = new FakeS3("db007-class")) {
            Kit.Result missing = kit.run(s3.env(), "pra5", "--offsite", "s3://no-such-bucket/alice");
            assertTrue(missing.exit() != 0, missing.all());
            assertTrue(missing.err().contains("aws s3 mb s3://no-such-bucket"), missing.err());
            Kit.Result denied = kit.run(s3.env(), "pra5", "--offsite", "s3://denied/alice");
            assertTrue(denied.exit() != 0, denied.all());
            assertTrue(denied.err().contains("denied"), denied.err());
            Kit.Result bad = kit.run(s3.env(), "pra5", "--offsite", "s3:///alice");
            assertTrue(bad.exit() != 0, bad.all());
            assertTrue(bad.err().contains("s3://BUCKET/PREFIX"), bad.err());
            assertTrue(s3.objects.isEmpty(), "nothing written anywhere");
        }
        assertEquals(3600, site.spec().backupEverySeconds(), "the site was not redeployed");
        assertTrue(site.get("/consultation").body().contains("still-here"), "nothing was deleted");
    }

    /** The SQLite native library a process has loaded, from its memory map. */
    private static Path sqliteLibraryOf(long pid) throws java.io.IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "maps")).stream().filter(l -> l.endsWith("libsqlitejdbc.so"))
                .map(l -> Path.of(l.substring(l.indexOf('/')))).findFirst().orElseThrow(() -> new AssertionError("no SQLite library in process " + pid));
    }
}
