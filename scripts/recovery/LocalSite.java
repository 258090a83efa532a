package recovery;

//SOURCES ../common/BackgroundJvm.java ../common/FileTree.java ../common/Http.java ../common/Json.java ../common/Ports.java ../common/Problem.java
//SOURCES ../common/SocketOwner.java ../common/Wait.java App.java AppLog.java Backups.java Restore.java Site.java Traffic.java

import common.BackgroundJvm;
import common.FileTree;
import common.Http;
import common.Json;
import common.Ports;
import common.Problem;
import common.SocketOwner;
import common.Wait;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The PRA workshop on this machine: two folders play the volumes pra-data and pra-backup, and a
 * supervisor process plays Kubernetes. It reads a desired state (spec.json: replicas, backups
 * suspended or not, their interval, traffic or not), runs the app when replicas is 1 and restarts
 * it when it dies, as a Deployment does, takes a backup every interval, as the CronJob does, and
 * runs the users' traffic, as the Deployment pra-traffic does.
 */
public final class LocalSite extends Site {
    /** The desired state; traffic: whether the site's users (Traffic) write to the app. */
    public record Spec(int replicas, boolean suspend, int backupEverySeconds, int port, boolean traffic) {
        /** Replicas 0 and backups suspended, as before a restore or in a disaster; or back to 1 and running. */
        public Spec stopped(boolean stopped) {
            return new Spec(stopped ? 0 : 1, stopped, backupEverySeconds, port, traffic);
        }

        public Spec every(int seconds) {
            return new Spec(replicas, suspend, seconds, port, traffic);
        }

        public Spec suspended(boolean suspended) {
            return new Spec(replicas, suspended, backupEverySeconds, port, traffic);
        }
    }

    /** What the supervisor last did; backupsSuspended: the spec it last acted on had the backups suspended. */
    public record Status(Long supervisorPid, Long appPid, String appStartedAt, int restarts, String lastBackup, String lastBackupError,
                         boolean backupsSuspended) {}

    public LocalSite(Path home) {
        super(home);
    }

    @Override public String target() { return "local"; }

    public Path data() { return home.resolve("volumes/pra-data"); }

    public Path backups() { return home.resolve("volumes/pra-backup"); }

    @Override public String dataVolume() { return data().toString(); }

    /**
     * Where the SQLite driver of the app or of the supervisor unpacks its native library (1 MB),
     * emptied before that process starts (one of each runs at a time). The driver puts it in /tmp
     * and deletes it when the JVM exits, but not when the JVM is killed, as a pod crash kills the
     * app and a session's end the supervisor: a day of drills left hundreds there.
     */
    Path freshNativeFolder(String process) throws IOException {
        Path dir = home.resolve("native").resolve(process);
        if (Files.exists(dir)) FileTree.delete(dir);
        return Files.createDirectories(dir);
    }

    @Override public String backupVolume() { return backups().toString(); }

    @Override
    public Volume volume(String name) throws IOException {
        Path dir = name.equals("pra-data") ? data() : backups();
        Path existing = dir;
        while (!Files.exists(existing)) existing = existing.getParent();
        long bytes = 0;
        if (Files.isDirectory(dir)) {
            try (var walk = Files.walk(dir)) {
                bytes = walk.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
            }
        }
        return new Volume(dir.toString(), Files.getFileStore(existing).name(), bytes + " B");
    }

    @Override public String dataDatabase() { return data().resolve(Backups.DATABASE).toString(); }

    Path specFile() { return home.resolve("spec.json"); }

    Path statusFile() { return home.resolve("status.json"); }

    public Spec spec() throws IOException {
        return Files.exists(specFile()) ? Json.read(specFile(), Spec.class) : null;
    }

    /** The spec, or the usual "deploy first" problem. */
    Spec deployed() throws IOException {
        Spec s = spec();
        if (s == null) throw Problem.environment("pra.none", home);
        return s;
    }

    public void apply(Spec spec) throws IOException {
        Files.createDirectories(home);
        Json.writeAtomically(specFile(), spec);
    }

    public Status status() {
        try {
            return Files.exists(statusFile()) ? Json.read(statusFile(), Status.class) : null;
        } catch (IOException e) {
            return null;
        }
    }

    public boolean supervisorRunning() {
        Status s = status();
        return s != null && s.supervisorPid() != null && ProcessHandle.of(s.supervisorPid()).map(ProcessHandle::isAlive).orElse(false);
    }

    @Override
    public String url(String path) throws IOException {
        return "http://127.0.0.1:" + deployed().port() + path;
    }

    /** Creates the volumes and the spec, starts the supervisor, and waits until the app answers. */
    @Override
    public void deploy(int backupEvery, boolean traffic) throws Exception {
        Files.createDirectories(data());
        Files.createDirectories(backups());
        Spec current = spec();
        int port = current != null ? current.port() : Ports.free(1)[0];
        apply(new Spec(1, false, backupEvery, port, traffic));
        if (!supervisorRunning()) startSupervisor();
        waitHealthy(Duration.ofSeconds(60));
    }

