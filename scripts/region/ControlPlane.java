package region;

//SOURCES ../common/Folders.java ../common/Home.java ../common/Json.java ../common/Region.java PgBinaries.java PgNode.java RdsApi.java
//SOURCES ServerAccount.java WriterEndpoint.java

import common.Home;
import common.Json;
import common.Region;
import java.io.IOException;
import java.io.PrintStream;
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

/**
 * The local region's control plane, which owns the topology as RDS does: it watches the primary
 * every 100 ms, and when the primary is lost (or a reboot with failover is asked for) it fences
 * the old primary, promotes the synchronous standby, points the writer endpoint at it, and then
 * builds a fresh standby in the AZ that was lost. Every transition is an event with its time.
 * Topology changes run one at a time on a single thread, so two of them never interleave.
 */
public final class ControlPlane {
    private static final long CHECK_EVERY_MS = 100;
    /** A postmaster seen stopped this many checks in a row is treated as lost. */
    private static final int FROZEN_CHECKS = 3;
    /** A primary that answers no query for this long is treated as lost. */
    private static final Duration UNANSWERED = Duration.ofSeconds(2);

    private final Path home;
    private final PrintStream log;
    private final String password;
    private final Map<String, PgNode> nodes = new LinkedHashMap<>();
    private final Map<String, String> roles = new HashMap<>();
    private final Map<String, String> syncStates = new HashMap<>();
    private final List<Region.Event> events = new ArrayList<>();
    private final ExecutorService changes = Executors.newSingleThreadExecutor(r -> new Thread(r, "topology"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private Region.State state;
    private WriterEndpoint endpoint;
    private RdsApi api;
    private volatile String phase = "starting";
    private volatile String instanceStatus = "creating";
    private volatile boolean busy = true;
    private volatile boolean shuttingDown;
    private Connection health;

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
        ServerAccount account = ServerAccount.choose(state.runAs());
        PgBinaries bin = PgBinaries.probe(Path.of(state.pgBin()));
        if (bin == null) throw new IOException("the PostgreSQL programs in " + state.pgBin() + " no longer run; run lab up again");
        Path dataRoot = Path.of(state.dataRoot());
        for (Region.NodeSpec n : state.nodes()) nodes.put(n.az(), new PgNode(n.az(), n.port(), dataRoot, bin, account));
        Path file = eventsFile();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) if (!line.isBlank()) events.add(Json.read(line, Region.Event.class));
        }
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
        api = new RdsApi(this, state.apiPort());
        state = state.withControlPlane(ProcessHandle.current().pid());
        Json.writeAtomically(Region.stateFile(home), state);
        log("control plane " + ProcessHandle.current().pid() + " listening, " + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms after its JVM started");
        changes.submit(this::converge);
        Thread monitor = new Thread(this::monitor, "monitor");
        monitor.setDaemon(true);
        monitor.start();
        stopped.await();
    }

    // ---- bringing the region to its intended shape -------------------------------------------

    /** Up, repair and restart after a reboot: whatever is missing is started or rebuilt. */
    private void converge() {
        busy = true;
        try {
            String primaryAz = state.primaryAz();
            String otherAz = otherThan(primaryAz);
            PgNode primary = nodes.get(primaryAz);
            PgNode other = nodes.get(otherAz);
            if (!primary.hasData() && other.hasData()) {
                // The primary's data is gone while the control plane was away: the standby carries on.
                PgNode t = primary;
                primary = other;
                other = t;
                primaryAz = primary.az;
                otherAz = other.az;
            }
            if (!primary.hasData()) {
                phase("creating-primary");
                Files.createDirectories(primary.dataDir.getParent());
                common.Folders.delete(primary.dataDir);
                Instant t = Instant.now();
                primary.initdb(password);
                long initdb = Duration.between(t, Instant.now()).toMillis();
                primary.configure(null, null, password);
                primary.start();
                log("primary " + primaryAz + ": initdb " + initdb + " ms, start " + (Duration.between(t, Instant.now()).toMillis() - initdb) + " ms");
                event("primary-created", primaryAz, "DB instance created; primary in " + primaryAz + ".");
            } else if (!primary.running()) {
                phase("starting-primary");
                primary.configure(null, null, password);
                primary.start();
                event("node-started", primaryAz, "Primary restarted in " + primaryAz + ".");
            }
            resetSynchronousStandby(primary);
            roles.put(primaryAz, "primary");
            setPrimary(primaryAz);
            endpoint.routeTo(primary.port);
            instanceStatus = "available";

            boolean standbyUp = false;
            if (other.hasData()) {
                phase("starting-standby");
                if (!other.running()) {
                    other.configure(null, primary, password);
                    try {
                        other.start();
                    } catch (IOException e) {
                        log("standby " + otherAz + " did not start, it will be rebuilt: " + e.getMessage());
                    }
                }
                standbyUp = other.running() && streaming(primary, other.az, Duration.ofSeconds(5));
            }
            if (!standbyUp) buildStandby(primary, other);
            else makeSynchronous(primary, other);
            phase("ready");
        } catch (Exception e) {
            log("converge failed: " + e);
            phase("failed: " + e.getMessage());
        } finally {
            busy = false;
        }
    }

