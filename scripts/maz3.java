///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Messages.java common/Wait.java mission/Agent.java mission/AgentProcess.java
//SOURCES mission/Journal.java
//DESCRIPTION Mission step 3, the DB007 agent: writes and reads timestamped rows without pause, and journals every acknowledged write.

// Step 3 of Operation DB007: the agent.
//
//   ./jbang agent                      runs in the foreground with a live status line, until Ctrl-C
//   ./jbang agent --duration 30        runs for 30 seconds
//   ./jbang agent --background         runs in the background; "./jbang agent stop" stops it
//   ./jbang agent --background --resume   goes on with a run cut off (a CloudShell session that ended)
//
// Every write carries a sequence number, the client's timestamp and a checksum of its payload.
// Each attempt's outcome goes to journal.csv in the evidence folder as soon as it is known:
// "ack" only when the database acknowledged the commit, "fail" when the write surely did not
// happen, "unknown" when it was sent and no answer came. Step 8 proves RPO = 0 from that journal.
// On any error the agent reconnects at once, no more than 20 ms between attempts, and follows
// the primary through the instance's endpoint, as an application on RDS does.

import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Messages;
import common.Wait;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "maz3", aliases = "agent", subcommands = maz3.Stop.class)
public class maz3 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0", descriptionKey = "maz3.duration") double duration;
    @Option(names = "--background", descriptionKey = "maz3.background") boolean background;
    @Option(names = "--resume", descriptionKey = "maz3.resume") boolean resume;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz3(), args));
    }

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        Evidence evidence = evidenceDir.open("maz");
        if (background) return startInBackground(evidence, out);
        out.println(Messages.get("maz3.intro", evidence.file(Journal.FILE)));
        Agent agent = new Agent(rds, evidence, Duration.ofMillis((long) (duration * 1000)), out, true);
        Agent.Summary s = (resume ? agent.resume() : agent).run();
        out.println(Messages.get("maz3.summary", s.attempts(), s.acknowledged(), s.failed(), s.unknown(), s.reads()));
        return 0;
    }

    /** Runs the agent as its own process, detached from this terminal, and returns once it writes. */
    private int startInBackground(Evidence evidence, PrintWriter out) throws Exception {
        if (resume) new Agent(rds, evidence, Duration.ZERO, out, false).resume();
        AgentProcess.Started b = AgentProcess.start(evidence, rds.arguments(), duration, resume);
        out.println(Messages.get("maz3.background.started", b.pid(), evidence.file(Journal.FILE)));
        // A second of writing, counted from the journal, so that the notice states what this agent does here.
        Wait.pause(1000);
        // The agent is still writing: what is there so far, a line being written left for later.
        long acked = Journal.readFrom(evidence.file(Journal.FILE), new long[1]).stream().filter(e -> e.outcome() == Journal.Outcome.ack).count();
        double seconds = Duration.between(Instant.parse(b.summary().startedAt()), Instant.now()).toMillis() / 1000.0;
        out.println(Messages.get("maz3.background.notice", acked, Messages.seconds(seconds), evidence.file(Agent.SUMMARY)));
        return 0;
    }

    @Command(name = "stop")
    static class Stop extends Cli.KitCommand {
        @Mixin Evidence.Folder evidenceDir;

        @Override
        public Integer call() throws Exception {
            Agent.Summary s = AgentProcess.stop(evidenceDir.open("maz"), Duration.ofSeconds(30));
            spec.commandLine().getOut().println(Messages.get("maz3.summary", s.attempts(), s.acknowledged(), s.failed(), s.unknown(), s.reads()));
            return 0;
        }
    }
}
