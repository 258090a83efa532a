///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/App.java recovery/Restore.java
//SOURCES recovery/Site.java
//DESCRIPTION PRA practical task 1: read the app's /status (messages, newest backup, its age), say whether an alert would fire, and keep the reading as evidence.

// PRA workshop, practical task 1: the /status route.
//
//   ./jbang pra-status                        once before the disaster, once after the restore
//   ./jbang pra-status --alert-after 90       the age beyond which a monitor would raise an alert
//
// /status says how many messages the app holds, which backup is the newest valid one, and how
// old it is: the one figure a monitor needs to notice that backups have stopped. Each reading is
// added to status.json in the evidence. After the disaster the app does not answer at all; that
// too is recorded, and is itself the lesson: a status page served by the app dies with it.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.App;
import recovery.Restore;
import recovery.Site;

@Command(name = "pra-status")
public class pra_status extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--alert-after", paramLabel = "SECONDS", descriptionKey = "pra.status.alert-after") Long alertAfter;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_status(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("pra.status.title"));
        Evidence evidence = evidenceDir.open(Site.WORKSHOP);
        try (Site site = where.open()) {
            Instant at = Instant.now();
            Site.Reply r = site.get("/status");
            if (r.status() != 200) {
                App.Reading.append(evidence.dir(), new App.Reading(at.toString(), false, null, null, null));
                Instant disaster = site.disasterTime();
                out.println(disaster == null ? Messages.get("pra.status.silent") : Messages.get("pra.status.silent.disaster", Messages.clock(disaster)));
                return Problem.CHECK_FAILED;
            }
            App.Status s = Json.read(r.body(), App.Status.class);
            App.Reading reading = new App.Reading(at.toString(), true, s.count(), s.lastBackupFile(), s.backupAgeSeconds());
            App.Reading.append(evidence.dir(), reading);
            out.println("  GET " + site.url("/status") + " -> " + r.body().trim());
            long threshold = alertAfter != null ? alertAfter : 2L * site.backupEvery();
            if (s.lastBackupFile() == null) {
                out.println(Messages.get("pra.status.no-backup", site.backupEvery()));
            } else {
                out.println(Messages.get("pra.status.read", s.count(), s.lastBackupFile(), s.backupAgeSeconds()));
                // A restore resets a monitor's clock: the backup it came from is old by nature, and the job needs one
                // interval to take its first backup of the restored data.
                Restore.Result last = Restore.readAll(evidence.dir()).stream().filter(x -> x.healthyAt() != null).reduce((a, b) -> b).orElse(null);
                long sinceRestore = last == null ? Long.MAX_VALUE : java.time.Duration.between(Instant.parse(last.healthyAt()), at).toSeconds();
                if (sinceRestore < s.backupAgeSeconds() && sinceRestore <= threshold) {
                    out.println(Messages.get("pra.status.after-restore", Messages.clock(Instant.parse(last.healthyAt())), sinceRestore, threshold,
                            s.backupAgeSeconds()));
                } else {
                    out.println(Messages.get(s.backupAgeSeconds() > threshold ? "pra.status.alert" : "pra.status.fine", s.backupAgeSeconds(), threshold));
                }
            }
            out.println(Messages.get("pra.status.kept", evidence.file(App.Reading.FILE)));
            return 0;
        }
    }
}
