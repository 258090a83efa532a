///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java
//SOURCES region/Processes.java region/ServerAccount.java region/PgBinaries.java region/PgNode.java region/WriterEndpoint.java region/RdsApi.java region/ControlPlane.java
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
import common.Json;
import common.Messages;
import common.Problem;
import common.Region;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import region.ControlPlane;
import region.PgBinaries;
import region.ServerAccount;

@Command(name = "lab", mixinStandardHelpOptions = true, version = "db007 lab 1.0",
        subcommands = {lab.Up.class, lab.Status.class, lab.Failover.class, lab.Crash.class, lab.Down.class, lab.ControlPlaneCommand.class})
public class lab implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options options;

    public static void main(String[] args) {
        System.exit(Cli.run(new lab(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Problem.USAGE;
    }

    // ---- up ----------------------------------------------------------------------------------

    @Command(name = "up", mixinStandardHelpOptions = true)
    static class Up implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Cli.Options options;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;
        @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;
        @Option(names = "--run-as", paramLabel = "ACCOUNT", descriptionKey = "lab.up.run-as") String runAs;

        @Override
        public Integer call() throws Exception {
            Instant t0 = Instant.now();
            PrintWriter out = spec.commandLine().getOut();
            Path home = Region.home();
            Region.State state = Files.exists(Region.stateFile(home)) ? loadOwned(home) : null;
            if (state != null) {
                Region.Status s = Region.status(state);
                if (s != null && s.healthy()) {
                    if (json) out.println(Json.write(s));
                    else {
                        out.println(Messages.get("lab.up.already"));
                        printStatus(out, s);
                    }
                    return 0;
                }
                if (s != null) {
                    say(out, json, Messages.get("lab.up.repairing"));
                    Region.post(state, "/db007/repair", "");
                } else {
                    if (!Region.bootId().equals(state.bootId())) say(out, json, Messages.get("lab.stale.reboot"));
                    else if (state.controlPlanePid() != null) say(out, json, Messages.get("lab.stale.control-plane", state.controlPlanePid()));
                    state = refreshForRestart(home, state);
                    startControlPlane(home, state);
                }
            } else {
                say(out, json, Messages.get("lab.up.creating", home));
                state = prepare(home, out);
                startControlPlane(home, state);
            }
            Region.Status s = waitUntil(state, out, json, Region.Status::healthy, Duration.ofMinutes(3), Instant.EPOCH);
            long took = Duration.between(t0, Instant.now()).toMillis();
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>(Json.MAPPER.convertValue(s, Map.class));
                o.put("took_ms", took);
                out.println(Json.write(o));
            } else {
                printStatus(out, s);
                out.println(Messages.get("lab.up.took", seconds(took)));
            }
            return 0;
        }

        private Region.State prepare(Path home, PrintWriter out) throws Exception {
            Path labDir = Files.createDirectories(Region.labDir(home));
            Files.setPosixFilePermissions(labDir, PosixFilePermissions.fromString("rwx------"));
            Path pw = Region.passwordFile(home);
            if (!Files.exists(pw)) {
                byte[] random = new byte[18];
                new SecureRandom().nextBytes(random);
                Files.writeString(pw, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
            }
            Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));

            ServerAccount account = ServerAccount.choose(runAs != null ? runAs : System.getenv("DB007_RUN_AS"));
            PgBinaries bin = PgBinaries.locate(pgBin, account, spec.commandLine().getErr());
            Path dataRoot = labDir.resolve("data");
            if (account.switchesUser() && !account.canReach(labDir)) {
                // Started by root with DB007_HOME in root's home: the server account cannot walk in there.
                String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(home.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 10);
                dataRoot = Path.of("/var/tmp", "db007-" + hash);
            }
            if (Files.exists(dataRoot)) removeLeftovers(dataRoot);
            Files.createDirectories(dataRoot);
            Files.setPosixFilePermissions(dataRoot, PosixFilePermissions.fromString("rwx------"));
            account.own(dataRoot);
            if (!json) {
                out.println(Messages.get("lab.up.binaries", bin.version(), bin.bin()));
                if (account.switchesUser()) out.println(Messages.get("lab.up.account", account.name(), dataRoot));
            }
            int[] ports = freePorts(4);
            Region.State state = new Region.State(ServerAccount.currentUid(), ServerAccount.currentUser(), Region.bootId(),
                    dataRoot.toString(), account.name(), bin.bin().toString(), bin.version(), ports[0], ports[1],
                    List.of(new Region.NodeSpec("az1", ports[2]), new Region.NodeSpec("az2", ports[3])), "az1", null);
            Json.writeAtomically(Region.stateFile(home), state);
            return state;
        }

        /** After a reboot or a dead control plane: the same layout, if its ports are still free. */
        private Region.State refreshForRestart(Path home, Region.State state) throws IOException {
            for (int port : new int[] {state.apiPort(), state.endpointPort()}) {
                if (!portFree(port)) throw Problem.environment("lab.port.taken", port);
            }
            Region.State fresh = new Region.State(state.ownerUid(), state.ownerUser(), Region.bootId(), state.dataRoot(), state.runAs(),
                    state.pgBin(), state.pgVersion(), state.apiPort(), state.endpointPort(), state.nodes(), state.primaryAz(), null);
            Json.writeAtomically(Region.stateFile(home), fresh);
            return fresh;
        }

        private void removeLeftovers(Path dataRoot) throws IOException {
            // A data folder with no state file beside it belongs to a lab whose state was deleted.
            killServers(dataRoot);
            try (var walk = Files.walk(dataRoot)) {
                for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
            }
        }

        private void startControlPlane(Path home, Region.State state) throws IOException {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> cmd = new ArrayList<>();
            // setsid: the control plane must outlive this command and ignore the terminal's Ctrl-C.
            if (Files.isExecutable(Path.of("/usr/bin/setsid"))) cmd.add("/usr/bin/setsid");
            cmd.addAll(List.of(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "lab", "control-plane"));
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().put("DB007_HOME", home.toString());
            Path log = Region.labDir(home).resolve("control-plane.log");
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.start();
        }
    }

    // ---- status ------------------------------------------------------------------------------

    @Command(name = "status", mixinStandardHelpOptions = true)
    static class Status implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Cli.Options options;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.State state = requireState();
            Region.Status s = Region.status(state);
            PrintWriter out = spec.commandLine().getOut();
            if (s == null) throw notRunning(state);
            if (json) out.println(Json.write(s));
            else printStatus(out, s);
            return s.healthy() ? 0 : Problem.CHECK_FAILED;
        }
    }

    // ---- failover and crash ------------------------------------------------------------------

    @Command(name = "failover", mixinStandardHelpOptions = true)
    static class Failover implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Cli.Options options;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.State state = requireState();
            Region.Status before = requireHealthy(state);
            Instant t0 = Instant.now();
            HttpResponse<String> r = Region.post(state, "/", "Action=RebootDBInstance&DBInstanceIdentifier=" + Region.INSTANCE_ID + "&ForceFailover=true");
            if (r.statusCode() != 200) {
                String message = r.body().replaceAll("(?s).*<Message>(.*)</Message>.*", "$1");
                throw Problem.failed("lab.failover.refused", message);
            }
            say(spec.commandLine().getOut(), json, Messages.get("lab.failover.requested", before.primaryAz(), before.standbyAz()));
            return report(spec.commandLine().getOut(), json, state, before, t0);
        }
    }

    @Command(name = "crash", mixinStandardHelpOptions = true)
    static class Crash implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Cli.Options options;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            Region.State state = requireState();
            Region.Status before = requireHealthy(state);
            Path primaryData = Path.of(state.dataRoot(), before.primaryAz());
            Instant t0 = Instant.now();
            int killed = region.Processes.killIn(primaryData);
            say(spec.commandLine().getOut(), json, Messages.get("lab.crash.killed", before.primaryAz(), killed, clock(t0)));
            return report(spec.commandLine().getOut(), json, state, before, t0);
        }
    }

    /** Follows a failover to its end, the new standby in sync, and says how long each part took. */
    static int report(PrintWriter out, boolean json, Region.State state, Region.Status before, Instant t0) {
        Region.Status after = waitUntil(state, out, json,
                s -> !before.primaryAz().equals(s.primaryAz()) && s.healthy(), Duration.ofMinutes(2), t0);
        long took = Duration.between(t0, Instant.now()).toMillis();
        Instant started = firstEvent(after, t0, "failover-started");
        Instant completed = firstEvent(after, t0, "failover-completed");
        Instant inSync = firstEvent(after, t0, "standby-in-sync");
        Long failoverMs = started != null && completed != null ? Duration.between(started, completed).toMillis() : null;
        Long detectMs = started != null ? Math.max(0, Duration.between(t0, started).toMillis()) : null;
        Long syncMs = completed != null && inSync != null ? Duration.between(completed, inSync).toMillis() : null;
        if (json) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("primary_az_before", before.primaryAz());
            o.put("standby_az_before", before.standbyAz());
            o.put("primary_az_after", after.primaryAz());
            o.put("standby_az_after", after.standbyAz());
            o.put("detect_ms", detectMs);
            o.put("failover_ms", failoverMs);
            o.put("standby_in_sync_ms", syncMs);
            o.put("took_ms", took);
            o.put("events", after.events().stream().filter(e -> !Instant.parse(e.time()).isBefore(t0)).toList());
            out.println(Json.write(o));
        } else {
            out.println(Messages.get("lab.failover.done", before.primaryAz(), after.primaryAz(), failoverMs, after.standbyAz(), seconds(syncMs == null ? 0 : syncMs)));
            out.println(Messages.get("lab.failover.took", seconds(took)));
        }
        return 0;
    }

    // ---- down --------------------------------------------------------------------------------

    @Command(name = "down", mixinStandardHelpOptions = true)
    static class Down implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Mixin Cli.Options options;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;
        @Option(names = "--purge", descriptionKey = "lab.down.purge") boolean purge;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            Path home = Region.home();
            if (!Files.exists(Region.stateFile(home))) {
                if (json) out.println("{\"stopped\":false,\"purged\":false,\"reason\":\"no lab\"}");
                else out.println(Messages.get("lab.down.nothing", home));
                return 0;
            }
            Region.State state = loadOwned(home);
            if (Region.status(state) != null) {
                Region.post(state, "/db007/shutdown", "");
                long pid = state.controlPlanePid() == null ? -1 : state.controlPlanePid();
                Instant deadline = Instant.now().plusSeconds(60);
                while (pid > 0 && region.Processes.alive(pid) && Instant.now().isBefore(deadline)) Thread.sleep(20);
                if (pid > 0) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            } else if (state.controlPlanePid() != null) {
                ProcessHandle.of(state.controlPlanePid()).ifPresent(ProcessHandle::destroyForcibly);
            }
            // Whatever the control plane could not stop, or a lab whose control plane had died.
            int leftovers = killServers(Path.of(state.dataRoot()));
            if (purge) {
                for (Path root : List.of(Path.of(state.dataRoot()), Region.labDir(home))) {
                    if (!Files.exists(root)) continue;
                    try (var walk = Files.walk(root)) {
                        for (Path p : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
                    }
                }
            }
            if (json) out.println("{\"stopped\":true,\"purged\":" + purge + ",\"leftover_processes_killed\":" + leftovers + "}");
            else out.println(Messages.get(purge ? "lab.down.purged" : "lab.down.stopped", home));
            return 0;
        }
    }

    @Command(name = "control-plane", hidden = true)
    static class ControlPlaneCommand implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            new ControlPlane(Region.home(), System.out).run();
            return 0;
        }
    }

    // ---- shared by the subcommands -----------------------------------------------------------

    static Region.State requireState() throws IOException {
        Path home = Region.home();
        if (!Files.exists(Region.stateFile(home))) throw Problem.environment("lab.none", home);
        return loadOwned(home);
    }

    static Region.State loadOwned(Path home) throws IOException {
        Region.State state;
        try {
            state = Region.load(home);
        } catch (IOException e) {
            throw new Problem(Problem.USAGE, e, "lab.state.unreadable", Region.stateFile(home), e.getMessage());
        }
        if (state.ownerUid() != ServerAccount.currentUid()) throw Problem.environment("lab.owned", state.ownerUser(), home);
        return state;
    }

    static Region.Status requireHealthy(Region.State state) {
        Region.Status s = Region.status(state);
        if (s == null) throw notRunning(state);
        if (!s.healthy()) throw Problem.failed("lab.not-ready", s.phase());
        return s;
    }

    static Problem notRunning(Region.State state) {
        return Region.bootId().equals(state.bootId()) ? Problem.environment("lab.not-running") : Problem.environment("lab.stale.reboot");
    }

    /** Polls the control plane, printing each new phase and event, until the condition holds. */
    static Region.Status waitUntil(Region.State state, PrintWriter out, boolean json, Predicate<Region.Status> done, Duration timeout, Instant since) {
        Instant deadline = Instant.now().plus(timeout);
        String lastPhase = null;
        int shownEvents = -1;
        Region.Status s = null;
        Instant lastAnswer = Instant.now();
        while (Instant.now().isBefore(deadline)) {
            s = Region.status(state);
            if (s == null) {
                if (Duration.between(lastAnswer, Instant.now()).toSeconds() > 15) throw Problem.environment("lab.control-plane.died", Region.labDir(Region.home()).resolve("control-plane.log"));
            } else {
                lastAnswer = Instant.now();
                if (shownEvents < 0) shownEvents = (int) s.events().stream().filter(e -> Instant.parse(e.time()).isBefore(since)).count();
                if (!json) {
                    for (Region.Event e : s.events().subList(Math.min(shownEvents, s.events().size()), s.events().size())) {
                        out.println("  " + clock(Instant.parse(e.time())) + "  " + Messages.get("event." + e.type(), e.az()));
                    }
                    if (!s.phase().equals(lastPhase) && !s.phase().startsWith("failed")) out.println("  ... " + Messages.get("phase." + s.phase()));
                    out.flush();
                }
                shownEvents = s.events().size();
                lastPhase = s.phase();
                if (s.phase().startsWith("failed")) throw Problem.failed("lab.failed", s.phase().substring("failed:".length()).trim(), Region.labDir(Region.home()).resolve("control-plane.log"));
                if (done.test(s)) return s;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw Problem.failed("lab.timeout", timeout.toSeconds(), s == null ? "?" : s.phase());
    }

    static void printStatus(PrintWriter out, Region.Status s) {
        out.println(Messages.get("lab.status.endpoint", s.endpoint().address() + ":" + s.endpoint().port(), "http://127.0.0.1:" + s.apiPort()));
        for (Region.Node n : s.nodes()) {
            out.println(String.format("  %-4s %-9s %s  %s", n.az(), Messages.get("role." + n.role()), Messages.get("lab.status.port", n.port()),
                    n.syncState() == null ? "" : n.syncState()));
        }
        out.println(Messages.get("lab.status.phase", Messages.get("phase." + s.phase())));
        out.flush();
    }

    static Instant firstEvent(Region.Status s, Instant since, String type) {
        return s.events().stream().filter(e -> e.type().equals(type)).map(e -> Instant.parse(e.time()))
                .filter(t -> !t.isBefore(since.minusMillis(5))).findFirst().orElse(null);
    }

    /** Kills every PostgreSQL process running out of any data folder below root. */
    static int killServers(Path root) throws IOException {
        if (!Files.isDirectory(root)) return 0;
        List<Path> dirs;
        try (var list = Files.list(root)) {
            dirs = list.filter(Files::isDirectory).toList();
        }
        int killed = 0;
        for (Path d : dirs) killed += region.Processes.killIn(d);
        return killed;
    }

    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }

    static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void say(PrintWriter out, boolean json, String line) {
        if (!json) {
            out.println(line);
            out.flush();
        }
    }

    static String clock(Instant t) {
        return DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC).format(t);
    }

    static String seconds(long millis) {
        return String.format(java.util.Locale.ROOT, "%.2f s", millis / 1000.0);
    }
}
