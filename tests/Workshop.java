import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import recovery.Backups;
import recovery.LocalSite;
import recovery.Restore;
import region.Region;

/**
 * One real run of both workshops as a student does them, made once for the whole test run in a
 * JVM of its own and read by the classes that only look at what it left (GradeTest, ReportsTest,
 * PraDrillTest, …): the mission step by step and, beside it, the PRA workshop by hand in the
 * README's order, the drill and exercise 5; then the written answers and the hand-in. What the
 * student did is recorded as the test saw it, so that the kit's figures are checked against it.
 * The region and the sites are stopped at the end of the run, their evidence kept; a class that
 * changes anything works on a copy.
 */
final class Workshop {
    final Path home;
    final Kit kit;
    final Path zip;
    /** Everything the commands printed, to check no text says null. */
    final List<String> said = java.util.Collections.synchronizedList(new ArrayList<>());
    Instant disasterFrom;
    Instant disasterTo;
    Backups.Point olderPoint;
    /** A fingerprint of the student's PRA evidence and app log before the unattended runs. */
    /** The student's PRA evidence, fingerprinted, and the app's log, before the unattended runs. */
    String workshopBefore;
    String logBefore;
    Kit.Result drill;
    Kit.Result pra5;
    /** The region's status at the end of the mission, with its events: the region itself is stopped afterwards. */
    Region.Status regionAfterMission;
    /** Step 11, run at once after the mission. */
    Kit.Result maz11;

    private static Workshop done;
    private boolean stopped;

    private Workshop(Path home) {
        this.home = home;
        this.kit = new Kit(home);
        this.zip = home.resolveSibling("alice.zip");
    }

    /**
     * The run, made once for the whole Maven run in a JVM of its own (see {@link #start}); every
     * caller, in either test JVM, waits for it and reads what it saw.
     */
    static synchronized Workshop get() throws Exception {
        if (done != null) return done;
        Path dir = folder();
        start(dir);
        Path seen = dir.resolve("seen.json");
        Path failed = dir.resolve("failed.txt");
        long builder = Long.parseLong(Files.readString(dir.resolve("builder.pid")).trim());
        // Ten minutes: the run takes about one, and twice that on a loaded machine.
        boolean over = common.Wait.within(Duration.ofMinutes(10), Duration.ofMillis(200),
                () -> Files.exists(seen) || Files.exists(failed) || ProcessHandle.of(builder).isEmpty());
        if (Files.exists(failed)) throw new AssertionError("the shared workshop failed:\n" + Files.readString(failed));
        if (!Files.exists(seen)) {
            throw new AssertionError("the shared workshop " + (over ? "ended without a word" : "took over 10 minutes") + "; its log: " + dir.resolve("builder.log"));
        }
        Workshop w = new Workshop(dir.resolve("home"));
        w.load(Json.read(seen, Seen.class));
        done = w;
        return done;
    }

    /** Named by the Maven run (the pom sets it, the same in both test JVMs); a run from elsewhere, an IDE, gets one of its own. */
    private static Path folder() {
        String run = System.getProperty("db007.testRun", "pid" + ProcessHandle.current().pid());
        return Path.of("target").toAbsolutePath().resolve("workshop-" + run);
    }

    /**
     * Starts the run in a JVM of its own, unless this Maven run has started it already: at once
     * when a whole test run begins (WorkshopEarly), else on first use. Most of the run is spent
     * waiting on servers, backups and failovers; on a third lane it is ready by the time the
     * classes that read it come, where it used to hold one test JVM and block the other.
     */
    static void start() throws IOException {
        start(folder());
    }

    private static void start(Path dir) throws IOException {
        Files.createDirectories(dir);
        try (FileChannel lock = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            Path pid = dir.resolve("builder.pid");
            if (Files.exists(pid)) return;
            removeOlderRuns(dir);
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"), Workshop.class.getName(), dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("builder.log").toFile()).start();
            Files.writeString(pid, Long.toString(p.pid()));
        }
    }

