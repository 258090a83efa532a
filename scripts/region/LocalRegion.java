package region;

//SOURCES ../common/BackgroundJvm.java ../common/FileTree.java ../common/Home.java ../common/Http.java ../common/Json.java ../common/Messages.java ../common/Ports.java
//SOURCES ../common/Problem.java ../common/Wait.java ControlPlane.java DrRegion.java LocalDrRegion.java PgBinaries.java Processes.java Region.java
//SOURCES ServerAccount.java Topology.java

import common.BackgroundJvm;
import common.FileTree;
import common.Home;
import common.Http;
import common.Json;
import common.Messages;
import common.Ports;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The local region driven from a command: lay it out, start or repair it, wait for it, kill its
 * primary, bring it down. Used by lab, and by the mission's first steps on the local target.
 */
public final class LocalRegion {
    private LocalRegion() {}

    /**
     * The terrain: the lab folder, the master password, the server account, the binaries, a data
     * folder the servers can reach, and a port per AZ. Kept as it is when it already exists.
     */
    public static Region.State prepare(String pgBin, String runAs, PrintWriter out, boolean quiet) throws IOException {
        if (Files.exists(Region.stateFile())) return loadOwned();
        if (!quiet) say(out, Messages.get("lab.up.creating", Home.dir()));
        // A control plane of a lab whose folder was deleted may still run; it would restart servers in the new one.
        BackgroundJvm.running(ControlPlane.class.getName()).forEach(LocalRegion::killWithChildren);
        BackgroundJvm.running(DrRegion.class.getName()).forEach(LocalRegion::killWithChildren);
        Path labDir = Files.createDirectories(Home.lab());
        Files.setPosixFilePermissions(labDir, PosixFilePermissions.fromString("rwx------"));
        ServerAccount account = ServerAccount.choose(runAs != null ? runAs : System.getenv("DB007_RUN_AS"));
        PgBinaries bin = PgBinaries.locate(pgBin, account, out);
        Path pw = Region.passwordFile();
        if (!Files.exists(pw)) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            Files.writeString(pw, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n");
        }
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        Path dataRoot = labDir.resolve("data");
        if (account.switchesUser() && !account.canReach(labDir)) {
            // Started by root with DB007_HOME in root's home: the server account cannot walk in there.
            dataRoot = Path.of("/var/tmp", "db007-" + sha256(Home.dir().toString()).substring(0, 10));
            takeBackOrphans(dataRoot);
        }
        // A data folder with no state file beside it belongs to a lab whose state was deleted.
        if (Files.exists(dataRoot)) clear(dataRoot);
        Files.createDirectories(dataRoot);
        Files.setPosixFilePermissions(dataRoot, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dataRoot.resolve(HOME_FILE), Home.dir() + "\n");
        account.own(dataRoot);
        if (!quiet) {
            say(out, Messages.get("lab.up.binaries", bin.version(), bin.bin()));
            if (account.switchesUser()) say(out, Messages.get("lab.up.account", account.name(), dataRoot));
        }
        int[] ports = Ports.free(8);
        Region.State state = new Region.State(ServerAccount.currentUid(), ServerAccount.currentUser(), Region.bootId(),
                dataRoot.toString(), account.name(), bin.bin().toString(), bin.version(), ports[0], ports[1],
                List.of(new Region.NodeSpec("az1", ports[2], ports[4], ports[6]), new Region.NodeSpec("az2", ports[3], ports[5], ports[7])), "az1", null);
        Json.writeAtomically(Region.stateFile(), state);
        return state;
    }

    /** What up found and left: the healthy status, and whether it had anything to do. */
    public record Up(Region.Status status, boolean changed) {}

    /** Up or repair, then wait until the primary and a synchronous standby are there. */
    public static Up up(String pgBin, String runAs, PrintWriter out, boolean quiet) throws IOException {
        Region.State state = prepare(pgBin, runAs, out, quiet);
        Region.Status s = Region.status(state);
        if (s != null && s.healthy()) return new Up(s, false);
        if (s != null) {
            if (!quiet) say(out, Messages.get("lab.up.repairing"));
            Region.post(state, "/db007/repair", "");
        } else {
            if (state.controlPlanePid() != null || !Region.bootId().equals(state.bootId())) {
                if (!quiet) say(out, Region.bootId().equals(state.bootId())
                        ? Messages.get("lab.stale.control-plane", state.controlPlanePid()) : Messages.get("lab.stale.reboot"));
            }
            state = restartable(state);
            Files.deleteIfExists(darkFile());
            startControlPlane();
        }
        return new Up(waitUntil(state, out, quiet, Region.Status::healthy, Duration.ofMinutes(3), Instant.EPOCH), true);
    }

