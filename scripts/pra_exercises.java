///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/App.java recovery/Restore.java
//SOURCES recovery/Site.java
//DESCRIPTION PRA workshop exercises 1 to 4: each question, with the facts from your own run that bear on it.

// PRA workshop, the exercises (aliases pra1 to pra4 run this with their number).
//
//   ./jbang pra1      which components hold data, and what losing each costs
//   ./jbang pra2      why losing pra-data did not lose everything
//   ./jbang pra3      the measured RPO and RTO against the objectives
//   ./jbang pra4      what this design lacks for production, checked on the deployed system
//
// The answers are yours to write (exercises/pra/); these commands only gather the facts of
// your own run, from the deployment and the evidence folder, so that an answer rests on them.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import recovery.App;
import recovery.Restore;
import recovery.Site;

@Command(name = "pra-exercise")
public class pra_exercises extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Parameters(index = "0", paramLabel = "1-4", descriptionKey = "pra.exercise.number") int number;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--rpo-objective", paramLabel = "SECONDS", defaultValue = "60", descriptionKey = "pra.exercise.rpo") double rpoObjective;
    @Option(names = "--rto-objective", paramLabel = "SECONDS", defaultValue = "300", descriptionKey = "pra.exercise.rto") double rtoObjective;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_exercises(), args));
    }

    @Override
    public Integer call() throws Exception {
        if (number < 1 || number > 4) throw Problem.environment("pra.exercise.range", number);
        try (Site site = where.open()) {
            return exercise(site, spec.commandLine().getOut());
        }
    }

    private int exercise(Site site, PrintWriter out) throws Exception {
        Evidence evidence = evidenceDir.open(Site.WORKSHOP);
        out.println(Messages.get("pra" + number + ".question"));
        out.println();
        out.println(Messages.get("pra.exercise.facts"));
        switch (number) {
            case 1 -> {
                Site.Volume data = site.volume("pra-data");
                Site.Volume backups = site.volume("pra-backup");
                out.println(Messages.get("pra1.data", data.name(), data.storage(), data.size(), count(site)));
                out.println(Messages.get("pra1.backups", backups.name(), backups.storage(), site.points().size(), backups.size()));
                Evidence.Step crash = evidence.step("pra-pod-crash");
                if (crash != null) out.println(Messages.get("pra1.pod", crash.observed().get("count_before"), crash.observed().get("count_after"),
                        crash.observed().get("unavailable_ms")));
                else out.println(Messages.get("pra.exercise.missing", "./jbang pra-pod-crash"));
            }
            case 2 -> {
                // The disaster's restore, never a rollback made afterwards (practical task 2): the grader reads the same one.
                Restore.Result r = Restore.afterDisaster(Restore.readAll(evidence.dir()));
                if (r == null) out.println(Messages.get("pra.exercise.missing", "./jbang pra-disaster && ./jbang pra-restore"));
                else out.println(Messages.get("pra2.restore", r.restoredFrom(), site.backupVolume(), r.restoredMessages(), r.lostMessages()));
                out.println(Messages.get("pra2.volumes", site.dataVolume(), site.backupVolume()));
                out.println(Messages.get("pra2.users", site.trafficJournal()));
            }
            case 3 -> {
                Restore.Result r = Restore.afterDisaster(Restore.readAll(evidence.dir()));
                if (r == null) {
                    out.println(Messages.get("pra.exercise.missing", "./jbang pra-disaster && ./jbang pra-restore"));
                } else {
                    double rpo = r.rpoSeconds();
                    double rto = r.rtoSeconds() == null ? Double.NaN : r.rtoSeconds();
                    out.println(Messages.get("pra3.rpo", rpo, rpoObjective, rpo <= rpoObjective ? Messages.get("pra.exercise.met") : Messages.get("pra.exercise.missed"),
                            r.lostMessages(), backupEvery(site)));
                    out.println(Messages.get("pra3.rto", rto, rtoObjective, rto <= rtoObjective ? Messages.get("pra.exercise.met") : Messages.get("pra.exercise.missed")));
                }
            }
            default -> {
                // Facts only: what this deployment is, for the student to judge against production.
                Site.Volume data = site.volume("pra-data");
                Site.Volume backups = site.volume("pra-backup");
                out.println(Messages.get("pra4.stores", data.name(), data.storage(), backups.name(), backups.storage()));
                out.println(Messages.get("pra4.copies", site.points().size(), site.backupVolume()));
                Site.Reply status = site.get("/status");
                App.Status s = status.status() == 200 ? Json.read(status.body(), App.Status.class) : null;
                out.println(s == null || s.lastBackupFile() == null ? Messages.get("pra4.age.unknown")
                        : Messages.get("pra4.age", s.lastBackupFile(), s.backupAgeSeconds()));
                out.println(Messages.get("pra4.restores", Restore.readAll(evidence.dir()).size()));
                out.println(Messages.get("pra4.database", site.dataDatabase()));
                out.println(Messages.get(site.target().equals("k8s") ? "pra4.platform.k8s" : "pra4.platform.local"));
            }
        }
        out.println();
        out.println(Messages.get("pra.exercise.answer", "exercises/pra/"));
        return 0;
    }

    /** What a fact-gatherer shows for something it cannot learn now: a question mark, not a failure. */
    private static String count(Site site) {
        try {
            return String.valueOf(site.count());
        } catch (Exception e) {
            return "?";
        }
    }

    private static String backupEvery(Site site) {
        try {
            return String.valueOf(site.backupEvery());
        } catch (Exception e) {
            return "?";
        }
    }
}
