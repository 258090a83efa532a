///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Home.java common/Json.java common/Messages.java common/Problem.java region/DrRegion.java region/LocalDrRegion.java
//SOURCES region/LocalRegion.java region/Region.java common/Evidence.java mission/Agent.java mission/AgentProcess.java
//DESCRIPTION The local Multi-AZ region: a PostgreSQL primary in az1, a synchronous standby in az2, and the control plane that fails over between them.

// The region every Multi-AZ step runs against when --target is local (the default).
//
//   ./jbang lab up          two real PostgreSQL servers, az1 primary and az2 synchronous standby
//   ./jbang lab status      who is primary where, and the standby's sync state (--json for machines)
//   ./jbang lab failover    RDS's "reboot with failover": the standby takes over, a new standby is built
//   ./jbang lab crash       kills the primary with SIGKILL; the control plane notices and fails over
//   ./jbang lab down        stops everything (--purge also deletes the data)
//
// State lives in DB007_HOME (default ~/.db007). The control plane answers the RDS API's
// DescribeDBInstances, RebootDBInstance and DescribeEvents on 127.0.0.1, so the AWS SDK and CLI
// drive this region as they drive RDS.

import common.Cli;
import common.Evidence;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import mission.Agent;
import mission.AgentProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import region.DrRegion;
import region.LocalDrRegion;
import region.LocalRegion;
import region.Region;

@Command(name = "lab",
        subcommands = {lab.Up.class, lab.Status.class, lab.Failover.class, lab.Crash.class, lab.Isolate.class, lab.Cut.class, lab.Slow.class, lab.Heal.class,
                lab.Down.class})
public class lab extends Cli.KitCommand {

    public static void main(String[] args) {
        System.exit(Cli.run(new lab(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Problem.USAGE;
    }

    @Command(name = "up")
    static class Up extends Cli.KitCommand {
        @Option(names = "--json", descriptionKey = "option.json") boolean json;
        @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;
        @Option(names = "--run-as", paramLabel = "ACCOUNT", descriptionKey = "lab.up.run-as") String runAs;

        @Override
        public Integer call() throws Exception {
            Instant t0 = Instant.now();
            PrintWriter out = spec.commandLine().getOut();
            LocalRegion.Up up = LocalRegion.up(pgBin, runAs, out, json);
            long took = Duration.between(t0, Instant.now()).toMillis();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>(Json.toMap(up.status()));
                o.put("changed", up.changed());
                o.put("took_ms", took);
                out.println(Json.write(o));
                return 0;
            }
            if (!up.changed()) out.println(Messages.get("lab.up.already"));
            LocalRegion.printStatus(out, up.status());
            if (up.changed()) out.println(Messages.get("lab.up.took", LocalRegion.seconds(took)));
            return 0;
        }
    }

    @Command(name = "status")
    static class Status extends Cli.KitCommand {
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.Status s = LocalRegion.requireRunning(LocalRegion.requireState());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(s));
            } else {
                LocalRegion.printStatus(out, s);
                otherRegion(out);
            }
            return s.healthy() ? 0 : Problem.CHECK_FAILED;
        }

