///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Aws.java common/Cli.java common/Evidence.java common/FileTree.java common/Home.java common/Json.java common/Messages.java
//SOURCES common/Problem.java common/Wait.java recovery/Backups.java recovery/Client.java recovery/Design.java recovery/Drill.java
//SOURCES recovery/LocalSite.java recovery/Offsite.java recovery/PraReport.java recovery/Restore.java recovery/Site.java
//DESCRIPTION PRA exercise 5: run a stronger design (shorter interval, off-site copy, backup-age alert, automated restore test) and measure the difference.

// PRA workshop, exercise 5: a stronger design, measured rather than argued.
//
//   ./jbang pra5                                   (after ./jbang pra, whose figures it compares against)
//
// It runs on a site of its own (DB007_HOME/pra5) and keeps its evidence apart (evidence/pra5):
// the workshop you run by hand, and what you hand in, are never touched.
//   ./jbang pra5 --offsite s3://my-bucket/db007    (the off-site copies in a bucket of your own)
//
// Runs the app again with four changes: a backup every second, a copy of each backup kept
// off-site, an alert when the newest backup grows older than two intervals (shown firing by
// pausing the job), and an automated restore test of the newest backup. Then the whole site is
// lost, data and backup volumes both, and the app is restored from the off-site copies. The old
// design, on the same disaster, would lose everything.
//
// Off-site is a folder outside the site by default, or an S3 bucket: the copy job is the same,
// only where it puts the files changes. The app and its volumes run on local folders whichever
// target the drill used: the design is what this step measures.

import aws.Aws;
import common.Cli;
import common.Evidence;
import common.FileTree;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.Backups;
import recovery.Client;
import recovery.Design;
import recovery.Drill;
import recovery.LocalSite;
import recovery.Offsite;
import recovery.PraReport;
import recovery.Restore;
import recovery.Site;

@Command(name = "pra5")
public class pra5 extends Cli.KitCommand {
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;
    @Option(names = "--offsite", paramLabel = "FOLDER|s3://BUCKET/PREFIX", descriptionKey = "option.offsite") String offsiteWhere;
    @Mixin Aws.Options aws;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra5(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = json ? new PrintWriter(OutputStream.nullOutputStream()) : spec.commandLine().getOut();
        out.println(Messages.get("pra5.question"));
        // Its own site and evidence; the workshop's design is measured by the drill, which it reads.
        Evidence evidence = evidenceDir.open(Site.DESIGN);
        Drill before = Drill.read(Home.evidence(Site.DRILL));

        String where = offsiteWhere != null ? offsiteWhere : Home.offsite().toString();
        try (Offsite offsite = Offsite.at(where, aws)) {
            // Checked before the site is touched: a bucket that is not there stops nothing.
            offsite.check();
            return measure(new LocalSite(Home.site(Site.DESIGN)), offsite, before, evidence, out);
        }
    }