    /** The run itself, in the JVM start() made: what it saw goes to seen.json, or what went wrong to failed.txt. */
    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Workshop w = new Workshop(dir.resolve("home"));
        Runtime.getRuntime().addShutdownHook(new Thread(w::stop));
        int exit = 0;
        try {
            w.run();
            Json.writeAtomically(dir.resolve("seen.json"), w.seen());
        } catch (Throwable t) {
            java.io.StringWriter trace = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(trace));
            try {
                Path partial = Files.writeString(dir.resolve("failed.partial"), trace.toString());
                Files.move(partial, dir.resolve("failed.txt"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            t.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    /** What the run saw, for the other JVMs of the same test run. */
    record Seen(List<String> said, Instant disasterFrom, Instant disasterTo, Backups.Point olderPoint,
            String workshopBefore, String logBefore, Kit.Result drill, Kit.Result pra5, Region.Status regionAfterMission, Kit.Result maz11) {}

    private Seen seen() {
        return new Seen(said, disasterFrom, disasterTo, olderPoint, workshopBefore, logBefore, drill, pra5, regionAfterMission, maz11);
    }

    private void load(Seen s) {
        said.addAll(s.said());
        disasterFrom = s.disasterFrom();
        disasterTo = s.disasterTo();
        olderPoint = s.olderPoint();
        workshopBefore = s.workshopBefore();
        logBefore = s.logBefore();
        drill = s.drill();
        pra5 = s.pra5();
        regionAfterMission = s.regionAfterMission();
        maz11 = s.maz11();
    }

    /**
     * The workshops of earlier test runs: each stopped its servers and deleted its region's data
     * when it was done, and leaves only files here. A run that was cut off may have left its region
     * behind, which lab down --purge stops and deletes.
     */
    private static void removeOlderRuns(Path mine) throws IOException {
        try (Stream<Path> runs = Files.list(mine.getParent())) {
            for (Path old : (Iterable<Path>) runs.filter(p -> p.getFileName().toString().startsWith("workshop-") && !p.equals(mine))::iterator) {
                Path home = old.resolve("home");
                if (Files.exists(home.resolve("lab"))) new Kit(home).run("lab", "down", "--purge");
                common.FileTree.delete(old);
            }
        }
    }

    /**
     * Both workshops side by side, as two students at one machine: they share the home and
     * nothing else (the mission's region, the PRA workshop's sites), and each spends most of its
     * time waiting on servers, backups and failovers. Then the answers and the hand-in.
     */
    private void run() throws Exception {
        java.util.concurrent.ExecutorService side = java.util.concurrent.Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> mission = side.submit(() -> {
            mission();
            return null;
        });
        try {
            praWorkshop();
        } finally {
            side.shutdown();
        }
        try {
            mission.get(10, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }

        // Exercise 3 answered with the run's own figures, the others in words.
        Restore.Result measured = Restore.readAll(home.resolve("evidence/pra")).get(0);
        Path answers = Files.createDirectories(home.resolve("answers"));
        Files.writeString(answers.resolve("pra.md"), String.join("\n",
                "## 1", "The volume holds the data; the pod holds nothing.",
                "## 3", String.format(java.util.Locale.ROOT, "Our RPO was %.1f s of writes and the RTO %.1f s.", measured.rpoSeconds(), measured.rtoSeconds()),
                "## 4", "Both volumes share one disk.", ""));
        Files.writeString(answers.resolve("maz.md"), String.join("\n",
                "## 1", "Nobody was told; step 8 looks for the row.", "## 6", "No: the DELETE is replicated at once.", ""));
        said.add(kit.ok("bundle", "--student", "alice", "--out", zip.toString()).all());
        stop();
    }

    private void mission() throws Exception {
        // The mission's steps one by one, as its text asks (mission runs them at once; MissionTest runs it).
        for (String step : List.of("maz1", "maz2")) said.add(kit.ok(step).all());
        said.add(kit.ok("maz3", "--background").all());
        // A student reads step 4 for a while: the agent has a few seconds of writes before the failover, which the report's chart shows.
        Kit.agentHasWritten(home.resolve("evidence/maz"), 600);
        for (String step : List.of("maz4", "maz5", "maz6", "maz7", "maz8", "maz9")) said.add(kit.ok(step).all());
        regionAfterMission = kit.status();
        // Step 11 on the region the mission left, at the default delay between Regions; the region comes back for the rest.
        maz11 = kit.ok("maz11", "--auto");
        said.add(maz11.all());
        kit.ok("lab", "up");
    }

    private void praWorkshop() throws Exception {
        // The PRA workshop by hand, in the README's order; backups every 2 s instead of every minute.
        LocalSite site = new LocalSite(home.resolve("pra"));
        said.add(kit.ok("pra_deploy", "--backup-every", "2").all());
        for (int i = 1; i <= 5; i++) add(site, "hello " + i);
        said.add(kit.ok("pra_copy").all());
        site.waitForBackups(1, Duration.ofSeconds(30));
        said.add(kit.ok("pra_status").all());
        said.add(kit.ok("pra_pod_crash").all());
        // Nothing added by hand from here: the users' traffic alone (pra-deploy's) is what the disaster loses.
        disasterFrom = Instant.now();
        said.add(kit.ok("pra_disaster").all());
        disasterTo = Instant.now();
        said.add(kit.ok("pra_backups").all());
        said.add(kit.ok("pra_restore").all());
        said.add(kit.ok("pra_status").all());

        // Practical task 2: the oldest valid point, which is not the newest (a student waits for a second backup, as the text says).
        site.waitForBackups(2, Duration.ofSeconds(30));
        List<Backups.Point> points = List.of(Json.read(kit.ok("pra_backups", "--json").out(), Backups.Point[].class));
        olderPoint = points.stream().filter(Backups.Point::valid).reduce((a, b) -> b).orElseThrow();
        said.add(kit.ok("pra_restore", "--force", "--point", olderPoint.file()).all());

        // The unattended runs afterwards, as the README has them: they must leave the workshop as it was.
        workshopBefore = digest(home.resolve("evidence/pra"));
        logBefore = Files.readString(home.resolve("pra/app.log"));
        pra5 = kit.ok("pra5", "--json");
        drill = kit.ok("pra", "--json");
        said.add(pra5.all());
        said.add(drill.all());
    }

    /**
     * The agent, the region and every PRA site stopped, once. The region's data is deleted (130 MB
     * under /var/tmp when root runs it): the classes read the evidence, and the status saved above.
     * The PRA sites' volumes and the evidence stay for the classes that read them.
     */
    private synchronized void stop() {
        if (stopped) return;
        stopped = true;
        // The agent first: a mission that failed midway leaves it writing, and nobody else would stop it.
        kit.run("maz3", "stop");
        kit.run("lab", "down", "--purge");
        for (String run : List.of("pra", "pra-drill", "pra5")) {
            try {
                new LocalSite(home.resolve(run)).down(false);
            } catch (IOException | InterruptedException e) {
                // Stopping anyway.
            }
        }
    }

    private void add(LocalSite site, String message) {
        recovery.Site.Reply r = site.get("/add?message=" + message.replace(' ', '+'));
        assertEquals(200, r.status(), r.body());
    }

    /**
     * The unattended runs (pra5, the drill) left the student's workshop as it was: its evidence
     * unchanged, and its app's log grown only by what its own users wrote meanwhile, never a
     * disaster or a restore.
     */
    void assertUntouched(Path home) throws Exception {
        assertEquals(workshopBefore, digest(home.resolve("evidence/pra")), "the student's PRA evidence is as it was");
        String log = Files.readString(home.resolve("pra/app.log"));
        assertTrue(log.startsWith(logBefore), "the app's log was only appended to");
        List<String> since = log.substring(logBefore.length()).lines().filter(l -> !l.isBlank()).toList();
        assertTrue(since.stream().allMatch(l -> l.startsWith("ADD ")), "only the workshop's own users wrote to it meanwhile: " + since);
    }

    /** Every file's name and bytes below these places, as one fingerprint. */
    static String digest(Path... places) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Path place : places) {
            try (Stream<Path> walk = Files.walk(place)) {
                for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile).sorted()::iterator) {
                    md.update(f.toString().getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(f));
                }
            }
        }
        return java.util.HexFormat.of().formatHex(md.digest());
    }
}