    /** After a reboot or a dead control plane: the same layout, if its ports are still free. */
    private static Region.State restartable(Region.State state) throws IOException {
        for (int port : new int[] {state.apiPort(), state.endpointPort()}) {
            if (!portFree(port)) throw Problem.environment("lab.port.taken", port);
        }
        Region.State fresh = new Region.State(state.ownerUid(), state.ownerUser(), Region.bootId(), state.dataRoot(), state.runAs(),
                state.pgBin(), state.pgVersion(), state.apiPort(), state.endpointPort(), state.nodes(), state.primaryAz(), null);
        Json.writeAtomically(Region.stateFile(), fresh);
        return fresh;
    }

    /** The control plane runs in its own JVM, which outlives this command and ignores the terminal's Ctrl-C. */
    private static void startControlPlane() throws IOException {
        ProcessBuilder pb = BackgroundJvm.detached(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), ControlPlane.class.getName(),
                List.of(), Home.lab().resolve("control-plane.log"));
        pb.start();
    }

    /**
     * A region of its own for a benchmark, in a home of its own under the system's temporary
     * folder, gone once closed: a benchmark writes and archives far more WAL than a student's home
     * has room to keep (1 GB in CloudShell), and its faults are no part of the student's mission,
     * whose own region is left as it is. Home.dir() names the scratch home until then.
     */
    public static final class Scratch implements AutoCloseable {
        private final Path before;
        private final Path home;

        private Scratch(Path before, Path home) {
            this.before = before;
            this.home = home;
        }

        public static Scratch up(PrintWriter out) throws IOException {
            Scratch s = new Scratch(Home.dir(), Files.createTempDirectory("db007-bench-"));
            Home.use(s.home);
            try {
                LocalRegion.up(null, null, out, true);
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }

        @Override
        public void close() {
            try {
                if (Files.exists(Region.stateFile())) down(true);
            } catch (IOException | RuntimeException e) {
                // What is left is in the temporary folder, which the system clears; the student's home is not touched.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                Home.use(before);
                try {
                    FileTree.delete(home);
                } catch (IOException e) {
                    // As above.
                }
            }
        }
    }

    /** Asks for RDS's reboot with failover through the local RDS API. */
    public static void requestFailover(Region.State state) throws IOException {
        Http.Reply r = Region.post(state, "/", "Action=RebootDBInstance&DBInstanceIdentifier=" + Region.INSTANCE_ID + "&ForceFailover=true");
        if (r.status() != 200) {
            throw Problem.failed("lab.failover.refused", r.body().replaceAll("(?s).*<Message>(.*)</Message>.*", "$1"));
        }
    }

    /** A network fault, asked of the control plane; refused with its reason. */
    public static void fault(Region.State state, String what, String link, String mode, long delayMs) throws IOException {
        String form = "fault=" + what + "&link=" + link + (mode == null ? "" : "&mode=" + mode) + "&delay_ms=" + delayMs;
        Http.Reply r = Region.post(state, "/db007/fault", form);
        if (r.status() != 200) throw Problem.failed("lab.fault.refused", String.valueOf(Json.read(r.body(), java.util.Map.class).get("error")));
    }

    /**
     * The whole region goes dark at once, step 11's disaster: its control plane (the RDS API, the
     * writer endpoint and every link, the inter-Region one with the bytes it still carried) and
     * both servers, killed with SIGKILL. The data stays on disk, and lab up brings the region back
     * from it. Returns the moment, taken just before the first kill. The kills follow the caller's
     * moment at once, the checks before it: a question to the control plane in between, slow on a
     * busy machine, gave the link time to deliver what it carried, and a disaster lost nothing.
     */
    public static Instant goDark(Moment moment) throws IOException {
        Region.State state = requireState();
        requireRunning(state);
        moment.await();
        Instant at = Instant.now();
        if (state.controlPlanePid() != null) ProcessHandle.of(state.controlPlanePid()).ifPresent(p -> Processes.kill(List.of(p)));
        killServers(Path.of(state.dataRoot()));
        Json.writeAtomically(darkFile(), new Dark(at.toString()));
        return at;
    }

    /** What goDark waits for before it strikes. */
    public interface Moment {
        void await() throws IOException;
    }

    /** When the region went dark, kept until lab up brings it back. */
    public record Dark(String since) {}

    static Path darkFile() {
        return Home.lab().resolve("dark.json");
    }

    /** Since when the region has been dark, or null when it is not. */
    public static Instant darkSince() {
        try {
            return Files.exists(darkFile()) ? Instant.parse(Json.read(darkFile(), Dark.class).since()) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Kills every process of the primary at once, as the loss of its AZ would. Returns how many died. */
    public static int crashPrimary(Region.State state, Region.Status status) {
        return Processes.killIn(Path.of(state.dataRoot(), status.primaryAz()));
    }

    /** Stops the control plane and both servers; returns how many stray processes had to be killed. */
    public static int down(boolean purge) throws IOException, InterruptedException {
        Region.State state = loadOwned();
        if (Region.status(state) != null) {
            Region.post(state, "/db007/shutdown", "");
            long pid = state.controlPlanePid() == null ? -1 : state.controlPlanePid();
            if (pid > 0 && !Wait.within(Duration.ofSeconds(60), Duration.ofMillis(20), () -> !Processes.alive(pid))) {
                ProcessHandle.of(pid).ifPresent(LocalRegion::killWithChildren);
            }
        } else if (state.controlPlanePid() != null) {
            // A plane that does not answer is killed, and down returns once it is gone, with what it was running.
            ProcessHandle.of(state.controlPlanePid()).filter(p -> BackgroundJvm.runs(p, ControlPlane.class.getName()))
                    .ifPresent(LocalRegion::killWithChildren);
        }
        // Whatever the control plane could not stop, or a lab whose control plane had died.
        int leftovers = killServers(Path.of(state.dataRoot()));
        LocalDrRegion.down(purge);
        Files.deleteIfExists(darkFile());
        if (purge) {
            FileTree.delete(Path.of(state.dataRoot()));
            FileTree.delete(Home.lab());
        }
        return leftovers;
    }

    public static Region.State requireState() throws IOException {
        if (!Files.exists(Region.stateFile())) throw Problem.environment("lab.none", Home.dir());
        return loadOwned();
    }

    public static Region.State loadOwned() throws IOException {
        Region.State state;
        try {
            state = Region.load();
        } catch (IOException e) {
            throw new Problem(Problem.USAGE, e, "lab.state.unreadable", Region.stateFile(), e.getMessage());
        }
        if (state.ownerUid() != ServerAccount.currentUid()) throw Problem.environment("lab.owned", state.ownerUser(), Home.dir());
        return state;
    }

    public static Region.Status requireRunning(Region.State state) {
        Region.Status s = Region.status(state);
        if (s == null) {
            Instant dark = darkSince();
            if (dark != null) throw Problem.environment("lab.dark", Messages.clock(dark));
            throw Region.bootId().equals(state.bootId()) ? Problem.environment("lab.not-running") : Problem.environment("lab.stale.reboot");
        }
        return s;
    }

    public static Region.Status requireHealthy(Region.State state) {
        Region.Status s = requireRunning(state);
        if (!s.healthy()) throw Problem.failed("lab.not-ready", s.phase().key());
        return s;
    }

    /** Polls the control plane, printing each new phase and event (unless quiet), until the condition holds. */
    public static Region.Status waitUntil(Region.State state, PrintWriter out, boolean quiet, Predicate<Region.Status> done,
                                          Duration timeout, Instant since) {
        Path log = Home.lab().resolve("control-plane.log");
        // What the wait has shown so far: the last phase, how many events, when the control plane last answered.
        var seen = new Object() {
            String phase;
            int events = -1;
            Region.Status status;
            Instant answered = Instant.now();
            int failures;
            Instant failedSince;
            long lookedForPlane;
        };
        try {
            return Wait.until("the region", timeout, Duration.ofMillis(50), () -> {
                Region.Status s = Region.status(state);
                if (s == null) {
                    long silent = Duration.between(seen.answered, Instant.now()).toSeconds();
                    // A plane that died (at its start, say, on a port taken) is noticed in seconds, where /proc shows processes; a hung one gets 15.
                    boolean gone = silent >= 3 && silent != seen.lookedForPlane && Files.isDirectory(Path.of("/proc/self"))
                            && BackgroundJvm.running(ControlPlane.class.getName()).isEmpty();
                    if (silent >= 3) seen.lookedForPlane = silent;
                    if (gone || silent > 15) throw Problem.environment("lab.control-plane.died", log, lastWords(log));
                    return null;
                }
                seen.status = s;
                seen.answered = Instant.now();
                if (seen.events < 0) seen.events = (int) s.events().stream().filter(e -> Instant.parse(e.time()).isBefore(since)).count();
                if (!quiet) {
                    for (Region.Event e : s.events().subList(Math.min(seen.events, s.events().size()), s.events().size())) {
                        out.println("  " + Messages.clock(Instant.parse(e.time())) + "  " + Messages.get("event." + Json.key(e.type()), e.az()));
                    }
                    if (!s.shownPhase().equals(seen.phase) && s.phase() != Topology.Phase.FAILED) out.println("  ... " + Messages.get("phase." + s.shownPhase()));
                    out.flush();
                }
                seen.events = s.events().size();
                seen.phase = s.shownPhase();
                if (s.phase() == Topology.Phase.FAILED) {
                    // The control plane tries a failed change again by itself: one failure on a busy machine (a
                    // connection that took too long) is not the end. It is once it fails a third time, or stays failed 10 s.
                    if (seen.failedSince == null) {
                        seen.failedSince = Instant.now();
                        seen.failures++;
                        if (seen.failures < 3 && !quiet) out.println("  ... " + Messages.get("lab.retrying", s.failure()));
                    }
                    if (seen.failures >= 3 || Duration.between(seen.failedSince, Instant.now()).toSeconds() >= 10) {
                        throw Problem.failed("lab.failed", String.valueOf(s.failure()), log);
                    }
                    return null;
                }
                seen.failedSince = null;
                return done.test(s) ? s : null;
            });
        } catch (Wait.TimedOut e) {
            throw Problem.failed("lab.timeout", timeout.toSeconds(), seen.status == null ? "?" : seen.status.phase().key());
        }
    }

    public static void printStatus(PrintWriter out, Region.Status s) {
        out.println(Messages.get("lab.status.endpoint", s.endpoint().address() + ":" + s.endpoint().port(), "http://127.0.0.1:" + s.apiPort()));
        for (Region.Node n : s.nodes()) {
            out.println(String.format("  %-4s %-9s %s  %s %s", n.az(), Messages.get("role." + n.role().key()), Messages.get("lab.status.port", n.port()),
                    n.syncState() == null ? "" : Json.key(n.syncState()), n.health() == null ? "" : Messages.get("health." + Json.key(n.health()))).stripTrailing());
        }
        out.println(Messages.get("lab.status.phase", Messages.get("phase." + s.shownPhase())) + (s.failure() == null ? "" : " (" + s.failure() + ")"));
        // The links when one is faulty, or when one is long by nature (the link to another Region, step 11).
        if (s.links() != null && s.links().stream().anyMatch(l -> !l.plain() || l.latencyMs() > 0)) {
            out.println(Messages.get("lab.status.links"));
            for (Region.Link l : s.links()) {
                String what = l.plain() ? Messages.get("link.up")
                        : Messages.get("link." + Json.key(l.mode())) + (l.delayMs() > 0 ? " " + Messages.get("link.delay", l.delayMs()) : "");
                if (l.latencyMs() > 0) what += " " + Messages.get("link.latency", l.latencyMs());
                out.println(String.format("  %-11s %s", l.name(), what).stripTrailing());
            }
        }
        if (s.writesProtected()) out.println(Messages.get("lab.status.protected", s.standbyAz()));
        else if (s.unprotectedSince() != null) {
            out.println(Messages.get("lab.status.unprotected", Messages.clock(Instant.parse(s.unprotectedSince())),
                    Messages.get("exposure." + s.unprotectedReason().key())));
        }
        out.flush();
    }

    /** Where a running control plane writes its pid, in the data folder beside its servers. */
    static Path controlPlaneFile(Path dataRoot) {
        return dataRoot.resolve("control-plane.pid");
    }

    /**
     * A control plane killed with what it started and still waits on (a pg_ctl, an initdb): left
     * alone, they would go on and start a server in a folder being cleared. Returns once all are gone.
     */
    private static void killWithChildren(ProcessHandle plane) {
        List<ProcessHandle> all = new ArrayList<>(plane.descendants().toList());
        all.add(0, plane);
        Processes.kill(all);
    }

    private static void stopOrphan(Path dataRoot) throws IOException {
        Path file = controlPlaneFile(dataRoot);
        if (!Files.exists(file)) return;
        long pid;
        try {
            pid = Long.parseLong(Files.readString(file).trim());
        } catch (NumberFormatException e) {
            return;
        }
        ProcessHandle.of(pid).filter(p -> BackgroundJvm.runs(p, ControlPlane.class.getName()))
                .ifPresent(LocalRegion::killWithChildren);
    }

    /** In a data folder kept outside its home: the home it belongs to. */
    static final String HOME_FILE = "home";

    /**
     * The data folders beside this one whose home is gone, servers and all, with their other
     * Region's (step 11). Root's labs keep their data outside the home, where deleting the home
     * without "lab down --purge" (a test's temporary folder, a student starting over) left
     * a hundred MB each in /var/tmp for good. A folder made before this file existed is left alone.
     */
    private static void takeBackOrphans(Path mine) throws IOException {
        try (Stream<Path> list = Files.list(mine.getParent())) {
            for (Path d : (Iterable<Path>) list.filter(p -> p.getFileName().toString().matches("db007-[0-9a-f]{10}") && !p.equals(mine))::iterator) {
                Path home;
                try {
                    home = Path.of(Files.readString(d.resolve(HOME_FILE)).trim());
                } catch (IOException notOurs) {
                    continue;
                }
                if (Files.exists(home)) continue;
                for (String main : List.of(ControlPlane.class.getName(), DrRegion.class.getName())) {
                    BackgroundJvm.running(home, main).forEach(LocalRegion::killWithChildren);
                }
                try {
                    for (Path root : List.of(d, d.resolveSibling(d.getFileName() + "-dr"))) if (Files.exists(root)) clear(root);
                } catch (IOException | RuntimeException e) {
                    // Someone else's leftovers never fail this lab: the next lab made tries again.
                }
            }
        }
    }

    /**
     * A data folder deleted with whatever runs in it. Its control plane may still run (it stops
     * itself within a second or so), and would restart what is killed: it goes first.
     */
    private static void clear(Path dataRoot) throws IOException {
        stopOrphan(dataRoot);
        killServers(dataRoot);
        try {
            FileTree.delete(dataRoot);
        } catch (DirectoryNotEmptyException late) {
            // A server that started while the folder was walked: once more, now that nothing is left to start one.
            killServers(dataRoot);
            FileTree.delete(dataRoot);
        }
    }

    /** Kills every PostgreSQL process running out of any data folder below root. */
    static int killServers(Path root) throws IOException {
        if (!Files.isDirectory(root)) return 0;
        int killed = 0;
        try (Stream<Path> list = Files.list(root)) {
            for (Path d : (Iterable<Path>) list.filter(Files::isDirectory)::iterator) killed += Processes.killIn(d);
        }
        return killed;
    }

    /** What a control plane said last: its log's last line naming an exception, else its last line. */
    private static String lastWords(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return lines.stream().filter(l -> l.matches("\\S.*(Exception|Error)\\b.*")).reduce((a, b) -> b).orElse(lines.isEmpty() ? "-" : lines.get(lines.size() - 1)).strip();
        } catch (IOException | RuntimeException e) {
            return "-";
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

    public static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.2f s", millis / 1000.0);
    }

    private static void say(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
