package region;

//SOURCES ../common/Wait.java Changes.java ControlPlane.java PgNode.java Prober.java Region.java Topology.java Verdict.java

import common.Wait;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The control plane's watch, on a thread of its own that never stops, not while a standby is
 * rebuilt (a primary lost then abandons the rebuild at once), not while a failover runs. Every
 * 50 ms it looks at the processes and at three probers (a commit on the primary, the primary's
 * replication state, a question on the standby), asks Verdict what to do, and hands the action
 * to the topology thread once per incident (Verdict.gate).
 *
 * Every field here is written by the monitor thread alone; other threads read {@link #health()}.
 */
final class Monitor {
    private static final Duration EVERY = Duration.ofMillis(50);

    /** The primary's replication state as it last said it: its WAL position and each standby's sync state. */
    record Replication(String primaryLsn, Map<String, Region.SyncState> syncStates) {}

    /** What the standby last said of the WAL it receives: written and flushed positions. */
    record Received(String written, String flushed) {}

    /**
     * The latest look at the servers, as status shows it: each node's health, and the standbys'
     * sync states as the primary said them, with when: never a dead or hung node shown as healthy.
     */
    record Health(Map<String, Region.Health> nodes, Map<String, Region.SyncState> syncStates, Instant syncStatesAt) {
        static final Health NONE = new Health(Map.of(), Map.of(), Instant.EPOCH);
    }

    private final ControlPlane plane;
    private final Changes changes;
    private final String password;
    private volatile Health health = Health.NONE;

    private Prober<Void> commits;
    private Prober<Received> standbyProbe;
    private Prober<Replication> replication;
    private Verdict.Memory memory = Verdict.Memory.NONE;
    private Instant primaryFrozenSince;
    private String frozenAz;
    // A server is judged only from when it took its part: silence from before (while it was
    // restarted, or rebuilt) is not held against it.
    private Instant primaryWatchedSince;
    private Instant standbyWatchedSince;
    private String watchedPrimary;
    /** When the primary's own WAL position, and the WAL the standby received, were last seen to move. */
    private Instant primaryWalMovedAt;
    private Instant standbyWalMovedAt;
    private Replication lastReplication;
    private Received lastReceived;

    Monitor(ControlPlane plane, Changes changes, String password) {
        this.plane = plane;
        this.changes = changes;
        this.password = password;
    }

    Health health() {
        return health;
    }

    void start() {
        Thread t = new Thread(this::run, "monitor");
        t.setDaemon(true);
        t.start();
    }

    private void run() {
        while (!plane.shuttingDown()) {
            Wait.pause(EVERY);
            Topology t = plane.topology();
            if (t.phase() == Topology.Phase.STARTING || t.phase() == Topology.Phase.STOPPING) continue;
            look(t);
        }
        for (Prober<?> p : new Prober<?>[] {commits, standbyProbe, replication}) if (p != null) p.close();
    }

    private void look(Topology t) {
        PgNode primary = plane.node(t.primaryAz());
        PgNode standby = plane.node(plane.otherThan(t.primaryAz()));
        followTopology(primary, standby);
        Instant now = Instant.now();
        noticeWal(now);
        boolean watched = t.phase() == Topology.Phase.READY || t.phase() == Topology.Phase.BUILDING_STANDBY
                || t.phase() == Topology.Phase.REJOINING_STANDBY;
        if (!watched || !primary.az.equals(watchedPrimary)) primaryWatchedSince = null;
        if (watched && primaryWatchedSince == null) {
            primaryWatchedSince = now;
            watchedPrimary = primary.az;
        }
        if (t.role(standby.az) != Topology.Role.STANDBY) standbyWatchedSince = null;
        else if (standbyWatchedSince == null) standbyWatchedSince = now;
        PgNode.ProcessState primaryProcess = primary.processState();
        boolean primaryRunning = primaryProcess != PgNode.ProcessState.GONE;
        boolean frozen = primaryProcess == PgNode.ProcessState.FROZEN;
        if (!frozen || !primary.az.equals(frozenAz)) primaryFrozenSince = null;
        if (frozen && primaryFrozenSince == null) {
            primaryFrozenSince = now;
            frozenAz = primary.az;
        }
        boolean standbyRunning = standby.processState() == PgNode.ProcessState.RUNNING;
        Verdict.Observation o = new Verdict.Observation(now, primaryRunning, primaryFrozenSince, latest(commits.unansweredSince(), primaryWatchedSince),
                standbyRunning, standbyProbe.lastAnswer(), latest(standbyProbe.unansweredSince(), standbyWatchedSince), replication.lastAnswer(),
                primaryWalMovedAt, standbyWalMovedAt, standbyBehind());
        publishHealth(o, primary.az, standby.az, t);
        Verdict.Action verdict = Verdict.of(o, new Verdict.Situation(t.phase(), t.role(standby.az), t.synchronous()));
        Verdict.Gated g = Verdict.gate(verdict, now, t.phase(), plane.pending(), changes.nothingToAbandon(), memory);
        memory = g.memory();
        if (g.abandonRebuild()) {
            plane.log("primary " + primary.az + " lost during the rebuild of the standby: abandoning the rebuild");
            changes.abandonRebuild();
        }
        if (g.action() != Verdict.Action.NONE) act(g.action(), o, primary.az, t.phase(), g.abandonRebuild());
    }

    /** The probers follow the topology: a new primary or standby gets its own. */
    private void followTopology(PgNode primary, PgNode standby) {
        if (commits == null || !commits.az().equals(primary.az)) {
            if (commits != null) commits.close();
            commits = new Prober<>(primary, password, List.of(
                    "CREATE TABLE IF NOT EXISTS db007_health (id int PRIMARY KEY, at timestamptz NOT NULL)",
                    "INSERT INTO db007_health VALUES (1, clock_timestamp()) ON CONFLICT (id) DO NOTHING"),
                    "UPDATE db007_health SET at = clock_timestamp() WHERE id = 1", null, "commit-probe");
        }
        if (standbyProbe == null || !standbyProbe.az().equals(standby.az)) {
            if (standbyProbe != null) standbyProbe.close();
            lastReceived = null;
            standbyWalMovedAt = null;
            standbyProbe = new Prober<>(standby, password, List.of(), "SELECT written_lsn::text, flushed_lsn::text FROM pg_stat_wal_receiver",
                    r -> r.next() ? new Received(r.getString(1), r.getString(2)) : null, "standby-probe");
        }
        if (replication == null || !replication.az().equals(primary.az)) {
            if (replication != null) replication.close();
            lastReplication = null;
            primaryWalMovedAt = null;
            replication = new Prober<>(primary, password, List.of(),
                    "SELECT pg_current_wal_lsn()::text, application_name, sync_state FROM (SELECT 1) one LEFT JOIN pg_stat_replication ON true", r -> {
                        Map<String, Region.SyncState> m = new HashMap<>();
                        String lsn = null;
                        while (r.next()) {
                            lsn = r.getString(1);
                            if (r.getString(2) != null) m.put(r.getString(2), syncState(r.getString(3)));
                        }
                        return new Replication(lsn, Map.copyOf(m));
                    }, "replication-probe");
        }
    }

    private static Region.SyncState syncState(String word) {
        for (Region.SyncState s : Region.SyncState.values()) if (s.name().equalsIgnoreCase(word)) return s;
        return Region.SyncState.ASYNC;
    }

    /**
     * WAL still reaching the standby (or written there and being flushed), and the primary's own
     * position moving: each side's sign of work, and of replication flowing between them.
     */
    private void noticeWal(Instant now) {
        Received r = standbyProbe.latest();
        if (r != null) {
            boolean flushing = r.written() != null && !r.written().equals(r.flushed());
            if (flushing || (lastReceived != null && !r.equals(lastReceived))) standbyWalMovedAt = now;
            lastReceived = r;
        }
        Replication p = replication.latest();
        if (p != null && p.primaryLsn() != null) {
            if (lastReplication != null && lastReplication.primaryLsn() != null && !p.primaryLsn().equals(lastReplication.primaryLsn())) primaryWalMovedAt = now;
            lastReplication = p;
        }
    }

    /** The standby has received less WAL than the primary has written, as each last said. */
    private boolean standbyBehind() {
        Received r = lastReceived;
        Replication p = lastReplication;
        if (r == null || r.written() == null || p == null || p.primaryLsn() == null) return false;
        return lsn(r.written()) < lsn(p.primaryLsn());
    }

    /** A WAL position as PostgreSQL writes it, "16/B374D848", as one number. */
    static long lsn(String text) {
        int slash = text.indexOf('/');
        return (Long.parseLong(text.substring(0, slash), 16) << 32) + Long.parseLong(text.substring(slash + 1), 16);
    }

    /** Why the standby is dropped, in the event's words. */
    private static String standbyLoss(Verdict.Observation o) {
        if (!o.standbyRunning()) return "process gone or stopped";
        if (o.standbySilent()) return "no answer for " + Verdict.STANDBY_BOUND.toMillis() + " ms";
        if (o.standbyBehind() && !o.standbyReceives()) return "it receives no WAL from the primary: replication between them is cut";
        return "it cannot keep up: commits waited " + o.stuck().toMillis() + " ms for it";
    }

    /** The later of two times, or null when the first is: how long something waited, counted from when it is watched. */
    private static Instant latest(Instant waitingSince, Instant watchedSince) {
        if (waitingSince == null) return null;
        return watchedSince != null && watchedSince.isAfter(waitingSince) ? watchedSince : waitingSince;
    }

    private void publishHealth(Verdict.Observation o, String primaryAz, String standbyAz, Topology t) {
        Map<String, Region.Health> h = new HashMap<>();
        h.put(primaryAz, !o.primaryRunning() ? Region.Health.DOWN : o.primaryFrozenSince() != null ? Region.Health.FROZEN
                : o.stuck().compareTo(Verdict.COMMIT_BOUND) >= 0 ? Region.Health.HUNG : Region.Health.OK);
        boolean standbyExpected = t.role(standbyAz) == Topology.Role.STANDBY;
        h.put(standbyAz, !o.standbyRunning() ? Region.Health.DOWN : standbyExpected && o.standbySilent() ? Region.Health.SILENT : Region.Health.OK);
        Replication r = replication.latest();
        Instant answered = replication.lastAnswer();
        health = new Health(Map.copyOf(h), r == null ? Map.of() : r.syncStates(), answered == null ? Instant.EPOCH : answered);
    }

    /** Hands a decided change to the topology thread, saying why in the log and the events. */
    private void act(Verdict.Action action, Verdict.Observation o, String primaryAz, Topology.Phase phase, boolean behindAbandoned) {
        if (phase == Topology.Phase.FAILED) {
            if (plane.submit(action, changes::converge, behindAbandoned)) plane.log("trying again after: " + plane.failure());
            return;
        }
        String why = !o.primaryRunning() ? "process gone" : o.primaryFrozenSince() != null ? "stopped (SIGSTOP)"
                : "a commit waited " + o.stuck().toMillis() + " ms";
        switch (action) {
            case FAIL_OVER -> {
                if (plane.submit(action, () -> changes.failover(false), behindAbandoned)) {
                    plane.log("primary " + primaryAz + " lost: " + why);
                    plane.event(Region.EventType.PRIMARY_LOST, primaryAz, "The primary in " + primaryAz + " is lost (" + why + ").");
                }
            }
            case RESTART_PRIMARY -> {
                if (plane.submit(action, changes::converge, behindAbandoned)) {
                    plane.log("primary " + primaryAz + " lost: " + why + "; no synchronous standby can take over: restarting it");
                    plane.event(Region.EventType.PRIMARY_LOST, primaryAz, "The primary in " + primaryAz + " is lost (" + why
                            + ") and no synchronous standby can take over: it is restarted from its data.");
                }
            }
            case DROP_STANDBY -> plane.submit(action, () -> changes.dropStandby(standbyLoss(o)), behindAbandoned);
            default -> { }
        }
    }
}
