///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Home.java common/Messages.java recovery/Site.java
//DESCRIPTION PRA workshop, the end: stop the app and its backups; --purge also deletes both volumes.

// PRA workshop, the end of it.
//
//   ./jbang pra-down                      stops the app and the backup job; the volumes stay
//   ./jbang pra-down --purge              and deletes both volumes (run ./jbang bundle before)
//
// On this machine no process is left afterwards, the drill's (./jbang pra) and exercise 5's
// (./jbang pra5) sites included; on Kubernetes (--target k8s) the app is scaled
// to 0 and the CronJob suspended, and --purge deletes the namespace pra with everything in it.
// The evidence folder is never touched: it is the student's record. ./jbang pra-deploy starts
// the app again on the volumes that are left.

import common.Cli;
import common.Home;
import common.Messages;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.Site;

@Command(name = "pra-down")
public class pra_down extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Option(names = "--purge", descriptionKey = "pra.down.purge") boolean purge;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_down(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Site site = where.open()) {
            site.down(purge);
            out.println(Messages.get(purge ? "pra.down.purged" : "pra.down.stopped", site.dataVolume(), site.backupVolume()));
        }
        // The drill's and exercise 5's sites, which pra and pra5 leave running on this machine, end with the workshop.
        if (where.target.equals("local")) {
            for (String run : List.of(Site.DRILL, Site.DESIGN)) {
                if (!Files.isDirectory(Home.site(run))) continue;
                try (Site other = where.open(run)) {
                    other.down(purge);
                    out.println(Messages.get(purge ? "pra.down.other.purged" : "pra.down.other.stopped", run, Home.site(run)));
                }
            }
        }
        return 0;
    }
}
