package recovery;

//SOURCES ../common/Home.java ../common/Json.java ../common/Problem.java ../common/Wait.java AppLog.java Backups.java KubeSite.java LocalSite.java

import common.Home;
import common.Json;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * Where the PRA workshop runs: local folders with a supervisor (LocalSite), or a Kubernetes
 * cluster (KubeSite). The steps speak only to this class, so that both targets go through the
 * same steps, write the same evidence and pass the same checks.
 *
 * What the kit learns while the steps run is kept on this machine under home(), in the app's
 * log (AppLog): the acknowledged /adds, when the disaster struck, and each restore.
 */
public abstract class Site implements AutoCloseable {
    /**
     * The three runs of the PRA workshop, each with a site and an evidence folder of its own, so
     * that no unattended run ever touches what the student built and hands in: the student's
     * workshop, the unattended drill, and exercise 5's stronger design. On Kubernetes each name is
     * also the namespace.
     */
    public static final String WORKSHOP = "pra";
    public static final String DRILL = "pra-drill";
    public static final String DESIGN = "pra5";

    /** The --target option of every PRA step. */
    public static final class Target {
        @Option(names = "--target", paramLabel = "local|k8s", defaultValue = "local", descriptionKey = "pra.target") public String target;

        /** The student's workshop site. */
        public Site open() throws IOException {
            return open(WORKSHOP);
        }

        /** One run's site: WORKSHOP, DRILL or DESIGN. */
        public Site open(String run) throws IOException {
            return switch (target) {
                case "local" -> new LocalSite(Home.site(run));
                case "k8s" -> KubeSite.connect(Home.kitFile("k8s"), run, Home.site(run + "-k8s"));
                default -> throw Problem.environment("pra.target.unknown", target);
            };
        }
    }

    protected final Path home;

    protected Site(Path home) {
        this.home = home;
    }

    /** "local" or "k8s", as written in the evidence. */
    public abstract String target();

    /** Where pra-data and pra-backup are, said to the student: a folder, or a claim in the cluster. */
    public abstract String dataVolume();

    public abstract String backupVolume();

    /**
     * Creates what is missing and starts the app and its backups, and with traffic its users (the
     * student's workshop has them; the drill and exercise 5 bring their own client); returns once
     * the app answers.
     */
    public abstract void deploy(int backupEverySeconds, boolean traffic) throws Exception;

    /**
     * Stops the app and its backups; with purge, removes everything, volumes included (a drill
     * starts clean that way, and a student ends the workshop with it).
     */
    public abstract void down(boolean purge) throws Exception;

    /** The backup interval currently in force. */
    public abstract int backupEvery() throws Exception;

    /** One answer from the app; status 0 (or 503 from a proxy) when it does not answer. */
    public record Reply(int status, String body) {}

    public abstract Reply get(String path);

    /** The app's message count; a Problem saying to deploy first when it does not answer. */
    public long count() throws IOException {
        Reply r = get("/count");
        if (r.status() != 200) throw Problem.failed("pra.app.not-running");
        return ((Number) Json.read(r.body(), Map.class).get("count")).longValue();
    }

    /** The messages the app holds now up to this id, each as it acknowledged it (id and created_at). */
    public Set<AppLog.Ack> held(long uptoId) {
        Reply r = get("/consultation");
        if (r.status() != 200) throw Problem.failed("pra.app.not-running");
        Set<AppLog.Ack> held = new HashSet<>();
        for (Object o : Json.read(r.body(), List.class)) {
            Map<?, ?> m = (Map<?, ?>) o;
            long id = ((Number) m.get("id")).longValue();
            if (id <= uptoId) held.add(new AppLog.Ack(id, String.valueOf(m.get("created_at"))));
        }
        return held;
    }

    /** How a student reaches the app from this machine. */
    public abstract String url(String path) throws IOException;

    public void waitHealthy(Duration timeout) throws Exception {
        if (!Wait.within(timeout, Duration.ofMillis(20), () -> get("/health").status() == 200)) {
            throw Problem.failed("pra.app.silent", timeout.toSeconds(), whereToLook());
        }
    }

