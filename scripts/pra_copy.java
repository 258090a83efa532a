///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/Backups.java recovery/Site.java
//DESCRIPTION PRA workshop: why the backup job does not simply cp the database; a plain copy of the live file beside an online backup, on your own data.

// PRA workshop: cp is not a backup.
//
//   ./jbang pra-copy                 (add --target k8s on a cluster)
//
// The app keeps SQLite in WAL mode: a write goes first to app.db-wal, and reaches app.db only at
// a checkpoint. A plain copy of app.db taken while the app runs misses whatever the WAL still
// holds (before the first checkpoint, the table itself). The backup job uses SQLite's online
// backup instead, which copies a consistent database whatever the WAL holds. This step does
// both on the live data, side by side, and opens each copy as a restore would.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import recovery.Backups;
import recovery.Site;

@Command(name = "pra-copy")
public class pra_copy extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_copy(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("pra.copy.title"));
        Backups.Comparison c;
        long live;
        String target;
        try (Site site = where.open()) {
            live = site.count();
            c = site.compareCopies();
            target = site.target();
        }
        out.println(Messages.get("pra.copy.live", live, c.liveBytes(), c.walBytes()));
        out.println(c.copyProblem() == null ? Messages.get("pra.copy.plain", c.copyBytes(), c.copyMessages())
                : Messages.get("pra.copy.plain.broken", c.copyBytes(), c.copyProblem()));
        out.println(c.onlineProblem() == null ? Messages.get("pra.copy.online", c.onlineMessages())
                : Messages.get("pra.copy.online.broken", c.onlineProblem()));
        long plain = c.copyMessages() == null ? 0 : c.copyMessages();
        boolean lesson = c.onlineMessages() != null && plain < c.onlineMessages();
        out.println(Messages.get(lesson ? "pra.copy.notice.missed" : "pra.copy.notice.lucky", c.onlineMessages() == null ? 0 : c.onlineMessages() - plain));
        Map<String, Object> observed = new LinkedHashMap<>(Json.toMap(c));
        observed.put("target", target);
        observed.put("live_messages", live);
        // The step passes when the online backup holds what the app held: the plain copy's loss is the lesson, not a failure.
        boolean ok = c.onlineProblem() == null && c.onlineMessages() != null && c.onlineMessages() >= live;
        evidenceDir.open(Site.WORKSHOP).step("pra-copy", started, ok, observed);
        out.println(Messages.get(ok ? "step.pass" : "step.fail"));
        return ok ? 0 : Problem.CHECK_FAILED;
    }
}
