///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/Backups.java recovery/Site.java
//DESCRIPTION PRA phase 2: recreate the data volume, restore the latest valid backup (or a chosen one), restart the app and resume backups.

// PRA workshop, phase 2: the restore.
//
//   ./jbang pra-restore                       the newest backup that passes its integrity check
//   ./jbang pra-restore --point app-….db      a chosen restore point (see ./jbang pra-backups)
//   ./jbang pra-restore --target k8s          on a cluster: a new PVC, then the restore Job
//
// The newest backup may be damaged: it is checked first and skipped, with a word saying so.
// A data volume that still holds a database is not overwritten unless --force is given, and
// even then the old database is kept beside the new one.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import recovery.Backups;
import recovery.Site;

@Command(name = "pra-restore", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class pra_restore implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Mixin Site.Target where;
    @Option(names = "--point", paramLabel = "FILE", descriptionKey = "pra.restore.point") String point;
    @Option(names = "--force", descriptionKey = "pra.restore.force") boolean force;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence.pra") Path evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_restore(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("pra.restore.title"));
        Restored r;
        try (Site site = where.open()) {
            r = restore(site, point, force, out);
        }
        Evidence evidence = Evidence.of(evidenceDir, "pra");
        evidence.write("restore.json", r);
        // Every restore is kept, not only the last: the grader checks the chosen point of practical task 2.
        java.nio.file.Files.createDirectories(evidence.file("restores"));
        evidence.write("restores/" + r.startedAt().replaceAll("[:.]", "") + ".json", r);
        evidence.step("pra-restore", Instant.parse(r.startedAt()), r.verified(), Json.toMap(r));
        out.println(Messages.get(r.verified() ? "step.pass" : "step.fail"));
        return r.verified() ? 0 : Problem.CHECK_FAILED;
    }

    /** What the restore did, for the evidence and the drill. */
    public record Restored(String startedAt, String restoredFrom, String backupTime, long backupMessages, Long backupLastId,
                           long restoredMessages, List<String> skipped, String keptAside, String healthyAt, boolean verified,
                           String disasterAt, Long lostMessages, Double rpoSeconds, String firstAddAt, Double rtoSeconds) {}

    public static Restored restore(Site site, String point, boolean force, PrintWriter out) throws Exception {
        Instant started = Instant.now();
        List<Backups.Point> points = site.points();
        if (points.isEmpty()) throw Problem.failed("pra.backups.none", site.backupVolume());
        Backups.Point chosen;
        List<String> skipped = new java.util.ArrayList<>();
        if (point != null) {
            chosen = points.stream().filter(p -> p.file().equals(Path.of(point).getFileName().toString())).findFirst()
                    .orElseThrow(() -> Problem.failed("pra.restore.no-such-point", point, site.backupVolume()));
            if (!chosen.valid()) throw Problem.failed("pra.restore.invalid", chosen.file(), chosen.problem());
        } else {
            chosen = null;
            for (Backups.Point p : points) {
                if (p.valid()) {
                    chosen = p;
                    break;
                }
                skipped.add(p.file());
                out.println(Messages.get("pra.restore.skipping", p.file(), p.problem()));
            }
            if (chosen == null) throw Problem.failed("pra.backups.none-valid", site.backupVolume());
        }
        out.println(Messages.get("pra.restore.chosen", chosen.file(), chosen.time(), chosen.messages()));

        // Refused before anything is stopped: a refused restore leaves the app as it found it.
        if (site.dataHoldsDatabase() && !force) throw Problem.failed("pra.restore.occupied", site.dataDatabase());
        // The app must not write while its database is replaced, and no backup may copy half a restore.
        site.stopApp();
        long lastId = chosen.lastId() == null ? 0 : chosen.lastId();
        List<Site.Ack> gone = site.acknowledged().stream().filter(a -> a.id() > lastId).toList();
        String kept = site.restore(chosen.file(), force);
        site.markRestore(chosen.file());
        if (kept != null) out.println(Messages.get("pra.restore.kept", kept));
        site.startApp();
        site.waitHealthy(Duration.ofSeconds(120));
        Instant healthy = Instant.now();
        long restored = site.count();
        boolean verified = restored == chosen.messages();
        out.println(Messages.get(verified ? "pra.restore.verified" : "pra.restore.mismatch", restored, chosen.messages()));

        // RTO: from the disaster to the first message the restored app accepts.
        Instant firstAdd = null;
        Instant deadline = Instant.now().plusSeconds(60);
        while (firstAdd == null && Instant.now().isBefore(deadline)) {
            if (site.get("/add?message=restore-check").status() == 200) firstAdd = Instant.now();
            else Thread.sleep(20);
        }
        // RPO: what the app acknowledged after the backup, before this restore, and is now gone
        // (counted before the restore; the app may still accept a few writes between the disaster and its stop).
        Instant disaster = site.disasterTime();
        Long lost = null;
        Double rpo = null;
        Double rto = null;
        if (disaster != null) {
            lost = (long) gone.size();
            rpo = gone.isEmpty() ? 0.0 : Duration.between(Instant.parse(chosen.time()), gone.get(gone.size() - 1).at()).toMillis() / 1000.0;
            rto = firstAdd == null ? null : Duration.between(disaster, firstAdd).toMillis() / 1000.0;
            out.println(Messages.get("pra.restore.measured", lost, rpo, rto == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", rto)));
        }
        return new Restored(started.toString(), chosen.file(), chosen.time(), chosen.messages(), chosen.lastId(), restored, skipped,
                kept, healthy.toString(), verified, disaster == null ? null : disaster.toString(),
                lost, rpo, firstAdd == null ? null : firstAdd.toString(), rto);
    }
}