    @Override
    protected String whereToLook() {
        return home.resolve("supervisor.log").toString();
    }

    @Override
    public int backupEvery() throws IOException {
        return deployed().backupEverySeconds();
    }

    @Override
    public Reply get(String path) {
        try {
            Http.Reply r = Http.get(URI.create(url(path)), Duration.ofSeconds(1), Duration.ofSeconds(5));
            return new Reply(r.status(), r.body());
        } catch (IOException e) {
            return new Reply(0, e.getMessage());
        }
    }

    @Override
    public void killApp() throws Exception {
        Status s = status();
        if (s == null || s.appPid() == null) throw Problem.failed("pra.app.not-running");
        ProcessHandle.of(s.appPid()).ifPresent(ProcessHandle::destroyForcibly);
        if (!Wait.within(Duration.ofSeconds(10), Duration.ofMillis(5), () -> !alive(s.appPid()))) throw Problem.failed("pra.app.still-running");
    }

    @Override
    public void stopApp() throws Exception {
        apply(deployed().stopped(true));
        if (!Wait.within(Duration.ofSeconds(30), Duration.ofMillis(20), () -> status() != null && status().appPid() == null)) {
            throw Problem.failed("pra.app.still-running");
        }
    }

    @Override
    public void startApp() throws Exception {
        apply(deployed().stopped(false));
    }

    /** Backups suspended, the app left running; returns once the supervisor acts on it, so that no backup is under way any more. */
    @Override
    public void suspendBackups() throws Exception {
        apply(deployed().suspended(true));
        if (!Wait.within(Duration.ofSeconds(30), Duration.ofMillis(20), () -> status() != null && status().backupsSuspended())) {
            throw Problem.failed("pra.backups.late", whereToLook());
        }
    }

    @Override
    public void deleteData() throws IOException {
        FileTree.delete(data());
    }

    @Override
    public boolean dataHoldsDatabase() {
        return Files.exists(data().resolve(Backups.DATABASE));
    }

    @Override
    public List<Backups.Point> points() throws IOException {
        return Backups.list(backups());
    }

    @Override
    public String trafficJournal() {
        return home.resolve(Traffic.FILE).toString();
    }

    @Override
    public Long writesNotBackedUp() throws IOException {
        // Without its users, nobody writes: there is nothing to wait for.
        if (!deployed().traffic()) return null;
        AppLog.Timeline now = AppLog.current(appLog());
        Backups.Point newest = points().stream().filter(Backups.Point::valid).findFirst().orElse(null);
        Set<AppLog.Ack> startedFrom = now.restoredFrom() == null ? Set.of() : rows(now.restoredFrom());
        return Restore.lost(startedFrom, now, newest == null ? Set.of() : rows(newest.file()));
    }

    @Override
    public void waitForBackups(int atLeast, Duration timeout) throws Exception {
        if (!Wait.within(timeout, Duration.ofMillis(50), () -> points().size() >= atLeast)) throw Problem.failed("pra.backups.late", whereToLook());
    }

    @Override
    public Set<AppLog.Ack> rows(String backup) throws IOException {
        return Backups.rows(backups().resolve(backup));
    }

    @Override
    public Backups.Comparison compareCopies() throws Exception {
        Path scratch = Files.createTempDirectory(Files.createDirectories(home), "copy-lesson-");
        try {
            return Backups.compare(data(), scratch);
        } finally {
            FileTree.delete(scratch);
        }
    }

    @Override
    public Path backupsHere() {
        return backups();
    }

    @Override
    public String restore(String file, boolean force) throws Exception {
        Path kept = Backups.restore(backups().resolve(file), data(), force);
        return kept == null ? null : kept.toString();
    }

    /**
     * After a session that ended (it kills the supervisor and the app): the supervisor started
     * again on the spec as it was, a disaster's included, so that nothing is brought back that the
     * workshop had stopped. False when there is no site, or its supervisor runs.
     */
    public boolean restart() throws IOException {
        if (spec() == null || supervisorRunning()) return false;
        startSupervisor();
        return true;
    }