    private void resetSynchronousStandby(PgNode primary) throws SQLException {
        try (Connection c = primary.connect(password, "postgres", 30); Statement s = c.createStatement()) {
            // Writes must not wait for a standby that does not stream yet; made synchronous once it does.
            s.execute("ALTER SYSTEM SET synchronous_standby_names = ''");
            s.execute("SELECT pg_reload_conf()");
        }
    }

    /** A fresh standby in the given AZ, cloned from the primary, then made synchronous. */
    private void buildStandby(PgNode primary, PgNode standby) throws Exception {
        phase("building-standby");
        roles.put(standby.az, "building");
        event("standby-rebuild-started", standby.az, "Building a new standby in " + standby.az + " from the primary in " + primary.az + ".");
        Instant t = Instant.now();
        standby.kill();
        standby.cloneFrom(primary, password);
        long cloned = Duration.between(t, Instant.now()).toMillis();
        standby.configure(null, primary, password);
        standby.start();
        long started = Duration.between(t, Instant.now()).toMillis();
        if (!streaming(primary, standby.az, Duration.ofSeconds(30))) {
            throw new IOException("the new standby in " + standby.az + " does not stream from " + primary.az + "; see " + standby.logFile);
        }
        long streaming = Duration.between(t, Instant.now()).toMillis();
        makeSynchronous(primary, standby);
        log("standby " + standby.az + ": base backup " + cloned + " ms, started at " + started + " ms, streaming at " + streaming
                + " ms, in sync at " + Duration.between(t, Instant.now()).toMillis() + " ms");
    }

    private void makeSynchronous(PgNode primary, PgNode standby) throws Exception {
        try (Connection c = primary.connect(password, "postgres", 30); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET synchronous_standby_names = '" + standby.az + "'");
            s.execute("SELECT pg_reload_conf()");
        }
        if (!waitFor(() -> "sync".equals(replicationState(primary, standby.az, "sync_state")), Duration.ofSeconds(30))) {
            throw new IOException("the standby in " + standby.az + " streams but is not synchronous");
        }
        roles.put(standby.az, "standby");
        syncStates.put(standby.az, "sync");
        event("standby-in-sync", standby.az, "The standby in " + standby.az + " is in sync with the primary in " + primary.az + ".");
    }

    // ---- failover ----------------------------------------------------------------------------

    /** RebootDBInstance: with failover the standby takes over; without, the primary restarts in place. */
    String requestReboot(boolean forceFailover) {
        if (shuttingDown) return "The region is shutting down.";
        if (busy) return "DB instance is not in available state (" + phase + "). Try again when it is.";
        if (forceFailover && !"sync".equals(syncStates.get(standbyAz()))) {
            return "Cannot fail over: no synchronous standby is ready. Wait until the standby is in sync.";
        }
        busy = true;
        instanceStatus = "rebooting";
        changes.submit(() -> {
            if (forceFailover) failover(true);
            else restartPrimary();
        });
        return null;
    }

