///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Messages.java common/Problem.java recovery/PraReport.java recovery/Restore.java
//SOURCES recovery/Site.java
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
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.PraReport;
import recovery.Restore;
import recovery.Site;

@Command(name = "pra-restore")
public class pra_restore extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Option(names = "--point", paramLabel = "FILE", descriptionKey = "pra.restore.point") String point;
    @Option(names = "--force", descriptionKey = "pra.restore.force") boolean force;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_restore(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("pra.restore.title"));
        Restore.Result r;
        Evidence evidence = evidenceDir.open(Site.WORKSHOP);
        try (Site site = where.open()) {
            r = Restore.run(site, point, force, out);
            // Every restore is kept, not only the last: the grader checks the chosen point of practical task 2.
            r.record(evidence);
            PraReport.write(evidence, site);
        }
        out.println(Messages.get("pra.report.written", evidence.file(Restore.REPORT)));
        out.println(Messages.get(r.verified() ? "step.pass" : "step.fail"));
        return r.verified() ? 0 : Problem.CHECK_FAILED;
    }
}
