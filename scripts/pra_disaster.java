///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java common/Wait.java recovery/App.java
//SOURCES recovery/Site.java
//DESCRIPTION PRA phase 1, the disaster: stop the app, suspend the backups, delete the data volume.

// PRA workshop, disaster recovery (PRA), phase 1: the disaster.
//
//   ./jbang pra-disaster                  (add --target k8s on a cluster)
//
// The app is stopped (replicas 0), the backup job suspended (so that no backup of an empty
// volume replaces the good ones), and the data volume pra-data deleted. What the app had
// written since the last backup is gone; phase 2 (./jbang pra-restore) measures how much. The
// app's users (pra-deploy's traffic) write every second, so that is never nothing: right after
// a backup, the disaster waits for their next write.
// Before the first backup there would be nothing to restore: the step refuses then, saying how
// long to wait, unless --anyway asks for that lesson.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.App;
import recovery.Site;

@Command(name = "pra-disaster")
public class pra_disaster extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--anyway", descriptionKey = "pra.disaster.anyway") boolean anyway;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_disaster(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("pra.disaster.title"));
        try (Site site = where.open()) {
            Site.Reply status = site.get("/status");
            if (status.status() != 200) throw Problem.failed("pra.app.not-running");
            App.Status before = Json.read(status.body(), App.Status.class);
            // Striking before the first backup loses everything: a lesson worth having on purpose only.
            if (before.lastBackupFile() == null && !anyway) throw Problem.failed("pra.disaster.no-backup", site.backupEvery());
            // A disaster strikes an app in use, between two backups: the backups stop first, and if the last one caught up
            // with the users, their next write (a second) comes before the strike. No backup can then take it.
            if (site.writesNotBackedUp() != null) {
                site.suspendBackups();
                if (site.writesNotBackedUp() == 0) {
                    out.println(Messages.get("pra.disaster.waiting"));
                    Wait.within(Duration.ofSeconds(5), Duration.ofMillis(50), () -> site.writesNotBackedUp() > 0);
                }
            }
            Instant at = site.strikeDisaster();
            out.println(Messages.get("pra.drill.disaster", Messages.clock(at)));
            out.println(before.lastBackupFile() == null ? Messages.get("pra.disaster.notice.nothing", before.count())
                    : Messages.get("pra.disaster.notice", before.count(), before.lastBackupFile(), before.backupAgeSeconds()));
            Map<String, Object> observed = new LinkedHashMap<>();
            observed.put("target", site.target());
            observed.put("disaster_at", at.toString());
            observed.put("status_before", before);
            evidenceDir.open(Site.WORKSHOP).step("pra-disaster", at, true, observed);
            return 0;
        }
    }
}