    /** Where the users' journal is read (Traffic): a file here, or a pod's log. */
    public abstract String trafficJournal();

    /**
     * How many acknowledged writes the newest valid backup does not hold, counted as a restore of
     * it would count its loss; null where the site cannot tell before the app stops (on a
     * cluster, the app's log reaches this machine only then), or has no users to wait for.
     */
    public abstract Long writesNotBackedUp() throws Exception;

    /** Where a student reads why the app or a job did not answer. */
    protected abstract String whereToLook();

    /** Kills the app as a crash would (no warning, no clean shutdown); returns once it is dead. */
    public abstract void killApp() throws Exception;

    /** What a pod crash cost: the count before and after, and how long the app did not answer. */
    public record Crash(long countBefore, long countAfter, long unavailableMs) {}

    /** A pod crash: the app killed, and back by itself (its Deployment, or the local supervisor). */
    public Crash crashApp() throws Exception {
        long before = count();
        Instant killed = Instant.now();
        killApp();
        waitHealthy(Duration.ofSeconds(120));
        return new Crash(before, count(), Duration.between(killed, Instant.now()).toMillis());
    }

    /**
     * The disaster: the app stopped, the backups suspended, the data volume deleted; returns when
     * it struck, which the app's log keeps after the app's last acknowledged write. It strikes
     * once the app has stopped: until then the app still acknowledges writes, and a backup job
     * already under way still finishes. Stamped before the stop, the drill once counted a write
     * acknowledged after the disaster as lost by it, and restored a backup 13 ms newer than the
     * disaster: an RPO below zero.
     */
    public Instant strikeDisaster() throws Exception {
        stopApp();
        Instant at = Instant.now();
        AppLog.disaster(appLog(), at);
        deleteData();
        return at;
    }

    /** Replicas 0 and backups suspended; returns once no app runs. */
    public abstract void stopApp() throws Exception;

    /**
     * Backups suspended, the app left running, before a disaster: none can then hold a write that
     * comes after it. Where the site cannot tell when a backup job ends (a cluster), nothing waits.
     */
    public void suspendBackups() throws Exception {}

    /** Replicas 1 and backups resumed. */
    public abstract void startApp() throws Exception;

    /** Deletes the data volume: the disaster. */
    public abstract void deleteData() throws Exception;

    /** Whether the data volume is there and may hold a database a restore would replace. */
    public abstract boolean dataHoldsDatabase() throws Exception;

    /** A volume as exercises 1 and 4 see it: where it is stored (two volumes on one store share one fate) and its size. */
    public record Volume(String name, String storage, String size) {}

    /** "pra-data" or "pra-backup". */
    public abstract Volume volume(String name) throws Exception;

    /** Names the data volume's database in messages. */
    public abstract String dataDatabase();

    /** The messages one backup holds, each as the app acknowledged it (id and created_at). */
    public abstract Set<AppLog.Ack> rows(String backup) throws Exception;

    /** pra-copy's lesson, on the live data: a plain copy of app.db beside an online backup of the same moment. */
    public abstract Backups.Comparison compareCopies() throws Exception;

    /** Every restore point, newest first, each checked. */
    public abstract List<Backups.Point> points() throws Exception;

    /** Returns once there are at least this many backups (waiting for the schedule, or running the job now). */
    public abstract void waitForBackups(int atLeast, Duration timeout) throws Exception;

    /** The backups as files on this machine, for the hand-in bundle: the folder itself, or a copy out of the cluster. */
    public abstract Path backupsHere() throws Exception;

    /** Restores one backup into the data volume (recreated if gone); returns where an older database was kept, or null. */
    public abstract String restore(String file, boolean force) throws Exception;

    @Override
    public void close() {}

    public Path home() { return home; }

    /** The app's own log, kept on this machine: its ADD lines are the acknowledged /add log. */
    public Path appLog() { return home.resolve(AppLog.FILE); }

    /** When the disaster struck the data volume the app is on now; null when none has since the last restore. */
    public Instant disasterTime() throws IOException {
        return AppLog.current(appLog()).disasterAt();
    }
}
