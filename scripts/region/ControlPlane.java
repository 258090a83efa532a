package region;

//SOURCES ../common/FileTree.java ../common/Home.java ../common/Json.java Archive.java LocalRegion.java PgBinaries.java PgNode.java Prober.java
//SOURCES RdsApi.java Region.java ServerAccount.java Topology.java Verdict.java WriterEndpoint.java

import common.FileTree;
import common.Home;
import common.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * The local region's control plane, which owns the topology as RDS does.
 *
 * Three kinds of thread, each with its own part:
 * - the topology thread makes every change, one at a time (create, fail over, rebuild, drop a
 *   standby), and alone writes the Topology, publishing each new value whole;
 * - three probers ask the servers, every 50 ms, a commit on the primary, its replication state and a question on the
 *   standby, each on a connection of its own, and say how long they wait for an answer;
 * - the monitor looks at the processes and the probers every 50 ms, asks Verdict what to do,
 *   and hands the action to the topology thread. It never stops watching: not while a standby is
 *   rebuilt (a primary lost then abandons the rebuild at once), not while a failover runs.
 *
 * The order of a failover matters for RPO = 0: the old primary is silenced and fenced before the
 * standby is promoted, so no write is ever acknowledged by two primaries.
 */
public final class ControlPlane {
    private static final long CHECK_EVERY_MS = 50;
    /** A standby restarted from its data must stream again this soon; otherwise it is rebuilt from a base backup. */
    private static final Duration REJOIN_WITHIN = Duration.ofSeconds(5);
    private static final Duration RETRY_EVERY = Duration.ofMillis(500);

