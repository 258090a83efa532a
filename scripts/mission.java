///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java
//SOURCES common/Wait.java maz1.java maz2.java maz4.java maz5.java maz6.java maz7.java maz8.java maz9.java mission/Agent.java mission/AgentProcess.java mission/Journal.java
//SOURCES mission/LiveView.java mission/Proof.java region/LocalRegion.java region/Region.java
//DESCRIPTION Operation DB007, the whole Multi-AZ mission unattended: steps 1 to 9, with the verdict.

// Operation DB007, end to end.
//
//   ./jbang mission              all nine steps on the local region, planned failover
//   ./jbang mission --crash      the same with the primary killed instead
//   ./jbang mission --json       one JSON object with the verdict and the measures
//
// Runs each step exactly as a student would, in order, with the agent writing in the background
// from step 3 to step 8. Exits 0 only when every step passed and the proof holds.

import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import mission.LiveView;
import mission.Proof;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.LocalRegion;
import region.Region;

@Command(name = "mission")
public class mission extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;
    @Mixin LiveView.Plain plain;
    @Option(names = "--crash", descriptionKey = "maz5.crash") boolean crash;
    @Option(names = "--fault", paramLabel = "reboot|crash|isolate-az1", defaultValue = "reboot", descriptionKey = "mission.fault") String fault;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;
    @Option(names = "--baseline", paramLabel = "SECONDS", defaultValue = "3", descriptionKey = "mission.baseline") double baseline;
    @Option(names = "--after", paramLabel = "SECONDS", defaultValue = "2", descriptionKey = "mission.after") double after;

    public static void main(String[] args) {
        System.exit(Cli.run(new mission(), args));
    }

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        if (crash) fault = "crash";
        if (!List.of("reboot", "crash", "isolate-az1").contains(fault)) throw Problem.environment("mission.fault.unknown", fault);
        Instant t0 = Instant.now();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter steps = json ? new PrintWriter(OutputStream.nullOutputStream()) : out;
        Path dir = evidenceDir.path("maz");
        Map<String, String> verdicts = new LinkedHashMap<>();
        Thread agentThread = null;
        Evidence.runByMission(true);
        try {
            if (run(new maz1(), "maz1", steps, verdicts, withPgBin())
                    && run(new maz2(), "maz2", steps, verdicts, withPgBin())) {
                Evidence evidence = new Evidence(dir);
                steps.println();
                steps.println(Messages.get("maz3.title"));
                steps.println(Messages.get("mission.agent"));
                Agent agent = new Agent(rds, evidence, Duration.ZERO, steps, false);
                Exception[] agentFailure = new Exception[1];
                agentThread = new Thread(() -> {
                    try {
                        agent.run();
                    } catch (Exception e) {
                        agentFailure[0] = e;
                    }
                }, "agent");
                agentThread.start();
                waitForFirstWrite(evidence, agentThread);
                if (agentFailure[0] != null) throw agentFailure[0];
                verdicts.put("maz3", "pass");
                Thread.sleep((long) (baseline * 1000));
                boolean ok = run(new maz4(), "maz4", steps, verdicts, List.of()) && sabotageUnderThePanel(evidence, steps, verdicts);
                if (ok) Thread.sleep((long) (after * 1000));
                // An AZ cut off stays so until healed: the network comes back before the proof, so that the old
                // primary's AZ can hold a standby again (step 9) and the ordinary client's hung write ends.
                if (fault.startsWith("isolate")) {
                    LocalRegion.fault(Region.load(), "heal", "", null, 0);
                    steps.println(Messages.get("mission.healed"));
                    Thread.sleep((long) (after * 1000));
                }
                run(new maz8(), "maz8", steps, verdicts, List.of());
                if (ok) run(new maz9(), "maz9", steps, verdicts, List.of());
            }
        } finally {
            Evidence.runByMission(false);
            if (agentThread != null && agentThread.isAlive()) {
                AgentProcess.requestStop(new Evidence(dir));
                agentThread.join(30_000);
            }
        }
        return conclude(out, dir, verdicts, Duration.between(t0, Instant.now()).toMillis());
    }

    /**
     * Steps 5 to 7, under the live panel when the output is a terminal: the traffic is seen stopping
     * and coming back; the steps' lines follow the panel's last frame. Elsewhere they print as they go.
     */
    private boolean sabotageUnderThePanel(Evidence evidence, PrintWriter steps, Map<String, String> verdicts) throws Exception {
        boolean live = !json && LiveView.possible(plain.plain);
        List<String> five = new ArrayList<>(List.of("--fault", fault.startsWith("isolate") ? "isolate" : fault, "--plain"));
        try (Rds api = live && !rds.local() ? Rds.open(rds) : null) {
            return LiveView.around(live, steps, evidence.file(Journal.FILE), !live ? () -> null : rds.local() ? LiveView.local(Region.load()) : LiveView.rds(api),
                    rds.local() ? Duration.ofMillis(250) : Duration.ofSeconds(5), lines ->
                            run(new maz5(), "maz5", lines, verdicts, five)
                                    && run(new maz6(), "maz6", lines, verdicts, List.of("--plain"))
                                    && run(new maz7(), "maz7", lines, verdicts, List.of("--plain")));
        }
    }

    private List<String> withPgBin() {
        return pgBin == null ? List.of() : List.of("--pg-bin", pgBin);
    }

    /** Runs one step as its own command, with this mission's target, evidence and language. */
    private boolean run(Object step, String name, PrintWriter out, Map<String, String> verdicts, List<String> extra) {
        CommandLine cl = Cli.commandLine(step);
        List<String> args = new ArrayList<>(List.of("--evidence", evidenceDir.path("maz").toString()));
        if (cl.getCommandSpec().findOption("--target") != null) {
            args.addAll(rds.arguments());
        }
        args.addAll(extra);
        out.println();
        cl.setOut(out);
        cl.setErr(json ? out : spec.commandLine().getErr());
        int code = cl.execute(args.toArray(String[]::new));
        out.flush();
        verdicts.put(name, code == 0 ? "pass" : "fail");
        return code == 0;
    }

    /** Returns once the agent's journal holds a line, or the agent has stopped (its failure then says why); at most 30 s. */
    private static void waitForFirstWrite(Evidence evidence, Thread agent) throws Exception {
        Wait.within(Duration.ofSeconds(30), Duration.ofMillis(20), () -> !agent.isAlive()
                || Files.exists(evidence.file(Journal.FILE)) && Files.size(evidence.file(Journal.FILE)) > Journal.HEADER.length() + 1);
    }

    private int conclude(PrintWriter out, Path dir, Map<String, String> verdicts, long took) throws Exception {
        Evidence evidence = new Evidence(dir);
        Evidence.Sabotage sabotage = evidence.sabotage();
        Evidence.NewOrder order = evidence.newOrder();
        Proof proof = Proof.read(evidence.dir());
        boolean pass = verdicts.size() == 9 && verdicts.values().stream().allMatch("pass"::equals) && proof != null && proof.verdict().equals("pass");
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("verdict", pass ? "pass" : "fail");
        o.put("target", rds.target);
        o.put("failover", fault.equals("crash") ? "crash" : fault.equals("reboot") ? "reboot-with-failover" : fault);
        o.put("primary_az_before", sabotage == null ? null : sabotage.primaryAzBefore());
        o.put("standby_az_before", sabotage == null ? null : sabotage.standbyAzBefore());
        o.put("primary_az_after", order == null ? null : order.primaryAz());
        o.put("standby_az_after", order == null ? null : order.standbyAz());
        o.put("acknowledged_writes", proof == null ? null : proof.acknowledgedWrites());
        o.put("lost_writes", proof == null ? null : proof.lostWrites());
        o.put("unknown_writes", proof == null ? null : proof.unknownWrites());
        o.put("corrupt_rows", proof == null ? null : proof.corruptRows());
        o.put("rto_ms", proof == null ? null : proof.rtoMs());
        o.put("unprotected_ms", order == null ? null : order.unprotectedMs());
        o.put("first_error_to_success_ms", proof == null ? null : proof.firstErrorToSuccessMs());
        o.put("steady_writes_per_second", proof == null ? null : proof.steadyWritesPerSecond());
        o.put("steps", verdicts);
        o.put("evidence", dir.toString());
        o.put("took_ms", took);
        if (json) {
            out.println(Json.write(o));
        } else {
            out.println();
            out.println(Messages.get("mission.summary", o.get("primary_az_before"), o.get("primary_az_after"), o.get("standby_az_after"),
                    o.get("acknowledged_writes"), o.get("lost_writes"), o.get("unknown_writes"), o.get("corrupt_rows"), o.get("rto_ms")));
            out.println(Messages.get(pass ? "mission.pass" : "mission.fail", took / 1000.0, dir));
        }
        out.flush();
        return pass ? 0 : Problem.CHECK_FAILED;
    }
}
