///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Evidence.java common/Messages.java common/Problem.java common/Wait.java mission/Journal.java
//SOURCES mission/LiveView.java region/LocalRegion.java region/Processes.java region/Region.java
//DESCRIPTION Mission step 5, sabotage: reboot the primary with failover (or, locally, kill it outright).

// Step 5 of Operation DB007: sabotage.
//
//   ./jbang maz5                 RebootDBInstance with ForceFailover, as on RDS
//   ./jbang maz5 --crash         kills the primary's processes with SIGKILL (local target only)
//
// The planned failover is what RDS does for "Reboot with failover": the primary is shut down
// and the standby in the other AZ takes over. --crash is the unplanned kind: the primary's AZ
// goes dark at once. Keep the agent running: steps 6 and 7 watch what it lives through.

import aws.Rds;
import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import mission.Journal;
import mission.LiveView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.LocalRegion;
import region.Processes;
import region.Region;

@Command(name = "maz5")
public class maz5 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Mixin LiveView.Plain plain;
    @Option(names = "--crash", descriptionKey = "maz5.crash") boolean crash;
    @Option(names = "--fault", paramLabel = "reboot|crash|isolate", defaultValue = "reboot", descriptionKey = "maz5.fault") String fault;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz5(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("maz5.title"));
        Evidence evidence = evidenceDir.open("maz");
        if (crash) fault = "crash";
        if (!List.of("reboot", "crash", "isolate").contains(fault)) throw Problem.environment("maz5.fault.unknown", fault);
        if (!fault.equals("reboot") && !rds.local()) throw Problem.environment("maz5.crash.local-only");
        Evidence.Sabotage done;
        try (Rds api = Rds.open(rds)) {
            Rds.Instance before = api.describe();
            if (before.standbyAz() == null || !"available".equals(before.status())) throw Problem.failed("maz5.not-ready", before.status());
            Instant requested = Instant.now();
            if (fault.equals("isolate")) {
                // The primary's AZ cut off the network: its servers keep running, nobody reaches them.
                LocalRegion.fault(Region.load(), "isolate", before.primaryAz(), null, 0);
                out.println(Messages.get("maz5.isolated", before.primaryAz()));
                done = new Evidence.Sabotage("isolate-" + before.primaryAz(), before.primaryAz(), before.standbyAz(), requested, null, null);
            } else if (fault.equals("crash")) {
                Region.State state = Region.load();
                int killed = Processes.killIn(Path.of(state.dataRoot(), before.primaryAz()));
                out.println(Messages.get("maz5.crashed", before.primaryAz(), killed));
                done = new Evidence.Sabotage("crash", before.primaryAz(), before.standbyAz(), requested, killed, null);
            } else {
                // The lesson of this step, as on RDS: RebootDBInstance with ForceFailover.
                Rds.Instance during = api.rebootWithFailover();
                out.println(Messages.get("maz5.rebooting", before.primaryAz(), before.standbyAz(), during.status()));
                done = new Evidence.Sabotage("reboot-with-failover", before.primaryAz(), before.standbyAz(), requested, null, during.status());
            }
        }
        evidence.step("maz5", done.requestedAt(), true, done);
        // In a terminal, the traffic is seen stopping and coming back, on the panel, before the step ends.
        Path journal = evidence.file(Journal.FILE);
        if (LiveView.possible(plain.plain) && Files.exists(journal)) {
            try (Rds api = rds.local() ? null : Rds.open(rds); LiveView view = LiveView.start(journal,
                    rds.local() ? LiveView.local(Region.load()) : LiveView.rds(api), rds.local() ? Duration.ofMillis(250) : Duration.ofSeconds(5))) {
                Instant asked = done.requestedAt();
                Wait.within(rds.local() ? Duration.ofSeconds(30) : Duration.ofMinutes(5), Duration.ofMillis(100),
                        () -> view.panel().frozenAt() != null && view.panel().frozenAt().isAfter(asked));
                Wait.pause(1500);
            }
        }
        out.println(Messages.get("maz5.notice"));
        return 0;
    }
}