    /**
     * The order matters for RPO = 0: the old primary is silenced and fenced before the standby
     * is promoted, so no write is ever acknowledged by two primaries.
     */
    private void failover(boolean planned) {
        busy = true;
        String oldAz = state.primaryAz();
        String newAz = otherThan(oldAz);
        PgNode old = nodes.get(oldAz);
        PgNode next = nodes.get(newAz);
        Instant started = Instant.now();
        try {
            phase("failing-over");
            instanceStatus = "rebooting";
            event("failover-started", oldAz, planned ? "Multi-AZ instance failover started."
                    : "The primary in " + oldAz + " was lost. Multi-AZ instance failover started.");
            endpoint.routeTo(-1);
            endpoint.cutAll();
            closeHealth();
            if (planned) {
                try {
                    old.stopFast(Duration.ofSeconds(3));
                } catch (IOException e) {
                    log("fast stop of " + oldAz + " failed, killing it: " + e.getMessage());
                }
            }
            long stopped = Duration.between(started, Instant.now()).toMillis();
            old.kill();
            Path fenced = old.fence();
            long isolated = Duration.between(started, Instant.now()).toMillis();
            roles.put(oldAz, "fenced");
            syncStates.remove(oldAz);
            next.promote(password, Duration.ofSeconds(30));
            roles.put(newAz, "primary");
            setPrimary(newAz);
            endpoint.routeTo(next.port);
            instanceStatus = "available";
            long ms = Duration.between(started, Instant.now()).toMillis();
            log("failover timings: old primary stopped at " + stopped + " ms, fenced at " + isolated + " ms, standby promoted at " + ms + " ms");
            event("standby-promoted", newAz, "The standby in " + newAz + " was promoted to primary.");
            event("failover-completed", newAz, "Multi-AZ instance failover completed (" + ms + " ms).");
            buildStandby(next, old);
            // Deleted only now: the new standby's base backup matters more than disk space.
            if (fenced != null) common.Folders.delete(fenced);
            phase("ready");
        } catch (Exception e) {
            log("failover failed: " + e);
            phase("failed: " + e.getMessage());
        } finally {
            busy = false;
        }
    }

    private void restartPrimary() {
        String az = state.primaryAz();
        PgNode primary = nodes.get(az);
        try {
            phase("rebooting");
            event("reboot-started", az, "DB instance shutdown.");
            endpoint.routeTo(-1);
            endpoint.cutAll();
            closeHealth();
            primary.stopFast(Duration.ofSeconds(10));
            primary.start();
            endpoint.routeTo(primary.port);
            instanceStatus = "available";
            event("reboot-completed", az, "DB instance restarted.");
            phase("ready");
        } catch (Exception e) {
            log("reboot failed: " + e);
            phase("failed: " + e.getMessage());
        } finally {
            busy = false;
        }
    }

    // ---- watching ----------------------------------------------------------------------------

    private void monitor() {
        int frozen = 0;
        Instant lastAnswer = Instant.now();
        long tick = 0;
        while (!shuttingDown) {
            PgNode.sleep(CHECK_EVERY_MS);
            if (busy || shuttingDown) {
                frozen = 0;
                lastAnswer = Instant.now();
                continue;
            }
            tick++;
            PgNode primary = nodes.get(state.primaryAz());
            String lost = null;
            if (!primary.running()) lost = "process gone";
            else if (primary.frozen()) {
                if (++frozen >= FROZEN_CHECKS) lost = "stopped (SIGSTOP) for " + frozen * CHECK_EVERY_MS + " ms";
            } else {
                frozen = 0;
            }
            if (lost == null && tick % 2 == 0) {
                if (refreshReplication(primary)) lastAnswer = Instant.now();
                else if (Duration.between(lastAnswer, Instant.now()).compareTo(UNANSWERED) > 0) lost = "no answer for " + UNANSWERED.toMillis() + " ms";
            }
            if (lost != null) {
                String standby = standbyAz();
                log("primary " + primary.az + " lost: " + lost);
                busy = true;
                if (standby != null && "sync".equals(syncStates.get(standby))) {
                    event("primary-lost", primary.az, "The primary in " + primary.az + " is lost (" + lost + ").");
                    changes.submit(() -> failover(false));
                } else {
                    event("primary-lost", primary.az, "The primary in " + primary.az + " is lost (" + lost + ") and no synchronous standby can take over.");
                    changes.submit(this::converge);
                }
                frozen = 0;
                continue;
            }
            String standby = standbyAz();
            if (standby != null && "standby".equals(roles.get(standby)) && !nodes.get(standby).running()) {
                log("standby " + standby + " lost, rebuilding it");
                busy = true;
                syncStates.remove(standby);
                changes.submit(() -> {
                    busy = true;
                    try {
                        resetSynchronousStandby(primary);
                        buildStandby(primary, nodes.get(standby));
                        phase("ready");
                    } catch (Exception e) {
                        phase("failed: " + e.getMessage());
                    } finally {
                        busy = false;
                    }
                });
            }
        }
    }

