///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java common/Evidence.java common/Folders.java
//SOURCES recovery/Backups.java recovery/App.java recovery/Site.java recovery/LocalSite.java recovery/KubeSite.java pra.java pra_pod_crash.java pra_disaster.java pra_restore.java
//DESCRIPTION PRA exercise 5: run a stronger design (shorter interval, off-site copy, backup-age alert, automated restore test) and measure the difference.

// PRA workshop, exercise 5: a stronger design, measured rather than argued.
//
//   ./jbang pra5                 (after ./jbang pra, whose figures it compares against)
//
// Runs the app again with four changes: a backup every second, a copy of each backup in a
// second folder standing for off-site storage, an alert when the newest backup grows older
// than two intervals (shown firing by pausing the job), and an automated restore test of the
// newest backup. Then the whole site is lost, data and backup volumes both, and the app is
// restored from the off-site copies. The old design, on the same disaster, would lose everything.
// It runs on local folders whichever target the drill used: the design is what it measures, and
// a second folder stands for the off-site store as well as any bucket would.

import common.Cli;
import common.Evidence;
import common.Folders;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import recovery.Backups;
import recovery.LocalSite;

@Command(name = "pra5", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class pra5 implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence.pra") Path evidenceDir;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra5(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = json ? new PrintWriter(java.io.OutputStream.nullOutputStream()) : spec.commandLine().getOut();
        out.println(Messages.get("pra5.question"));
        Evidence evidence = Evidence.of(evidenceDir, "pra");
        Map<?, ?> before = Files.exists(evidence.file("drill.json")) ? Json.read(evidence.file("drill.json"), Map.class) : null;

        LocalSite site = LocalSite.here();
        Path offsite = site.backups().getParent().getParent().resolve("offsite");
        site.down(true);
        site.deploy(1, offsite);
        out.println(Messages.get("pra5.deployed", offsite));
        List<pra.Add> adds = java.util.Collections.synchronizedList(new ArrayList<>());
        boolean[] writing = {true};
        Thread writer = new Thread(() -> pra.write(site, adds, writing), "client");
        writer.start();
        site.waitForBackups(3, Duration.ofMinutes(2));

        // The alert: the job is paused, and the age of the newest backup is watched as a monitor would.
        site.apply(site.spec().suspended(true));
        Instant paused = Instant.now();
        long alertAfterMs = -1;
        while (Duration.between(paused, Instant.now()).toSeconds() < 30) {
            Object age = Json.read(site.get("/status").body(), Map.class).get("backup_age_seconds");
            if (age instanceof Number n && n.longValue() > 2L * site.spec().backupEverySeconds()) {
                alertAfterMs = Duration.between(paused, Instant.now()).toMillis();
                out.println(Messages.get("pra5.alert", n.longValue(), alertAfterMs));
                break;
            }
            Thread.sleep(100);
        }
        site.apply(site.spec().suspended(false));

        // The automated restore test: the newest backup, restored into a scratch folder and checked.
        Backups.Point newest = Backups.latestValid(site.backups());
        Path scratch = Files.createTempDirectory("db007-restore-test");
        Backups.restore(site.backups().resolve(newest.file()), scratch, false);
        long tested = countOf(scratch);
        boolean restoreTestOk = tested == newest.messages();
        out.println(Messages.get(restoreTestOk ? "pra5.restore-test.ok" : "pra5.restore-test.bad", newest.file(), tested, newest.messages()));
        Folders.delete(scratch);

        site.waitForBackups(site.points().size() + 2, Duration.ofMinutes(2));
        Thread.sleep(500);

        // The site is lost: the data volume and the backup volume alike.
        Instant disaster = pra_disaster.strike(site);
        writing[0] = false;
        writer.join();
        Folders.delete(site.backups());
        out.println(Messages.get("pra5.site-lost", Messages.clock(disaster)));
        Files.createDirectories(site.backups());
        try (var copies = Files.list(offsite)) {
            for (Path f : (Iterable<Path>) copies::iterator) Files.copy(f, site.backups().resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        pra_restore.Restored restored = pra_restore.restore(site, null, false, out);
        Instant firstAdd = null;
        while (firstAdd == null && Duration.between(disaster, Instant.now()).toSeconds() < 120) {
            if (site.get("/add?message=after-site-loss").status() == 200) firstAdd = Instant.now();
            else Thread.sleep(20);
        }
        List<pra.Add> acked = adds.stream().filter(pra.Add::acknowledged).toList();
        List<pra.Add> lost = pra.lost(site, acked);
        double rpo = lost.isEmpty() ? 0 : Duration.between(Instant.parse(restored.backupTime()), lost.get(lost.size() - 1).doneAt()).toMillis() / 1000.0;
        double rto = firstAdd == null ? -1 : Duration.between(disaster, firstAdd).toMillis() / 1000.0;
        site.apply(site.spec().every(60));

        Map<String, Object> o = new LinkedHashMap<>();
        boolean pass = restored.verified() && alertAfterMs >= 0 && restoreTestOk && firstAdd != null;
        o.put("verdict", pass ? "pass" : "fail");
        o.put("backup_every_seconds", 1);
        o.put("acknowledged_messages", acked.size());
        o.put("lost_messages", lost.size());
        o.put("rpo_s", rpo);
        o.put("rto_s", rto);
        o.put("survived_loss_of_backup_volume", restored.verified());
        o.put("alert_fired_after_ms", alertAfterMs);
        o.put("restore_test_passed", restoreTestOk);
        o.put("before", before);
        evidence.write("pra5.json", o);
        if (json) {
            spec.commandLine().getOut().println(Json.write(o));
        } else {
            out.println();
            out.println(Messages.get("pra5.table.header"));
            out.println(Messages.get("pra5.table.rpo", before == null ? "-" : before.get("rpo_s"), rpo));
            out.println(Messages.get("pra5.table.rto", before == null ? "-" : before.get("rto_s"), rto));
            out.println(Messages.get("pra5.table.site", restored.verified() ? Messages.get("pra5.yes") : Messages.get("pra5.no")));
            out.println(Messages.get("pra5.table.alert", alertAfterMs / 1000.0));
            out.println(Messages.get("pra5.table.test", restoreTestOk ? Messages.get("pra5.yes") : Messages.get("pra5.no")));
            if (before == null) out.println(Messages.get("pra5.no-baseline"));
            out.println(Messages.get(pass ? "pra5.pass" : "pra5.fail"));
        }
        spec.commandLine().getOut().flush();
        return pass ? 0 : Problem.CHECK_FAILED;
    }

    private static long countOf(Path dataDir) throws Exception {
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve(Backups.DATABASE));
             var s = c.createStatement(); var r = s.executeQuery("SELECT count(*) FROM messages")) {
            r.next();
            return r.getLong(1);
        }
    }
}