    private final Path home;
    private final PrintStream log;
    private final String password;
    private final Map<String, PgNode> nodes = new LinkedHashMap<>();
    private final List<Region.Event> events = new ArrayList<>();
    private final ExecutorService changes = Executors.newSingleThreadExecutor(r -> new Thread(r, "topology"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** What is queued or running on the topology thread, so that the monitor asks once per incident. */
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private volatile Verdict.Action lastAction;
    private volatile Instant lastActionAt = Instant.EPOCH;
    private volatile Topology topology;
    private volatile Region.State state;
    private volatile String failure;
    /** The latest look at the servers, for status: never a dead or hung node shown as healthy. */
    private volatile Map<String, String> health = Map.of();
    /** The standbys' sync states as the primary last said them, and when: status reads these, it opens no connection. */
    private volatile Map<String, String> syncStates = Map.of();
    private volatile Instant syncStatesAt = Instant.EPOCH;
    /** The WAL positions as last asked (the standby's received, the primary's own), and when one last moved: the primary's sign of work. */
    private volatile String standbyLsn;
    private volatile String primaryLsn;
    private volatile Instant walAdvancedAt;
    /** Raised by the monitor to make a rebuild in progress give up: its primary is gone. */
    private volatile boolean abandonRebuild;
    private volatile boolean shuttingDown;
    private WriterEndpoint endpoint;
    private RdsApi api;
    private final Archive archive;
    private final PgBinaries bin;
    private final ServerAccount account;
    /** Instances restored to a point in time, by their identifier: new servers, never behind the writer endpoint. */
    private final Map<String, Restored> restored = new LinkedHashMap<>();
    private final ExecutorService restores = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "restore");
        t.setDaemon(true);
        return t;
    });

    /** An instance restored to a point in time, as DescribeDBInstances shows it. */
    public record Restored(String id, String source, int port, String restoreTime, String createdAt, String status, String failure) {
        Restored with(String newStatus, String why) {
            return new Restored(id, source, port, restoreTime, createdAt, newStatus, why);
        }
    }

    /** Started by LocalRegion in its own JVM, with DB007_HOME set; logs to standard output. */
    public static void main(String[] args) throws Exception {
        new ControlPlane(Home.dir(), System.out).run();
        System.exit(0);
    }

    public ControlPlane(Path home, PrintStream log) throws IOException {
        this.home = home;
        this.log = log;
        this.state = Region.load(home);
        this.password = Region.password(home);
        this.account = ServerAccount.choose(state.runAs());
        this.bin = PgBinaries.probe(Path.of(state.pgBin()));
        if (bin == null) throw new IOException("the PostgreSQL programs in " + state.pgBin() + " no longer run; run lab up again");
        Path dataRoot = Path.of(state.dataRoot());
        this.archive = new Archive(dataRoot, account);
        for (Region.NodeSpec n : state.nodes()) {
            PgNode node = new PgNode(n.az(), n.port(), dataRoot, bin, account);
            node.archiving(archive.archiveSettings(n.az()));
            nodes.put(n.az(), node);
        }
        if (Files.exists(restoredFile())) {
            for (Restored r : Json.read(restoredFile(), Restored[].class)) restored.put(r.id(), r);
        }
        Path file = eventsFile();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) if (!line.isBlank()) events.add(Json.read(line, Region.Event.class));
        }
        topology = Topology.starting(state.primaryAz());
    }

    /** Runs until shut down: API first, so that lab up can follow progress, then the region itself. */
    public void run() throws Exception {
        // Loading the JDBC driver takes a few hundred milliseconds in a new JVM: do it while initdb runs.
        Thread warmUp = new Thread(() -> {
            try {
                Class.forName("org.postgresql.Driver");
            } catch (ClassNotFoundException ignored) {
                // The first connection will say so.
            }
        }, "warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        endpoint = new WriterEndpoint(state.endpointPort());
        api = new RdsApi(this, state.apiPort(), state.ownerUid(), state.ownerUser());
        state = state.withControlPlane(ProcessHandle.current().pid());
        Json.writeAtomically(Region.stateFile(home), state);
        log("control plane " + ProcessHandle.current().pid() + " listening, " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms after its JVM started");
        submit(Verdict.Action.RESTART_PRIMARY, this::converge);
        Thread monitor = new Thread(this::monitor, "monitor");
        monitor.setDaemon(true);
        monitor.start();
        stopped.await();
    }

    // ---- bringing the region to its intended shape -------------------------------------------

    /** Up, repair, restart after a reboot or after losing the primary: whatever is missing is started or rebuilt. */
    private void converge() throws Exception {
        String primaryAz = topology.primaryAz();
        PgNode primary = nodes.get(primaryAz);
        PgNode other = nodes.get(otherThan(primaryAz));
        if (!primary.hasData() && other.hasData()) {
            // The primary's data is gone while the control plane was away: the standby carries on.
            PgNode t = primary;
            primary = other;
            other = t;
        }
        boolean wasUp = primary.running() && !primary.frozen() && answers(primary);
        // The archive must be there before a server archives into it.
        archive.prepare();
        if (!primary.hasData()) {
            publish(topology.withPrimary(primary.az).in(Topology.Phase.CREATING_PRIMARY));
            Files.createDirectories(primary.dataDir.getParent());
            FileTree.delete(primary.dataDir);
            Instant t = Instant.now();
            primary.initdb(password);
            long initdb = Duration.between(t, Instant.now()).toMillis();
            primary.configure(null, null, password);
            primary.start();
            log("primary " + primary.az + ": initdb " + initdb + " ms, start " + (Duration.between(t, Instant.now()).toMillis() - initdb) + " ms");
            event("primary-created", primary.az, "DB instance created; primary in " + primary.az + ".");
        } else if (!wasUp) {
            publish(topology.withPrimary(primary.az).in(Topology.Phase.RESTARTING_PRIMARY).status("rebooting"));
            // Whatever is left of it (a frozen postmaster, orphaned backends) goes first: it restarts from its data.
            primary.kill();
            primary.configure(null, null, password);
            primary.start();
            event("node-started", primary.az, "Primary restarted in " + primary.az + ".");
        }
        setPrimary(primary.az);
        // Without a first backup, the instance stays "backing-up" until ensureBaseBackup has taken it.
        Topology t = topology.withPrimary(primary.az).with(primary.az, Topology.Role.PRIMARY)
                .status(archive.bases(true).isEmpty() ? "backing-up" : "available");
        endpoint.routeTo(primary.port);
        if (wasUp && other.running() && !other.frozen() && answers(other) && "sync".equals(replicationState(primary, other.az, "sync_state"))) {
            // A region found whole (a control plane restarted beside running servers) is adopted as it is.
            publish(t.with(other.az, Topology.Role.STANDBY).protectedAgain().in(Topology.Phase.READY));
            ensureBaseBackup(primary);
            return;
        }
        // Commits must not wait for a standby that does not stream yet; made synchronous once it does.
        setSynchronousStandby(primary, null);
        if (t.protectedWrites()) {
            t = t.unprotected(wasUp ? Topology.Exposure.STARTING : Topology.Exposure.PRIMARY_RESTARTED);
            event("unprotected", primary.az, "Writes are not protected by a synchronous standby (" + t.exposure().key() + ").");
        }
        publish(t);
        bringBackStandby(primary, other);
        ensureBaseBackup(primary);
    }

    /** The archive's first base backup, once the region is whole: from then on it can restore to any point in time. */
    private void ensureBaseBackup(PgNode primary) {
        try {
            if (!archive.bases(true).isEmpty()) return;
            // As RDS after a creation: "backing-up" until the first backup is there, so nobody
            // reboots the instance under it and lab up returns with a restorable window.
            if (!"backing-up".equals(topology.instanceStatus())) publish(topology.status("backing-up"));
            Instant t = Instant.now();
            Archive.Base base = archive.takeBase(primary, password);
            log("base backup " + base.dir() + " in the archive in " + Duration.between(t, Instant.now()).toMillis() + " ms, from segment " + base.startSegment());
        } catch (IOException | SQLException e) {
            // The region works without it; only point-in-time restores wait for the next lab up.
            log("no base backup in the archive: " + e.getMessage());
        } finally {
            if ("backing-up".equals(topology.instanceStatus())) publish(topology.status("available"));
        }
    }

    // ---- point-in-time restores ---------------------------------------------------------------

    private Path restoredFile() { return Home.lab(home).resolve("restored.json"); }

    private void saveRestored() {
        synchronized (restored) {
            try {
                Json.writeAtomically(restoredFile(), List.copyOf(restored.values()));
            } catch (IOException e) {
                log("could not record the restored instances: " + e.getMessage());
            }
        }
    }

    /** The restorable window, or null before the first base backup and archived segment. */
    Archive.Window restoreWindow() {
        try {
            return archive.window();
        } catch (IOException e) {
            return null;
        }
    }

    /** The restored instances, each with its status as it is now: a server that stopped is shown stopped. */
    List<Restored> restored() {
        synchronized (restored) {
            List<Restored> all = new ArrayList<>();
            for (Restored r : restored.values()) {
                boolean up = new PgNode("pitr-" + r.id(), r.port(), Path.of(state.dataRoot()), bin, account).running();
                all.add(r.status().equals("available") && !up ? r.with("stopped", r.failure()) : r);
            }
            return all;
        }
    }

    /**
     * RestoreDBInstanceToPointInTime: checked at once (the target inside the window, a whole
     * archive, a free name), then restored in the background while DescribeDBInstances shows it
     * "creating". Returns the refusal, as RDS words it, or null.
     */
    String[] requestRestore(String target, Instant time, boolean latest) throws IOException {
        if (!target.matches("[A-Za-z][A-Za-z0-9-]{0,62}") || target.endsWith("-") || target.contains("--") || target.equals(Region.INSTANCE_ID)) {
            return new String[] {"InvalidParameterValue", "The target identifier " + target + " is not a valid DB instance identifier."};
        }
        synchronized (restored) {
            if (restored.containsKey(target)) return new String[] {"DBInstanceAlreadyExists", "DB instance already exists: " + target + "."};
        }
        Archive.Window w = archive.window();
        if (w == null) return new String[] {"InvalidRestoreFault", "Nothing of db007 is restorable yet: its first base backup is taken once the region is up, and becomes restorable once the WAL after it is archived (within "
                + Archive.ARCHIVE_TIMEOUT.toSeconds() + " s)."};
        Instant at = latest ? w.latest() : time;
        if (at.isBefore(w.earliest()) || at.isAfter(w.latest())) {
            return new String[] {"InvalidRestoreFault", "The restore time " + at + " is outside the restorable window, from " + w.earliest() + " to " + w.latest() + "."};
        }
        Archive.Base base = null;
        for (Archive.Base b : archive.bases(true)) if (!b.consistentAt().isAfter(at)) base = b;
        String gap = base == null ? null : archive.firstGap(base);
        if (gap != null) return new String[] {"InvalidRestoreFault", "The WAL archive has a gap: segment " + gap + " is missing, so no restore can replay past it."};
        int port = LocalRegion.freePorts(1)[0];
        Restored r = new Restored(target, Region.INSTANCE_ID, port, at.toString(), Instant.now().toString(), "creating", null);
        synchronized (restored) {
            restored.put(target, r);
        }
        saveRestored();
        event("restore-started", topology.primaryAz(), "Restoring DB instance " + target + " from db007 to " + at + ".");
        restores.submit(() -> {
            Instant t = Instant.now();
            try {
                Archive.Restore done = archive.restore(target, port, at, nodes.get(topology.primaryAz()), bin, password);
                log("restore " + target + ": base backup copied in " + done.copy().toMillis() + " ms, " + done.files() + " WAL files unpacked in "
                        + done.unpack().toMillis() + " ms, replayed and promoted in " + done.replay().toMillis() + " ms");
                synchronized (restored) {
                    restored.put(target, restored.get(target).with("available", null));
                }
                event("restore-completed", topology.primaryAz(), "Restored from DB instance db007 to " + at + " as " + target + " ("
                        + Duration.between(t, Instant.now()).toMillis() + " ms).");
            } catch (Exception e) {
                synchronized (restored) {
                    restored.put(target, restored.get(target).with("failed", e.getMessage()));
                }
                event("restore-failed", topology.primaryAz(), "The restore of " + target + " failed: " + e.getMessage());
            }
            saveRestored();
        });
        return null;
    }

    /** DeleteDBInstance, for a restored instance: its server stopped, its data deleted. Returns the refusal, or null. */
    String[] deleteRestored(String id) throws IOException {
        Restored r;
        synchronized (restored) {
            r = restored.get(id);
        }
        if (r == null) return new String[] {"DBInstanceNotFound", "DBInstance " + id + " not found."};
        if (r.status().equals("creating")) return new String[] {"InvalidDBInstanceState", "DB instance " + id + " is being restored; delete it once it is available."};
        PgNode node = new PgNode("pitr-" + id, r.port(), Path.of(state.dataRoot()), bin, account);
        node.kill();
        FileTree.delete(node.dataDir);
        synchronized (restored) {
            restored.remove(id);
        }
        saveRestored();
        event("restore-deleted", topology.primaryAz(), "DB instance " + id + " deleted.");
        return null;
    }

    /**
     * The standby in the other AZ, in sync again: restarted from its own data when it still
     * streams from there (a few hundred milliseconds), else rebuilt from a base backup.
     */
    private void bringBackStandby(PgNode primary, PgNode standby) throws Exception {
        abandonRebuild = false;
        if (standby.hasData()) {
            publish(topology.with(standby.az, Topology.Role.BUILDING).in(Topology.Phase.REJOINING_STANDBY));
            Instant t = Instant.now();
            try {
                if (!standby.running() || standby.frozen()) {
                    standby.kill();
                    standby.configure(null, primary, password);
                    ensureSlot(primary, standby);
                    standby.start();
                }
                if (streaming(primary, standby.az, REJOIN_WITHIN)) {
                    event("standby-restarted", standby.az, "The standby in " + standby.az + " streams again from the primary in " + primary.az
                            + " (" + Duration.between(t, Instant.now()).toMillis() + " ms).");
                    makeSynchronous(primary, standby);
                    return;
                }
                log("standby " + standby.az + " does not stream after " + REJOIN_WITHIN.toMillis() + " ms: rebuilding it");
            } catch (IOException | SQLException e) {
                if (abandonRebuild) throw new Abandoned();
                log("standby " + standby.az + " did not restart, rebuilding it: " + e.getMessage());
            }
        }
        buildStandby(primary, standby);
    }

    /** A fresh standby in the given AZ, cloned from the primary, then made synchronous. */
    private void buildStandby(PgNode primary, PgNode standby) throws Exception {
        abandonIfAsked();
        publish(topology.with(standby.az, Topology.Role.BUILDING).in(Topology.Phase.BUILDING_STANDBY));
        event("standby-rebuild-started", standby.az, "Building a new standby in " + standby.az + " from the primary in " + primary.az + ".");
        Instant t = Instant.now();
        standby.kill();
        try {
            standby.cloneFrom(primary, password, () -> abandonRebuild);
        } catch (IOException | SQLException e) {
            abandonIfAsked();
            throw e;
        }
        abandonIfAsked();
        long cloned = Duration.between(t, Instant.now()).toMillis();
        standby.configure(null, primary, password);
        standby.start();
        long started = Duration.between(t, Instant.now()).toMillis();
        if (!streaming(primary, standby.az, Duration.ofSeconds(30))) {
            abandonIfAsked();
            throw new IOException("the new standby in " + standby.az + " does not stream from " + primary.az + "; see " + standby.logFile);
        }
        long streaming = Duration.between(t, Instant.now()).toMillis();
        makeSynchronous(primary, standby);
        log("standby " + standby.az + ": base backup " + cloned + " ms, started at " + started + " ms, streaming at " + streaming
                + " ms, in sync at " + Duration.between(t, Instant.now()).toMillis() + " ms");
    }

    private void makeSynchronous(PgNode primary, PgNode standby) throws Exception {
        setSynchronousStandby(primary, standby.az);
        if (!waitFor(() -> "sync".equals(replicationState(primary, standby.az, "sync_state")), Duration.ofSeconds(30))) {
            abandonIfAsked();
            throw new IOException("the standby in " + standby.az + " streams but is not synchronous");
        }
        event("standby-in-sync", standby.az, "The standby in " + standby.az + " is in sync with the primary in " + primary.az + ".");
        Topology t = topology;
        if (!t.protectedWrites()) {
            long ms = Duration.between(t.unprotectedSince(), Instant.now()).toMillis();
            event("protected", standby.az, "Writes are protected again: the standby in " + standby.az + " is synchronous ("
                    + ms + " ms without protection).");
        }
        publish(topology.with(standby.az, Topology.Role.STANDBY).protectedAgain().in(Topology.Phase.READY));
    }

    /** The standby commits wait for, or none; a reload releases the commits that waited for a standby now dropped. */
    private void setSynchronousStandby(PgNode primary, String az) throws SQLException {
        try (Connection c = primary.connect(password, "postgres", 10); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET synchronous_standby_names = '" + (az == null ? "" : az) + "'");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    private void ensureSlot(PgNode primary, PgNode standby) throws SQLException {
        try (Connection c = primary.connect(password, "postgres", 10); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + standby.slotName() + "'")) {
                r.next();
                if (r.getInt(1) == 0) s.execute("SELECT pg_create_physical_replication_slot('" + standby.slotName() + "', true)");
            }
        }
    }

    // ---- what the monitor decided --------------------------------------------------------------

    /**
     * The standby is lost or hung: commits stop waiting for it at once (writes go on, unprotected,
     * which an event says), then it is brought back and made synchronous again.
     */
    private void dropStandby() throws Exception {
        Topology t = topology;
        String az = otherThan(t.primaryAz());
        PgNode primary = nodes.get(t.primaryAz());
        PgNode standby = nodes.get(az);
        String why = standby.running() && !standby.frozen() ? "no answer for " + Verdict.STANDBY_BOUND.toMillis() + " ms" : "process gone or stopped";
        event("standby-lost", az, "The standby in " + az + " is lost (" + why + ").");
        setSynchronousStandby(primary, null);
        Topology.Exposure exposure = standby.running() ? Topology.Exposure.STANDBY_HUNG : Topology.Exposure.STANDBY_LOST;
        publish(topology.unprotected(exposure).with(az, Topology.Role.DOWN));
        event("unprotected", t.primaryAz(), "Writes no longer wait for the standby in " + az + ": until a standby is in sync again, "
                + "an acknowledged write exists in one AZ only.");
        standby.kill();
        bringBackStandby(primary, standby);
    }

    /** RebootDBInstance: with failover the standby takes over; without, the primary restarts in place. */
    String requestReboot(boolean forceFailover) {
        if (shuttingDown) return "The region is shutting down.";
        Topology t = topology;
        if (t.phase() != Topology.Phase.READY || pending.get() != null) {
            return "DB instance is not in available state (" + (t.phase() == Topology.Phase.READY ? t.instanceStatus() : t.phase().key())
                    + "). Try again when it is.";
        }
        if (forceFailover && !t.synchronous()) return "Cannot fail over: no synchronous standby is ready. Wait until the standby is in sync.";
        Verdict.Action action = forceFailover ? Verdict.Action.FAIL_OVER : Verdict.Action.RESTART_PRIMARY;
        publish(topology.status("rebooting"));
        return submit(action, forceFailover ? () -> failover(true) : this::restartPrimary) ? null : "Another change is under way. Try again.";
    }

    private void failover(boolean planned) throws Exception {
        Topology t = topology;
        String oldAz = t.primaryAz();
        String newAz = otherThan(oldAz);
        PgNode old = nodes.get(oldAz);
        PgNode next = nodes.get(newAz);
        if (planned) {
            // A checkpoint while the clients still write: the shutdown checkpoint, during the outage, then has little left to write.
            try (Connection c = old.connect(password, "postgres", 10); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                log("checkpoint before the planned failover failed: " + e.getMessage());
            }
        }
        Instant started = Instant.now();
        publish(t.in(Topology.Phase.FAILING_OVER).status("rebooting").unprotected(Topology.Exposure.FAILOVER));
        event("failover-started", oldAz, planned ? "Multi-AZ instance failover started."
                : "The primary in " + oldAz + " was lost. Multi-AZ instance failover started.");
        event("unprotected", oldAz, "Writes are not protected by a synchronous standby until a new one is in sync.");
        endpoint.routeTo(-1);
        endpoint.cutAll();
        boolean clean = false;
        if (planned) {
            try {
                old.stopFast(Duration.ofSeconds(3));
                clean = true;
            } catch (IOException e) {
                log("fast stop of " + oldAz + " failed, killing it: " + e.getMessage());
            }
        }
        long stoppedMs = Duration.between(started, Instant.now()).toMillis();
        old.kill();
        Path fenced = old.fence();
        long isolated = Duration.between(started, Instant.now()).toMillis();
        publish(topology.with(oldAz, Topology.Role.FENCED));
        next.promote(password, Duration.ofSeconds(30));
        setPrimary(newAz);
        publish(topology.withPrimary(newAz).with(newAz, Topology.Role.PRIMARY).status("available"));
        endpoint.routeTo(next.port);
        long ms = Duration.between(started, Instant.now()).toMillis();
        log("failover timings: old primary stopped at " + stoppedMs + " ms, fenced at " + isolated + " ms, standby promoted at " + ms + " ms");
        event("standby-promoted", newAz, "The standby in " + newAz + " was promoted to primary.");
        event("failover-completed", newAz, "Multi-AZ instance failover completed (" + ms + " ms).");
        if (clean && fenced != null && rejoin(next, old, fenced)) {
            return;
        }
        buildStandby(next, old);
        // Deleted only now: the new standby's base backup matters more than disk space.
        if (fenced != null) FileTree.delete(fenced);
    }

    /**
     * After a planned failover the old primary stopped cleanly, and everything it wrote reached
     * the standby before the promotion: it can follow the new primary as it is, far sooner than a
     * base backup is copied. It is unfenced only as a standby, never as a primary.
     */
    private boolean rejoin(PgNode primary, PgNode old, Path fenced) throws Exception {
        abandonRebuild = false;
        publish(topology.with(old.az, Topology.Role.BUILDING).in(Topology.Phase.REJOINING_STANDBY));
        Instant t = Instant.now();
        try {
            Files.move(fenced, old.dataDir);
            old.configure(null, primary, password);
            ensureSlot(primary, old);
            old.start();
            if (streaming(primary, old.az, REJOIN_WITHIN)) {
                event("standby-rejoined", old.az, "The old primary in " + old.az + " follows the new primary in " + primary.az + " as its standby ("
                        + Duration.between(t, Instant.now()).toMillis() + " ms).");
                makeSynchronous(primary, old);
                return true;
            }
            log("old primary " + old.az + " does not stream after " + REJOIN_WITHIN.toMillis() + " ms: rebuilding it from a base backup");
        } catch (IOException | SQLException e) {
            abandonIfAsked();
            log("old primary " + old.az + " could not rejoin, rebuilding it: " + e.getMessage());
        }
        old.kill();
        return false;
    }

    /** RebootDBInstance without failover: the primary stops and starts where it is. */
    private void restartPrimary() throws Exception {
        Topology t = topology;
        String az = t.primaryAz();
        PgNode primary = nodes.get(az);
        publish(t.in(Topology.Phase.REBOOTING).status("rebooting"));
        event("reboot-started", az, "DB instance shutdown.");
        endpoint.routeTo(-1);
        endpoint.cutAll();
        primary.stopFast(Duration.ofSeconds(10));
        primary.start();
        endpoint.routeTo(primary.port);
        event("reboot-completed", az, "DB instance restarted.");
        publish(topology.in(Topology.Phase.READY).status("available"));
    }

    // ---- watching ----------------------------------------------------------------------------

    private void monitor() {
        Prober commits = null;
        Prober answers = null;
        Prober replication = null;
        Instant primaryFrozenSince = null;
        String frozenAz = null;
        // A server is judged only from when it took its part: silence from before (while it was
        // restarted, or rebuilt) is not held against it.
        Instant primaryWatchedSince = null;
        Instant standbyWatchedSince = null;
        String watchedPrimary = null;
        Instant lastRetry = null;
        while (!shuttingDown) {
            PgNode.sleep(CHECK_EVERY_MS);
            Topology t = topology;
            if (t.phase() == Topology.Phase.STARTING || t.phase() == Topology.Phase.STOPPING) continue;
            PgNode primary = nodes.get(t.primaryAz());
            PgNode standby = nodes.get(otherThan(t.primaryAz()));
            // The probers follow the topology: a new primary or standby gets its own.
            if (commits == null || !commits.az().equals(primary.az)) {
                if (commits != null) commits.close();
                commits = new Prober(primary, password, List.of(
                        "CREATE TABLE IF NOT EXISTS db007_health (id int PRIMARY KEY, at timestamptz NOT NULL)",
                        "INSERT INTO db007_health VALUES (1, clock_timestamp()) ON CONFLICT (id) DO NOTHING"),
                        "UPDATE db007_health SET at = clock_timestamp() WHERE id = 1", "commit-probe");
            }
            if (answers == null || !answers.az().equals(standby.az)) {
                if (answers != null) answers.close();
                standbyLsn = null;
                walAdvancedAt = null;
                answers = new Prober(standby, password, List.of(), "SELECT written_lsn::text, flushed_lsn::text FROM pg_stat_wal_receiver", r -> {
                    // WAL still reaching the standby, or written there and being flushed, means the primary works: busy, not hung.
                    if (!r.next()) return;
                    String lsn = r.getString(1) + "/" + r.getString(2);
                    boolean flushing = r.getString(1) != null && !r.getString(1).equals(r.getString(2));
                    if (flushing || (standbyLsn != null && !lsn.equals(standbyLsn))) walAdvancedAt = Instant.now();
                    standbyLsn = lsn;
                }, "standby-probe");
            }
            if (replication == null || !replication.az().equals(primary.az)) {
                if (replication != null) replication.close();
                syncStates = Map.of();
                primaryLsn = null;
                replication = new Prober(primary, password, List.of(),
                        "SELECT pg_current_wal_lsn()::text, application_name, sync_state FROM (SELECT 1) one LEFT JOIN pg_stat_replication ON true", r -> {
                    Map<String, String> m = new HashMap<>();
                    String lsn = null;
                    while (r.next()) {
                        lsn = r.getString(1);
                        if (r.getString(2) != null) m.put(r.getString(2), r.getString(3));
                    }
                    syncStates = Map.copyOf(m);
                    syncStatesAt = Instant.now();
                    // The primary answering a question on a connection of its own, its WAL moving: it works, whatever a commit waits for.
                    if (lsn != null && !lsn.equals(primaryLsn)) {
                        if (primaryLsn != null) walAdvancedAt = Instant.now();
                        primaryLsn = lsn;
                    }
                }, "replication-probe");
            }
            Instant now = Instant.now();
            boolean watched = t.phase() == Topology.Phase.READY || t.phase() == Topology.Phase.BUILDING_STANDBY
                    || t.phase() == Topology.Phase.REJOINING_STANDBY;
            if (!watched || !primary.az.equals(watchedPrimary)) primaryWatchedSince = null;
            if (watched && primaryWatchedSince == null) {
                primaryWatchedSince = now;
                watchedPrimary = primary.az;
            }
            if (t.role(standby.az) != Topology.Role.STANDBY) standbyWatchedSince = null;
            else if (standbyWatchedSince == null) standbyWatchedSince = now;
            boolean primaryRunning = primary.running();
            boolean frozen = primaryRunning && primary.frozen();
            if (!frozen || !primary.az.equals(frozenAz)) primaryFrozenSince = null;
            if (frozen && primaryFrozenSince == null) {
                primaryFrozenSince = now;
                frozenAz = primary.az;
            }
            boolean standbyRunning = standby.running() && !standby.frozen();
            Verdict.Observation o = new Verdict.Observation(now, primaryRunning, primaryFrozenSince, latest(commits.unansweredSince(), primaryWatchedSince),
                    standbyRunning, answers.lastAnswer(), latest(answers.unansweredSince(), standbyWatchedSince), replication.lastAnswer(), walAdvancedAt);
            health = describe(o, primary.az, standby.az, t);
            Verdict.Action action = Verdict.of(o, new Verdict.Situation(t.phase(), t.role(standby.az), t.synchronous()));
            // A failed change is tried again every few seconds, not at every look.
            boolean retry = t.phase() == Topology.Phase.FAILED;
            if (retry && lastRetry != null && Duration.between(lastRetry, now).compareTo(RETRY_EVERY) < 0) continue;
            if (retry) lastRetry = now;
            if (action != Verdict.Action.NONE) act(action, o, primary.az);
        }
        if (commits != null) commits.close();
        if (answers != null) answers.close();
        if (replication != null) replication.close();
    }

    /** The later of two times, or null when the first is: how long something waited, counted from when it is watched. */
    private static Instant latest(Instant waitingSince, Instant watchedSince) {
        if (waitingSince == null) return null;
        return watchedSince != null && watchedSince.isAfter(waitingSince) ? watchedSince : waitingSince;
    }

    /** Each node's health as status shows it: ok, down (no process), frozen (stopped), hung (a commit stuck), silent (no answer). */
    private static Map<String, String> describe(Verdict.Observation o, String primaryAz, String standbyAz, Topology t) {
        Map<String, String> h = new HashMap<>();
        h.put(primaryAz, !o.primaryRunning() ? "down" : o.primaryFrozenSince() != null ? "frozen"
                : o.stuck().compareTo(Verdict.COMMIT_BOUND) >= 0 ? "hung" : "ok");
        boolean standbyExpected = t.role(standbyAz) == Topology.Role.STANDBY;
        h.put(standbyAz, !o.standbyRunning() ? "down" : standbyExpected && o.standbySilent() ? "silent" : "ok");
        return Map.copyOf(h);
    }

    /** Hands the monitor's verdict to the topology thread, once per incident; a lost primary cuts a rebuild short. */
    private void act(Verdict.Action action, Verdict.Observation o, String primaryAz) {
        boolean urgent = action == Verdict.Action.FAIL_OVER || action == Verdict.Action.RESTART_PRIMARY;
        if (pending.get() != null) {
            Topology.Phase phase = topology.phase();
            boolean rebuilding = phase == Topology.Phase.BUILDING_STANDBY || phase == Topology.Phase.REJOINING_STANDBY;
            // Only a lost primary cuts into a change under way, and only a rebuild, once.
            if (!urgent || !rebuilding || abandonRebuild) return;
            log("primary " + primaryAz + " lost during the rebuild of the standby: abandoning the rebuild");
            abandonRebuild = true;
        }
        if (topology.phase() == Topology.Phase.FAILED) {
            if (submit(action, this::converge)) log("trying again after: " + failure);
            return;
        }
        String why = !o.primaryRunning() ? "process gone" : o.primaryFrozenSince() != null ? "stopped (SIGSTOP)"
                : "a commit waited " + o.stuck().toMillis() + " ms";
        switch (action) {
            case FAIL_OVER -> {
                if (submit(action, () -> failover(false))) {
                    log("primary " + primaryAz + " lost: " + why);
                    event("primary-lost", primaryAz, "The primary in " + primaryAz + " is lost (" + why + ").");
                }
            }
            case RESTART_PRIMARY -> {
                if (submit(action, this::converge)) {
                    log("primary " + primaryAz + " lost: " + why + "; no synchronous standby can take over: restarting it");
                    event("primary-lost", primaryAz, "The primary in " + primaryAz + " is lost (" + why
                            + ") and no synchronous standby can take over: it is restarted from its data.");
                }
            }
            case DROP_STANDBY -> submit(action, this::dropStandby);
            default -> { }
        }
    }

    /** One change handed to the topology thread. */
    private record Pending(Verdict.Action action) {}

    /**
     * A change for the topology thread; refused while one of the same kind waits to start. A
     * change that abandons a rebuild is queued behind it whatever is pending.
     */
    private boolean submit(Verdict.Action action, Change change) {
        Pending before = pending.get();
        if (before != null && before.action() == action && !abandonRebuild) return false;
        // The same cure twice within a second means the first did not take: no storm of changes and events.
        Instant now = Instant.now();
        if (action == lastAction && Duration.between(lastActionAt, now).compareTo(Duration.ofSeconds(1)) < 0 && !abandonRebuild) return false;
        lastAction = action;
        lastActionAt = now;
        Pending mine = new Pending(action);
        pending.set(mine);
        changes.submit(() -> {
            try {
                change.run();
                failure = null;
            } catch (Abandoned a) {
                event("rebuild-abandoned", otherThan(topology.primaryAz()), "The rebuild of the standby was abandoned: the primary it copied from was lost.");
            } catch (Exception e) {
                if (primaryDying()) {
                    // The primary died under the change (its error came before the monitor's word): the
                    // monitor restarts it, as for a rebuild it abandons.
                    event("rebuild-abandoned", otherThan(topology.primaryAz()), "The rebuild of the standby was abandoned: the primary it copied from was lost.");
                    return;
                }
                log("change failed: " + e);
                failure = String.valueOf(e.getMessage());
                publish(topology.in(Topology.Phase.FAILED));
            } finally {
                pending.compareAndSet(mine, null);
            }
        });
        return true;
    }

    /**
     * Whether the primary is dying or dead: a change that failed on its connection may have seen
     * the first of its processes go while the others still run. A quarter of a second tells.
     */
    private boolean primaryDying() {
        PgNode primary = nodes.get(topology.primaryAz());
        Instant deadline = Instant.now().plusMillis(250);
        while (Instant.now().isBefore(deadline)) {
            if (!primary.running() || primary.frozen()) return true;
            PgNode.sleep(10);
        }
        return !answers(primary);
    }

    /** Whether a server takes a connection and answers, within a second. */
    private boolean answers(PgNode node) {
        try (Connection c = node.connect(password, "postgres", 1); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    @FunctionalInterface
    private interface Change {
        void run() throws Exception;
    }

    /** Thrown inside a rebuild that the monitor asked to give up. */
    private static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("abandoned", null, false, false);
        }
    }

    private void abandonIfAsked() {
        if (abandonRebuild) throw new Abandoned();
    }

    private boolean streaming(PgNode primary, String az, Duration timeout) {
        return waitFor(() -> "streaming".equals(replicationState(primary, az, "state")), timeout);
    }

    private String replicationState(PgNode primary, String az, String column) {
        try (Connection c = primary.connect(password, "postgres", 5); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT " + column + " FROM pg_stat_replication WHERE application_name = '" + az + "'")) {
            return r.next() ? r.getString(1) : null;
        } catch (SQLException e) {
            return null;
        }
    }

    /** Waits for the condition; a rebuild that is abandoned stops waiting at once. */
    private boolean waitFor(BooleanSupplier condition, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            abandonIfAsked();
            if (condition.getAsBoolean()) return true;
            PgNode.sleep(20);
        }
        return condition.getAsBoolean();
    }

    // ---- status, events, state ---------------------------------------------------------------

    public Region.Status status() {
        Topology t = topology;
        Map<String, String> h = health;
        List<Region.Node> list = new ArrayList<>();
        Map<String, String> sync = t.phase() == Topology.Phase.STOPPING ? Map.of() : syncStates(t);
        for (PgNode n : nodes.values()) {
            String role = n.az.equals(t.primaryAz()) ? Topology.Role.PRIMARY.key() : t.role(n.az).key();
            list.add(new Region.Node(n.az, role, n.port, n.postmasterPid(), n.az.equals(t.primaryAz()) ? null : sync.get(n.az), h.getOrDefault(n.az, "ok")));
        }
        List<Region.Event> copy;
        synchronized (events) {
            copy = List.copyOf(events);
        }
        return new Region.Status(t.primaryAz(), t.standbyAz(), t.phase().key(), t.phase() == Topology.Phase.FAILED ? failure : null,
                t.instanceStatus(), t.protectedWrites(), t.unprotectedSince() == null ? null : t.unprotectedSince().truncatedTo(ChronoUnit.MILLIS).toString(),
                t.exposure() == null ? null : t.exposure().key(), new Region.Endpoint("127.0.0.1", state.endpointPort()), state.apiPort(), list, copy);
    }

    /**
     * The standbys' sync states as the primary said them in the last half second: status says
     * what is, not what was meant, and a primary that stopped answering has no standby in sync.
     */
    private Map<String, String> syncStates(Topology t) {
        if (!"ok".equals(health.getOrDefault(t.primaryAz(), "ok"))) return Map.of();
        if (Duration.between(syncStatesAt, Instant.now()).compareTo(Duration.ofMillis(500)) > 0) return Map.of();
        return syncStates;
    }

    Topology topology() { return topology; }

    private String otherThan(String az) {
        return nodes.keySet().stream().filter(a -> !a.equals(az)).findFirst().orElseThrow();
    }

    private void setPrimary(String az) throws IOException {
        state = state.withPrimary(az);
        Json.writeAtomically(Region.stateFile(home), state);
    }

    /** Only the topology thread calls this (and the constructor before any thread starts). */
    private void publish(Topology next) {
        Topology before = topology;
        topology = next;
        if (before.phase() != next.phase()) log("phase " + next.phase().key());
    }

    private void event(String type, String az, String message) {
        Region.Event e = new Region.Event(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), type, az, message);
        synchronized (events) {
            events.add(e);
        }
        log(type + " " + az + ": " + message);
        try {
            Files.writeString(eventsFile(), Json.line(e) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            log("could not record event: " + ex.getMessage());
        }
    }

    private Path eventsFile() { return Home.lab(home).resolve("events.jsonl"); }

    /** A line in the control plane's log, for the API's refusals. */
    void note(String line) {
        log(line);
    }

    private void log(String line) {
        synchronized (log) {
            log.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
            log.flush();
        }
    }

    void requestRepair() {
        if (shuttingDown || pending.get() != null) return;
        submit(Verdict.Action.RESTART_PRIMARY, this::converge);
    }

    /** Stops both servers, the endpoint and the API, then lets run() return. */
    void requestShutdown() {
        if (shuttingDown) return;
        shuttingDown = true;
        abandonRebuild = true;
        Thread t = new Thread(() -> {
            changes.shutdownNow();
            topology = topology.in(Topology.Phase.STOPPING).status("stopping");
            log("phase stopping");
            try {
                endpoint.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            for (PgNode n : nodes.values()) {
                try {
                    if (n.running() && !n.frozen()) n.stopFast(Duration.ofSeconds(10));
                } catch (IOException e) {
                    log("fast stop of " + n.az + " failed: " + e.getMessage());
                }
                n.kill();
            }
            try {
                state = state.withControlPlane(null);
                Json.writeAtomically(Region.stateFile(home), state);
            } catch (IOException e) {
                log("could not update state: " + e.getMessage());
            }
            log("stopped");
            api.close();
            stopped.countDown();
        }, "shutdown");
        t.start();
    }
}