    /** One query on a kept connection: the primary's health and its standbys' sync states at once. */
    private boolean refreshReplication(PgNode primary) {
        try {
            if (health == null) health = primary.connect(password, "postgres", 1);
            Map<String, String> seen = new HashMap<>();
            try (Statement s = health.createStatement();
                 ResultSet r = s.executeQuery("SELECT application_name, sync_state FROM pg_stat_replication")) {
                while (r.next()) seen.put(r.getString(1), r.getString(2));
            }
            synchronized (syncStates) {
                for (String az : nodes.keySet()) {
                    if (az.equals(primary.az)) continue;
                    if (seen.containsKey(az)) syncStates.put(az, seen.get(az));
                    else syncStates.remove(az);
                }
            }
            return true;
        } catch (SQLException e) {
            closeHealth();
            return false;
        }
    }

    private void closeHealth() {
        try {
            if (health != null) health.close();
        } catch (SQLException ignored) {
            // It was being thrown away.
        }
        health = null;
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

    // ---- status, events, state ---------------------------------------------------------------

    public Region.Status status() {
        String primaryAz = state.primaryAz();
        String standbyAz = standbyAz();
        List<Region.Node> list = new ArrayList<>();
        for (PgNode n : nodes.values()) {
            String role = n.az.equals(primaryAz) ? "primary" : roles.getOrDefault(n.az, "down");
            list.add(new Region.Node(n.az, role, n.port, n.postmasterPid(), n.az.equals(primaryAz) ? null : syncStates.get(n.az)));
        }
        List<Region.Event> copy;
        synchronized (events) {
            copy = List.copyOf(events);
        }
        return new Region.Status(primaryAz, standbyAz, phase, instanceStatus,
                new Region.Endpoint("127.0.0.1", state.endpointPort()), state.apiPort(), list, copy);
    }

    private String standbyAz() {
        String other = otherThan(state.primaryAz());
        String role = roles.get(other);
        return role != null && (role.equals("standby") || role.equals("building")) ? other : null;
    }

    private String otherThan(String az) {
        return nodes.keySet().stream().filter(a -> !a.equals(az)).findFirst().orElseThrow();
    }

    private void setPrimary(String az) throws IOException {
        state = state.withPrimary(az);
        Json.writeAtomically(Region.stateFile(home), state);
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

    private void phase(String p) {
        phase = p;
        log("phase " + p);
    }

    private void log(String line) {
        log.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
        log.flush();
    }

    void requestRepair() {
        if (busy || shuttingDown) return;
        busy = true;
        changes.submit(this::converge);
    }

    /** Stops both servers, the endpoint and the API, then lets run() return. */
    void requestShutdown() {
        if (shuttingDown) return;
        shuttingDown = true;
        Thread t = new Thread(() -> {
            changes.shutdownNow();
            phase("stopping");
            instanceStatus = "stopping";
            closeHealth();
            try {
                endpoint.close();
            } catch (IOException ignored) {
                // Closing anyway.
            }
            for (PgNode n : nodes.values()) {
                try {
                    if (n.running()) n.stopFast(Duration.ofSeconds(10));
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

    private static boolean waitFor(java.util.function.BooleanSupplier condition, Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return true;
            PgNode.sleep(20);
        }
        return condition.getAsBoolean();
    }
}