    private void startSupervisor() throws IOException {
        Files.createDirectories(home);
        BackgroundJvm.detached(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + freshNativeFolder("supervisor")),
                Supervisor.class.getName(), List.of(home.toString()), home.resolve("supervisor.log")).start();
        // Whoever needs the app waits for it in turn (waitHealthy), and says so if it never came.
        Wait.within(Duration.ofSeconds(30), Duration.ofMillis(20), this::supervisorRunning);
    }

    /** Stops the supervisor and the app: no process is left. The volumes stay unless purged. */
    @Override
    public void down(boolean purge) throws IOException, InterruptedException {
        Status s = status();
        if (s != null) {
            for (Long pid : new Long[] {s.supervisorPid(), s.appPid()}) {
                if (pid != null) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
            }
            for (Long pid : new Long[] {s.supervisorPid(), s.appPid()}) {
                if (pid != null && !Wait.within(Duration.ofSeconds(10), Duration.ofMillis(20), () -> !alive(pid))) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        // Whatever this site started and its status file no longer names (deleted, or written before a crash).
        List<ProcessHandle> left = new ArrayList<>(BackgroundJvm.running(Supervisor.class.getName()));
        left.addAll(BackgroundJvm.running(App.class.getName()));
        left.removeIf(p -> BackgroundJvm.commandLine(p).stream().noneMatch(this::inThisSite));
        left.forEach(ProcessHandle::destroyForcibly);
        Wait.within(Duration.ofSeconds(10), Duration.ofMillis(20), () -> left.stream().noneMatch(ProcessHandle::isAlive));
        if (purge) FileTree.delete(home);
    }

    /**
     * Whether a process's argument is this site's folder or a path inside it. Compared by path, not
     * by text: the sites pra, pra5 and pra-drill sit side by side, and "pra" begins the others' names.
     */
    private boolean inThisSite(String argument) {
        try {
            return Path.of(argument).toAbsolutePath().normalize().startsWith(home.toAbsolutePath().normalize());
        } catch (java.nio.file.InvalidPathException notAPath) {
            return false;
        }
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The app's command line; it answers only this account (and root) when the kernel can say who calls. */
    static List<String> appArguments(LocalSite site, Spec spec) {
        List<String> args = new ArrayList<>(List.of("--data", site.data().toString(), "--backups", site.backups().toString(),
                "--port", Integer.toString(spec.port())));
        if (SocketOwner.currentUid() != SocketOwner.UNKNOWN) args.addAll(List.of("--owner", Integer.toString(SocketOwner.currentUid())));
        return args;
    }

    /** The supervisor process: reconciles the spec every 100 ms, and takes the backups. */
    public static final class Supervisor {
        // Long because one pass of the loop reconciles the app, its users and its backups with the spec it read, as a controller does.
        public static void main(String[] args) throws Exception {
            LocalSite site = new LocalSite(Path.of(args[0]));
            PrintStream log = System.out;
            long pid = ProcessHandle.current().pid();
            Process app = null;
            Thread traffic = null;
            String appStarted = null;
            int restarts = 0;
            String lastBackup = null;
            String lastError = null;
            Instant nextBackup = null;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                Status s = site.status();
                if (s != null && s.appPid() != null) ProcessHandle.of(s.appPid()).ifPresent(ProcessHandle::destroy);
            }));
            while (true) {
                Spec spec = site.spec();
                if (spec == null) break;
                if (spec.replicas() > 0 && (app == null || !app.isAlive())) {
                    if (app != null) {
                        restarts++;
                        log.println(Instant.now() + " app exited (" + app.exitValue() + "); restarting it");
                    }
                    app = BackgroundJvm.child(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dorg.sqlite.tmpdir=" + site.freshNativeFolder("app")),
                            App.class.getName(), appArguments(site, spec), site.appLog()).start();
                    appStarted = Instant.now().toString();
                    log.println(appStarted + " app started, pid " + app.pid());
                } else if (spec.replicas() == 0 && app != null && app.isAlive()) {
                    app.destroy();
                    app.waitFor();
                    log.println(Instant.now() + " app stopped (replicas 0)");
                    app = null;
                }
                if (spec.traffic() && (traffic == null || !traffic.isAlive())) {
                    traffic = Traffic.start(site);
                } else if (!spec.traffic() && traffic != null) {
                    traffic.interrupt();
                    traffic = null;
                }
                if (spec.suspend()) {
                    nextBackup = null;
                } else {
                    if (nextBackup == null) nextBackup = Instant.now().plusSeconds(spec.backupEverySeconds());
                    if (!Instant.now().isBefore(nextBackup)) {
                        // Counted from now, not from the missed time: a late job does not run twice to catch up.
                        nextBackup = Instant.now().plusSeconds(spec.backupEverySeconds());
                        try {
                            Backups.Point p = Backups.take(site.data(), site.backups());
                            lastBackup = p.file();
                            lastError = p.valid() ? null : p.problem();
                            log.println(Instant.now() + " backup " + p.file() + ": " + p.messages() + " messages, integrity " + (p.valid() ? "ok" : p.problem()));
                        } catch (Exception e) {
                            lastError = e.getMessage();
                            log.println(Instant.now() + " backup failed: " + e.getMessage());
                        }
                    }
                }
                Json.writeAtomically(site.statusFile(), new Status(pid, app != null && app.isAlive() ? app.pid() : null, appStarted, restarts, lastBackup, lastError,
                        spec.suspend()));
                Thread.sleep(100);
            }
        }
    }
}