        /** Step 11's other Region, when it runs: its instance, and whether it still replicates. */
        private static void otherRegion(PrintWriter out) throws Exception {
            DrRegion.State dr = LocalDrRegion.state();
            DrRegion.Status ds = dr == null ? null : LocalDrRegion.status(dr);
            if (ds == null || ds.state().replica() == null) return;
            DrRegion.Replica r = ds.state().replica();
            String how = r.sourceArn() == null ? Messages.get("lab.status.dr.standalone") : ds.streaming() ? Messages.get("lab.status.dr.streaming")
                    : Messages.get("lab.status.dr.stopped");
            out.println(Messages.get("lab.status.dr", DrRegion.NAME, r.id(), Json.key(r.status()), dr.port(), how));
        }
    }

    @Command(name = "failover")
    static class Failover extends Cli.KitCommand {
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.State state = LocalRegion.requireState();
            Region.Status before = LocalRegion.requireHealthy(state);
            Instant t0 = Instant.now();
            LocalRegion.requestFailover(state);
            if (!json) spec.commandLine().getOut().println(Messages.get("lab.failover.requested", before.primaryAz(), before.standbyAz()));
            return report(spec.commandLine().getOut(), json, state, before, t0);
        }
    }

    @Command(name = "crash")
    static class Crash extends Cli.KitCommand {
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.State state = LocalRegion.requireState();
            Region.Status before = LocalRegion.requireHealthy(state);
            Instant t0 = Instant.now();
            int killed = LocalRegion.crashPrimary(state, before);
            if (!json) spec.commandLine().getOut().println(Messages.get("lab.crash.killed", before.primaryAz(), killed, Messages.clock(t0)));
            return report(spec.commandLine().getOut(), json, state, before, t0);
        }
    }

    /** lab isolate az1: every link to and from the AZ blackholed; its servers keep running. */
    @Command(name = "isolate")
    static class Isolate extends Cli.KitCommand {
        @Parameters(paramLabel = "AZ", descriptionKey = "lab.isolate.az") String az;

        @Override
        public Integer call() throws Exception {
            return fault(spec.commandLine().getOut(), "isolate", az, null, 0);
        }
    }

    /** lab cut az1-az2: only that link, reset (connections refused) or --blackhole (packets vanish). */
    @Command(name = "cut")
    static class Cut extends Cli.KitCommand {
        @Parameters(paramLabel = "LINK", descriptionKey = "lab.cut.link") String link;
        @Option(names = "--blackhole", descriptionKey = "lab.cut.blackhole") boolean blackhole;

        @Override
        public Integer call() throws Exception {
            return fault(spec.commandLine().getOut(), "cut", link, blackhole ? "blackhole" : "reset", 0);
        }
    }

    /** lab slow LINK 50ms: that much more latency each way. */
    @Command(name = "slow")
    static class Slow extends Cli.KitCommand {
        @Parameters(index = "0", paramLabel = "LINK", descriptionKey = "lab.slow.link") String link;
        @Parameters(index = "1", paramLabel = "DELAY", descriptionKey = "lab.slow.delay") String delay;

        @Override
        public Integer call() throws Exception {
            if (!delay.matches("\\d+(ms)?")) throw Problem.environment("lab.slow.bad-delay", delay);
            return fault(spec.commandLine().getOut(), "slow", link, null, Long.parseLong(delay.replace("ms", "")));
        }
    }

    /** lab heal: every link up again; the region then repairs itself. */
    @Command(name = "heal")
    static class Heal extends Cli.KitCommand {
        @Override
        public Integer call() throws Exception {
            return fault(spec.commandLine().getOut(), "heal", "", null, 0);
        }
    }

    private static int fault(PrintWriter out, String what, String link, String mode, long delayMs) throws Exception {
        Region.State state = LocalRegion.requireState();
        LocalRegion.requireRunning(state);
        LocalRegion.fault(state, what, link, mode, delayMs);
        out.println(Messages.get("lab." + what + ".done", what.equals("heal") ? "" : link, delayMs));
        LocalRegion.printStatus(out, Region.status(state));
        return 0;
    }

    /** Follows a failover to its end, the new standby in sync, and says how long each part took. */
    static int report(PrintWriter out, boolean json, Region.State state, Region.Status before, Instant t0) {
        Region.Status after = LocalRegion.waitUntil(state, out, json,
                s -> !before.primaryAz().equals(s.primaryAz()) && s.healthy(), Duration.ofMinutes(2), t0);
        long took = Duration.between(t0, Instant.now()).toMillis();
        Long failoverMs = between(after, t0, Region.EventType.FAILOVER_STARTED, Region.EventType.FAILOVER_COMPLETED);
        Long syncMs = between(after, t0, Region.EventType.FAILOVER_COMPLETED, Region.EventType.STANDBY_IN_SYNC);
        Region.Window unprotected = after.unprotectedAfter(t0);
        Long unprotectedMs = unprotected == null ? null : unprotected.millis();
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("primary_az_before", before.primaryAz());
            o.put("standby_az_before", before.standbyAz());
            o.put("primary_az_after", after.primaryAz());
            o.put("standby_az_after", after.standbyAz());
            o.put("detect_ms", between(after, t0, null, Region.EventType.FAILOVER_STARTED));
            o.put("failover_ms", failoverMs);
            o.put("standby_in_sync_ms", syncMs);
            o.put("unprotected_ms", unprotectedMs);
            o.put("took_ms", took);
            o.put("events", after.events().stream().filter(e -> !Instant.parse(e.time()).isBefore(t0)).toList());
            out.println(Json.write(o));
        } else {
            out.println(Messages.get("lab.failover.done", before.primaryAz(), after.primaryAz(), failoverMs, after.standbyAz(),
                    LocalRegion.seconds(syncMs == null ? 0 : syncMs)));
            if (unprotectedMs != null) out.println(Messages.get("lab.failover.protection", LocalRegion.seconds(unprotectedMs)));
            out.println(Messages.get("lab.failover.took", LocalRegion.seconds(took)));
        }
        return 0;
    }

    /** Milliseconds between two events after t0 (from t0 itself when the first is null). */
    private static Long between(Region.Status s, Instant t0, Region.EventType from, Region.EventType to) {
        Instant a = from == null ? t0 : s.firstEvent(from, t0);
        Instant b = s.firstEvent(to, t0);
        return a != null && b != null ? Math.max(0, Duration.between(a, b).toMillis()) : null;
    }

    @Command(name = "down")
    static class Down extends Cli.KitCommand {
        @Option(names = "--json", descriptionKey = "option.json") boolean json;
        @Option(names = "--purge", descriptionKey = "lab.down.purge") boolean purge;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path home = Home.dir();
            if (!Files.exists(Region.stateFile())) {
                if (json) out.println(Json.line(Map.of("stopped", false, "purged", false, "reason", "no lab")));
                else out.println(Messages.get("lab.down.nothing", home));
                return 0;
            }
            int agents = stopAgents(home, json ? null : out);
            int leftovers = LocalRegion.down(purge);
            if (json) out.println(Json.line(Map.of("stopped", true, "purged", purge, "leftover_processes_killed", leftovers, "agents_stopped", agents)));
            else out.println(purge ? Messages.get("lab.down.purged", Home.lab()) : Messages.get("lab.down.stopped", home));
            return 0;
        }

        /**
         * The home's background agents (the mission's, step 11's): left running, each would knock on
         * a region that is gone, several times a second, until the session ends. Stopped first, so
         * that their journals end with the region's last answer; agent --resume goes on with them.
         */
        private static int stopAgents(Path home, PrintWriter out) throws Exception {
            int stopped = 0;
            Path evidence = home.resolve("evidence");
            if (!Files.isDirectory(evidence)) return 0;
            try (var folders = Files.list(evidence)) {
                // Only folders an agent wrote into: opening one as evidence would add a steps folder to any other.
                for (Path folder : (Iterable<Path>) folders.filter(f -> Files.isRegularFile(f.resolve(Agent.SUMMARY))).sorted()::iterator) {
                    Evidence e = new Evidence(folder);
                    Agent.Summary s = Agent.Summary.read(e);
                    if (s == null || !s.running()) continue;
                    try {
                        AgentProcess.stop(e, Duration.ofSeconds(30));
                    } catch (Problem gone) {
                        // Gone meanwhile, or not answering: the region goes down all the same, and the agent finds no server.
                        if (out != null) out.println(gone.getMessage());
                        continue;
                    }
                    stopped++;
                    String again = "./jbang agent --background --resume" + (folder.getFileName().toString().equals("maz") ? "" : " --evidence " + folder);
                    if (out != null) out.println(Messages.get("lab.down.agent", s.pid(), folder, again));
                }
            }
            return stopped;
        }
    }
}