    // Long because the measurement reads top to bottom like the exercise: strike, restore from off-site, count, time.
    private int measure(LocalSite site, Offsite offsite, Drill before, Evidence evidence, PrintWriter out) throws Exception {
        site.down(true);
        site.deploy(1, false);
        Shipping shipping = new Shipping(site.backups(), offsite);
        shipping.start();
        out.println(Messages.get("pra5.deployed", offsite.describe()));
        Client client = Client.start(site);
        site.waitForBackups(3, Duration.ofMinutes(2));

        // The alert: the job is paused, and the age of the newest backup is watched as a monitor would.
        site.apply(site.spec().suspended(true));
        Instant paused = Instant.now();
        long alertAfterMs = -1;
        long limit = 2L * site.spec().backupEverySeconds();
        Long age;
        try {
            age = Wait.until("the newest backup to be older than " + limit + " s", Duration.ofSeconds(30), Duration.ofMillis(100), () ->
                    Json.read(site.get("/status").body(), Map.class).get("backup_age_seconds") instanceof Number n && n.longValue() > limit ? n.longValue() : null);
        } catch (Wait.TimedOut e) {
            age = null;
        }
        if (age != null) {
            alertAfterMs = Duration.between(paused, Instant.now()).toMillis();
            out.println(Messages.get("pra5.alert", age, alertAfterMs));
        }
        site.apply(site.spec().suspended(false));

        // The automated restore test: the newest backup, restored into a scratch folder and checked.
        Backups.Point newest = Backups.latestValid(site.backups());
        Path scratch = Files.createTempDirectory("db007-restore-test");
        Backups.restore(site.backups().resolve(newest.file()), scratch, false);
        long tested = Backups.check(scratch.resolve(Backups.DATABASE)).messages();
        boolean restoreTestOk = tested == newest.messages();
        out.println(Messages.get(restoreTestOk ? "pra5.restore-test.ok" : "pra5.restore-test.bad", newest.file(), tested, newest.messages()));
        FileTree.delete(scratch);

        site.waitForBackups(site.points().size() + 2, Duration.ofMinutes(2));
        Thread.sleep(500);

        // The site is lost: the data volume and the backup volume alike. The copy job goes with it.
        Instant disaster = site.strikeDisaster();
        shipping.stop();
        List<Client.Add> adds = client.stop();
        FileTree.delete(site.backups());
        out.println(Messages.get("pra5.site-lost", Messages.clock(disaster)));

        // Back from off-site: the newest copy that passes its check, brought into a new backup volume.
        Files.createDirectories(site.backups());
        String fetched = fetchNewestValid(offsite, site.backups(), out);
        out.println(Messages.get("pra5.fetched", fetched, offsite.describe()));
        Restore.Result restored = Restore.run(site, null, false, out);
        List<Client.Add> acked = adds.stream().filter(Client.Add::acknowledged).toList();
        List<Client.Add> lost = Client.lost(Client.present(site), acked);
        // The restore measured both, with the exercises' definitions: RPO from the recovery point to the disaster, RTO to the first accepted write.
        Double rpo = restored.rpoSeconds();
        Double rto = restored.rtoSeconds();
        site.apply(site.spec().every(60));

        boolean pass = restored.verified() && restored.restoredFrom().equals(fetched) && alertAfterMs >= 0 && restoreTestOk && rto != null && rpo != null;
        Design d = new Design(pass ? "pass" : "fail", 1, acked.size(), lost.size(), rpo, rto, restored.verified(), offsite.describe(),
                shipping.copies(), shipping.maxLagMs(), restored.restoredFrom(), alertAfterMs, restoreTestOk, before);
        d.write(evidence);
        restored.record(evidence);
        PraReport.write(evidence, site);
        if (json) {
            spec.commandLine().getOut().println(Json.write(d));
        } else {
            out.println();
            out.println(Messages.get("pra5.table.header"));
            out.println(Messages.get("pra5.table.rpo", before == null ? "-" : Messages.seconds(before.rpoSeconds()), rpo == null ? "-" : Messages.seconds(rpo)));
            out.println(Messages.get("pra5.table.rto", before == null ? "-" : Messages.seconds(before.rtoSeconds()), rto == null ? "-" : Messages.seconds(rto)));
            out.println(Messages.get("pra5.table.site", restored.verified() ? Messages.get("pra5.yes") : Messages.get("pra5.no")));
            out.println(Messages.get("pra5.table.alert", alertAfterMs / 1000.0));
            out.println(Messages.get("pra5.table.test", restoreTestOk ? Messages.get("pra5.yes") : Messages.get("pra5.no")));
            out.println(Messages.get("pra5.table.lag", shipping.maxLagMs() / 1000.0));
            if (before == null) out.println(Messages.get("pra5.no-baseline"));
            if (offsite instanceof Offsite.Bucket) out.println(Messages.get("pra5.offsite.keep", offsite.describe()));
            out.println(Messages.get(pass ? "pra5.pass" : "pra5.fail"));
        }
        spec.commandLine().getOut().flush();
        return pass ? 0 : Problem.CHECK_FAILED;
    }

    /** Brings back the newest off-site copy that passes its check; damaged ones are said and passed over. */
    private static String fetchNewestValid(Offsite offsite, Path into, PrintWriter out) throws Exception {
        for (String name : offsite.names()) {
            offsite.fetch(name, into);
            Backups.Point p = Backups.check(into.resolve(name));
            if (p.valid()) return name;
            out.println(Messages.get("pra.restore.skipping", name, p.problem()));
            Files.delete(into.resolve(name));
        }
        throw Problem.failed("pra.backups.none-valid", offsite.describe());
    }

    /**
     * The off-site copy job: each new backup on the backup volume, once it passes its integrity
     * check, is copied off-site. A damaged backup is never shipped. What it lags behind the backup
     * job is measured, since a copy not yet made is lost with the site.
     */
    static final class Shipping {
        private final Path backups;
        private final Offsite offsite;
        private final Set<String> done = new HashSet<>();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long maxLagMs;
        private volatile String error;

        Shipping(Path backups, Offsite offsite) {
            this.backups = backups;
            this.offsite = offsite;
            this.thread = new Thread(this::run, "offsite-copy");
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
            if (error != null) throw Problem.failed("pra5.offsite.failed", offsite.describe(), error);
        }

        int copies() {
            synchronized (done) {
                return done.size();
            }
        }

        long maxLagMs() {
            return maxLagMs;
        }

        private void run() {
            while (running) {
                try (var files = Files.list(backups)) {
                    List<Path> fresh = files.filter(f -> Backups.isBackup(f.getFileName().toString()) && !shipped(f)).sorted().toList();
                    for (Path f : fresh) {
                        Backups.Point p = Backups.check(f);
                        if (p.valid()) {
                            offsite.put(f);
                            maxLagMs = Math.max(maxLagMs, Duration.between(Instant.parse(p.time()), Instant.now()).toMillis());
                        }
                        synchronized (done) {
                            done.add(f.getFileName().toString());
                        }
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (NoSuchFileException e) {
                    // The backup volume is gone, with the site: nothing is left to copy.
                    return;
                } catch (Exception e) {
                    error = e.getMessage();
                    return;
                }
            }
        }

        private boolean shipped(Path f) {
            synchronized (done) {
                return done.contains(f.getFileName().toString());
            }
        }
    }
}
