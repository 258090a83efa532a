///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Deployment.java aws/MasterLogin.java aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Json.java
//SOURCES common/Messages.java common/Problem.java common/Wait.java mission/Agent.java mission/AgentProcess.java mission/Journal.java mission/MissionReport.java
//SOURCES mission/OrdinaryClient.java mission/Proof.java region/Region.java
//DESCRIPTION Mission step 8, proof: no acknowledged write lost (RPO = 0), and the outage measured (RTO), with an HTML report.

// Step 8 of Operation DB007: the proof.
//
//   ./jbang maz8
//
// Stops the agent, reads back every row it wrote, and checks each acknowledged write of the
// journal: present and intact (same checksum), or lost. The count of lost writes is the RPO.
// Writes whose outcome is unknown (sent, never answered) are counted apart: they may or may not
// be there, and neither is a loss. The RTO is the longest time without an acknowledged write
// around the failover. Writes proof.json, database.csv (the rows, for the grader) and report.html.

import aws.Deployment;
import aws.MasterLogin;
import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import mission.MissionReport;
import mission.OrdinaryClient;
import mission.Proof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import region.Region;

@Command(name = "maz8")
public class maz8 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz8(), args));
    }

    /** Who ran the mission, where, and how long writes went unprotected (the local region says; RDS by its events, once they came). */
    private MissionReport.Context context(Evidence evidence, Evidence.Sabotage sabotage) throws Exception {
        Deployment d = rds.local() ? null : Deployment.load();
        String student = d != null && d.student() != null ? d.student() : System.getProperty("user.name");
        String target = rds.local() ? Messages.get("report.target.local") : Messages.get("report.target.aws", d == null ? "?" : d.region());
        Region.Window unprotected = null;
        if (rds.local() && sabotage != null) {
            // Run right after step 7, the new standby may still be catching up: the window is waited for a little,
            // so that the report shows it closed, rather than not at all.
            var seen = new Object() {
                Region.Window window;
            };
            Wait.within(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                Region.Status status = Region.status(Region.load());
                seen.window = status == null ? null : status.unprotectedAfter(sabotage.requestedAt());
                return seen.window != null;
            });
            unprotected = seen.window;
        } else if (sabotage != null) {
            try (Rds api = Rds.open(rds)) {
                unprotected = Rds.unprotectedFromEvents(api.events(sabotage.requestedAt().minusSeconds(60)), sabotage.requestedAt());
            }
        }
        Path ordinary = evidence.file(OrdinaryClient.FILE);
        return new MissionReport.Context(student, Instant.now(), target, sabotage, unprotected, Files.exists(ordinary) ? Journal.read(ordinary) : List.of());
    }

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz8.title"));
        Evidence evidence = evidenceDir.open("maz");

        Agent.Summary agent = AgentProcess.stop(evidence, Duration.ofSeconds(30));
        out.println(Messages.get("maz8.agent", agent.attempts(), agent.acknowledged()));
        List<Journal.Entry> journal = Journal.read(evidence.file(Journal.FILE));

        Map<Long, Proof.Row> rows;
        try (Rds api = Rds.open(rds)) {
            rows = Proof.fetchRows(MasterLogin.of(rds, api.describe()), agent.runId());
        }
        Proof.writeRows(evidence.file(Proof.ROWS), rows.values());

        Evidence.Sabotage sabotage = evidence.sabotage();
        Instant sabotageAt = sabotage == null ? null : sabotage.requestedAt();
        Proof proof = Proof.compute(agent.runId(), journal, rows, sabotageAt);
        evidence.write(Proof.FILE, proof);
        Path report = evidence.file(Proof.REPORT);
        Files.writeString(report, MissionReport.html(proof, journal, Rds.events(evidence), context(evidence, sabotage)));

        out.println(Messages.get("maz8.rpo", proof.acknowledgedWrites(), proof.lostWrites(), proof.corruptRows(), proof.rpoMs()));
        out.println(Messages.get("maz8.unknown", proof.unknownWrites(), proof.unknownFound()));
        Proof.Outage outage = Proof.Outage.of(journal, sabotageAt);
        if (outage != null) out.println(Messages.get("maz8.rto", outage.ms(), Messages.clock(outage.lastAck().doneAt()), outage.lastAck().seq(),
                Messages.clock(outage.firstAck().doneAt()), outage.firstAck().seq(), outage.firstMissToSuccessMs() == null ? "-" : outage.firstMissToSuccessMs()));
        for (Proof.Away w : proof.agentAway()) {
            out.println(Messages.get("maz8.away", Messages.clock(Instant.parse(w.from())), w.lastSeq(), Messages.clock(Instant.parse(w.to())), w.resumedSeq(),
                    Messages.seconds(w.ms() / 1000.0)));
        }
        if (proof.journalHoles() > 0 || proof.unjournaledRows() > 0) out.println(Messages.get("maz8.tampered", proof.journalHoles(), proof.unjournaledRows()));
        if (!proof.lostSeqs().isEmpty()) out.println(Messages.get("maz8.lost.list", proof.lostSeqs()));
        if (!proof.corruptSeqs().isEmpty()) out.println(Messages.get("maz8.corrupt.list", proof.corruptSeqs()));
        out.println(Messages.get("maz8.report", report));
        boolean passed = proof.verdict().equals("pass");
        out.println(Messages.get(passed ? "maz8.pass" : "maz8.fail"));
        evidence.step("maz8", started, passed, Json.toMap(proof));
        return passed ? 0 : Problem.CHECK_FAILED;
    }
}
