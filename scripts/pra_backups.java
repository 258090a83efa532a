///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java recovery/Backups.java recovery/Site.java
//DESCRIPTION PRA workshop: list the restore points with their time, size, message count and validity.

// PRA workshop: the restore points.
//
//   ./jbang pra-backups [--json]          (add --target k8s on a cluster)
//
// Every backup in pra-backup, newest first, each opened read-only and checked with
// PRAGMA integrity_check: a backup that fails it is listed, marked invalid, and never restored.
// On Kubernetes only a pod can read a volume: a short Job mounts pra-backup read-only and lists it.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.Backups;
import recovery.Site;

@Command(name = "pra-backups")
public class pra_backups extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_backups(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        List<Backups.Point> points;
        String volume;
        try (Site site = where.open()) {
            points = site.points();
            volume = site.backupVolume();
        }
        Evidence evidence = evidenceDir.open(Site.WORKSHOP);
        evidence.write(Backups.LISTING, points);
        evidence.step("pra-backups", started, true, Map.of("points", points.size()));
        if (json) {
            out.println(Json.write(points));
            return 0;
        }
        out.println(Messages.get("pra.backups.title", volume));
        String row = "  %-32s %-12s %10s  %8s  %s%n";
        out.printf(row, Messages.get("pra.backups.column.file"), Messages.get("pra.backups.column.time"), Messages.get("pra.backups.column.size"),
                Messages.get("pra.backups.column.messages"), Messages.get("pra.backups.column.check"));
        for (Backups.Point p : points) {
            out.printf(row, p.file(), Messages.clock(Instant.parse(p.time())), p.size() + " B", p.messages() == null ? "-" : p.messages(),
                    p.valid() ? Messages.get("pra.backups.valid") : Messages.get("pra.backups.invalid", p.problem()));
        }
        if (points.isEmpty()) out.println(Messages.get("pra.backups.empty"));
        else out.println(Messages.get("pra.backups.times"));
        return 0;
    }
}
