///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java aws/Stacks.java common/Cli.java common/Evidence.java common/Home.java common/Messages.java common/Problem.java
//SOURCES mission/Agent.java mission/AgentProcess.java mission/Journal.java recovery/LocalSite.java region/DrRegion.java region/LocalDrRegion.java region/LocalRegion.java
//SOURCES region/Region.java
//DESCRIPTION After a CloudShell session ended: start again what it stopped (the local region, the agent, the PRA app), and say where the workshop stands.

// A CloudShell session that ends (20 to 30 minutes idle, about 12 hours at most) stops every
// process it ran: the local region's servers and control plane, the agent, the PRA app and its
// backups. The files stay in the home folder. After reconnecting:
//
//   ./jbang resume                      (add --target aws for the mission on AWS)
//
// The local region comes back as it was (its data, its primary where it was); an agent that was
// writing goes on with the same run and journal (the proof shows the time it was away, and
// counts it in no outage); the PRA app and its backup job start again on the state they were in,
// a disaster's included. Then it says which step comes next. On AWS, RDS kept running: a stack
// that was still being created is followed to its end by running its step again.

import aws.Rds;
import aws.Stacks;
import common.Cli;
import common.Evidence;
import common.Home;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import recovery.LocalSite;
import region.DrRegion;
import region.LocalDrRegion;
import region.LocalRegion;
import region.Region;

@Command(name = "resume")
public class resume extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new resume(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Messages.get("resume.title"));
        boolean onMission = Files.exists(Region.stateFile()) || Files.isDirectory(evidenceDir.path("maz"));
        if (rds.local() && Files.exists(Region.stateFile())) {
            // A region step 11 made go dark stays dark: bringing it back is the step's own decision (maz11 down).
            if (LocalRegion.darkSince() != null) out.println(Messages.get("resume.dark", Messages.clock(LocalRegion.darkSince())));
            else if (!LocalRegion.up(null, null, out, false).changed()) out.println(Messages.get("resume.region.ok"));
            // Step 11's other Region, with its replica or the instance promoted there.
            DrRegion.State other = LocalDrRegion.state();
            if (other != null && LocalDrRegion.status(other) == null) {
                try {
                    LocalDrRegion.up();
                    out.println(Messages.get("resume.dr"));
                } catch (Problem p) {
                    // Said, and the rest is resumed all the same: step 11's next command starts that Region itself.
                    out.println(p.getMessage());
                }
            }
        } else if (!rds.local()) {
            awsStacks(out);
        }
        Evidence evidence = evidenceDir.open("maz");
        Agent.Summary agent = Agent.Summary.read(evidence);
        if (agent != null && "running".equals(agent.status()) && !agent.running()) {
            AgentProcess.Started b = AgentProcess.start(evidence, rds.arguments(), 0, true);
            out.println(Messages.get("resume.agent", b.pid(), evidence.file(Journal.FILE)));
        } else if (agent != null && agent.running()) {
            out.println(Messages.get("resume.agent.running", agent.pid()));
        }
        LocalSite pra = new LocalSite(Home.site(recovery.Site.WORKSHOP));
        if (pra.restart()) out.println(Messages.get("resume.pra", pra.home()));
        if (onMission) out.println(Messages.get("resume.next", next(evidence)));
        else if (pra.spec() == null) out.println(Messages.get("resume.nothing"));
        return 0;
    }

    /** On AWS nothing of the mission stopped with the session but the waits: a stack still changing is said, with the step that follows it. */
    private void awsStacks(PrintWriter out) throws Exception {
        aws.Deployment d = aws.Deployment.load();
        if (d == null) return;
        try (Stacks stacks = Stacks.open(rds)) {
            for (String name : List.of(d.vpcStack(), aws.Deployment.databaseStack(d.student()))) {
                Stacks.Info s = name == null ? null : stacks.find(name);
                if (s != null && s.status().endsWith("_IN_PROGRESS")) out.println(Messages.get("resume.aws.stack", name, s.status(), name.endsWith("-db") ? "maz2" : "maz1"));
            }
        }
    }

    /** The first mission step with no evidence yet, as the README's order has them. */
    static String next(Evidence evidence) throws Exception {
        for (int n = 1; n <= 11; n++) {
            // Step 3's evidence is written when the agent stops; a running agent is step 3 done.
            if (n == 3 && Agent.Summary.read(evidence) != null) continue;
            if (evidence.step("maz" + n) == null) return "./jbang maz" + n;
        }
        return "./jbang bundle --student NAME";
    }
}
