package region;

//SOURCES ../common/FileTree.java ../common/Wait.java Archive.java ControlPlane.java PgNode.java Region.java Topology.java

import common.FileTree;
import common.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the topology thread does, one change at a time: bring the region to its shape (create,
 * restart, repair), fail over, rebuild or rejoin a standby, drop a lost one, reboot. Every
 * method here runs on that one thread; it alone publishes the topology.
 *
 * The order of a failover matters for RPO = 0: the old primary is silenced and fenced before the
 * standby is promoted, so no write is ever acknowledged by two primaries.
 */
final class Changes {
    /**
     * RDS's own words for the unprotected window, from its event catalogue (RDS-EVENT-0052 and
     * RDS-EVENT-0053): a client of the RDS API reads the window from them, on RDS as here.
     */
    static final String RECOVERY_STARTED = "Multi-AZ instance recovery started.";
    static final String RECOVERY_COMPLETED = "Multi-AZ instance recovery completed.";

    /** A standby restarted from its data must stream again this soon; otherwise it is rebuilt from a base backup. */
    private static final Duration REJOIN_WITHIN = Duration.ofSeconds(5);

    private final ControlPlane plane;
    private final String password;
    private final Archive archive;
    /**
     * The monitor's count of rebuilds it asked to abandon (written by the monitor thread only); the
     * count the topology thread saw when its rebuild began, and whether that rebuild still runs
     * (both written by the topology thread only). A rebuild gives up as soon as the two counts
     * differ, or the region shuts down.
     */
    private volatile int abandonRequests;
    private volatile int abandonSeen;
    private volatile boolean rebuilding;

    /** Thrown inside a rebuild that the monitor asked to give up. */
    static final class Abandoned extends RuntimeException {
        Abandoned() {
            super("abandoned", null, false, false);
        }
    }

    Changes(ControlPlane plane, String password, Archive archive) {
        this.plane = plane;
        this.password = password;
        this.archive = archive;
    }

    /** Asked by the monitor: the primary a rebuild copies from is lost. */
    void abandonRebuild() {
        abandonRequests++;
    }

    /** Whether an abandon was asked and the rebuild under way has not yet seen it. */
    boolean abandoning() {
        return abandonRequests != abandonSeen;
    }

    /**
     * Whether the monitor has no rebuild to cut short: none runs, or it was asked already. The
     * phase alone cannot tell: a rebuild cut short leaves it "building" until the change that
     * cures its cause has restarted the primary, and that change must not be cut short in turn.
     */
    boolean nothingToAbandon() {
        return !rebuilding || abandoning();
    }

    private void rebuildBegins() {
        abandonSeen = abandonRequests;
        rebuilding = true;
    }

    /** Told by the topology thread when a change ends, however it ends. */
    void changeEnded() {
        rebuilding = false;
    }

    /** Only a rebuild is abandoned: a request left from one cut short must not stop the change that cures its cause. */
    private void abandonIfAsked() {
        if ((rebuilding && abandonRequests != abandonSeen) || plane.shuttingDown()) throw new Abandoned();
    }

    // ---- bringing the region to its intended shape -------------------------------------------

    /** Up, repair, restart after a reboot or after losing the primary: whatever is missing is started or rebuilt. */
    void converge() throws Exception {
        String primaryAz = plane.topology().primaryAz();
        PgNode primary = plane.node(primaryAz);
        PgNode other = plane.node(plane.otherThan(primaryAz));
        if (!primary.hasData() && other.hasData()) {
            // The primary's data is gone while the control plane was away: the standby carries on.
            PgNode t = primary;
            primary = other;
            other = t;
        }
        boolean wasUp = primary.running() && !primary.frozen() && answersWithin(primary);
        // The archive must be there before a server archives into it.
        archive.prepare();
        boolean standbyCopied = false;
        if (!primary.hasData()) {
            standbyCopied = create(primary, other);
        } else if (!wasUp) {
            plane.publish(plane.topology().withPrimary(primary.az).in(Topology.Phase.RESTARTING_PRIMARY).status(Region.InstanceStatus.REBOOTING));
            // Whatever is left of it (a frozen postmaster, orphaned backends) goes first: it restarts from its data.
            primary.kill();
            primary.configure(null, null, password);
            primary.start();
            plane.event(Region.EventType.NODE_STARTED, primary.az, "Primary restarted in " + primary.az + ".");
        }
        plane.setPrimary(primary.az);
        // "backing-up" until ensureBaseBackup has taken a first backup; published once commits wait for no standby (below).
        Topology t = plane.topology().withPrimary(primary.az).commitsWait(false).with(primary.az, Topology.Role.PRIMARY)
                .status(archive.bases(true).isEmpty() ? Region.InstanceStatus.BACKING_UP : Region.InstanceStatus.AVAILABLE);
        plane.endpoint().routeTo(primary.port);
        if (wasUp && other.running() && !other.frozen() && answersWithin(other) && replicationIs(primary, other, "sync_state", "sync", Duration.ZERO)) {
            // A region found whole (a control plane restarted beside running servers) is adopted as it is.
            plane.publish(t.with(other.az, Topology.Role.STANDBY).protectedAgain().in(Topology.Phase.READY));
            ensureBaseBackup(primary);
            return;
        }
        // Commits must not wait for a standby that does not stream yet; made synchronous once it does.
        setSynchronousStandby(primary, null);
        if (t.protectedWrites()) {
            t = t.unprotected(wasUp ? Topology.Exposure.STARTING : Topology.Exposure.PRIMARY_RESTARTED);
            plane.event(Region.EventType.UNPROTECTED, primary.az, "Writes are not protected by a synchronous standby (" + t.exposure().key() + ").");
        }
        plane.publish(t);
        // Only here does this change rebuild: until then, a loss the monitor saw is this change's own
        // cause, and the phase it reads may still be the rebuild this change follows, which it must not cut short again.
        rebuildBegins();
        if (standbyCopied) buildStandby(primary, other, true);
        else bringBackStandby(primary, other);
        ensureBaseBackup(primary);
    }

    /** A new region's primary, started; returns whether the other AZ got a copy of it to start as the standby (PgNode.copyUnstarted). */
    private boolean create(PgNode primary, PgNode other) throws IOException {
        plane.publish(plane.topology().withPrimary(primary.az).in(Topology.Phase.CREATING_PRIMARY));
        Files.createDirectories(primary.dataDir.getParent());
        FileTree.delete(primary.dataDir);
        Instant t = Instant.now();
        primary.initdb(password);
        long initdb = Duration.between(t, Instant.now()).toMillis();
        boolean copied = !other.hasData();
        if (copied) {
            other.kill();
            other.copyUnstarted(primary);
        }
        long copy = Duration.between(t, Instant.now()).toMillis() - initdb;
        primary.configure(null, null, password);
        primary.start();
        plane.log("primary " + primary.az + ": initdb " + initdb + " ms, copied for the standby in " + copy + " ms, start "
                + (Duration.between(t, Instant.now()).toMillis() - initdb - copy) + " ms");
        plane.event(Region.EventType.PRIMARY_CREATED, primary.az, "DB instance created; primary in " + primary.az + ".");
        return copied;
    }

    /** The archive's first base backup, once the region is whole: from then on it can restore to any point in time. */
    private void ensureBaseBackup(PgNode primary) {
        try {
            if (!archive.bases(true).isEmpty()) return;
            // As RDS after a creation: "backing-up" until the first backup is there, so nobody
            // reboots the instance under it and lab up returns with a restorable window.
            if (plane.topology().instanceStatus() != Region.InstanceStatus.BACKING_UP) plane.publish(plane.topology().status(Region.InstanceStatus.BACKING_UP));
            Instant t = Instant.now();
            Archive.Base base = archive.takeBase(primary, password);
            plane.log("base backup " + base.dir() + " in the archive in " + Duration.between(t, Instant.now()).toMillis() + " ms, from segment " + base.startSegment());
        } catch (IOException | SQLException e) {
            // The region works without it; only point-in-time restores wait for the next lab up.
            plane.log("no base backup in the archive: " + e.getMessage());
        } finally {
            if (plane.topology().instanceStatus() == Region.InstanceStatus.BACKING_UP) plane.publish(plane.topology().status(Region.InstanceStatus.AVAILABLE));
        }
    }

    /**
     * The standby in the other AZ, in sync again: restarted from its own data when it still
     * streams from there (a few hundred milliseconds), else rebuilt from a base backup.
     */
    private void bringBackStandby(PgNode primary, PgNode standby) throws Exception {
        if (standby.hasData()) {
            plane.publish(plane.topology().with(standby.az, Topology.Role.BUILDING).in(Topology.Phase.REJOINING_STANDBY));
            Instant t = Instant.now();
            try {
                if (!standby.running() || standby.frozen()) {
                    standby.kill();
                    standby.configure(null, primary, password);
                    ensureSlot(primary, standby);
                    standby.start(this::abandoning);
                }
                if (replicationIs(primary, standby, "state", "streaming", REJOIN_WITHIN)) {
                    plane.event(Region.EventType.STANDBY_RESTARTED, standby.az, "The standby in " + standby.az + " streams again from the primary in "
                            + primary.az + " (" + Duration.between(t, Instant.now()).toMillis() + " ms).");
                    makeSynchronous(primary, standby);
                    return;
                }
                plane.log("standby " + standby.az + " does not stream after " + REJOIN_WITHIN.toMillis() + " ms: rebuilding it");
            } catch (IOException | SQLException e) {
                abandonIfAsked();
                plane.log("standby " + standby.az + " did not restart, rebuilding it: " + e.getMessage());
            }
        }
        buildStandby(primary, standby, false);
    }

    /** A fresh standby in the given AZ, cloned from the primary (or copied before its first start), then made synchronous. */
    private void buildStandby(PgNode primary, PgNode standby, boolean copiedUnstarted) throws Exception {
        abandonIfAsked();
        plane.publish(plane.topology().with(standby.az, Topology.Role.BUILDING).in(Topology.Phase.BUILDING_STANDBY));
        plane.event(Region.EventType.STANDBY_REBUILD_STARTED, standby.az, "Building a new standby in " + standby.az + " from the primary in " + primary.az + ".");
        Instant t = Instant.now();
        try {
            if (copiedUnstarted) {
                ensureSlot(primary, standby);
            } else {
                standby.kill();
                standby.cloneFrom(primary, password, this::abandoning);
            }
        } catch (IOException | SQLException e) {
            abandonIfAsked();
            throw e;
        }
        abandonIfAsked();
        long cloned = Duration.between(t, Instant.now()).toMillis();
        standby.configure(null, primary, password);
        try {
            standby.start(this::abandoning);
        } catch (IOException e) {
            abandonIfAsked();
            throw e;
        }
        long started = Duration.between(t, Instant.now()).toMillis();
        if (!replicationIs(primary, standby, "state", "streaming", Duration.ofSeconds(30))) {
            abandonIfAsked();
            throw new IOException("the new standby in " + standby.az + " does not stream from " + primary.az + "; see " + standby.logFile);
        }
        long streaming = Duration.between(t, Instant.now()).toMillis();
        makeSynchronous(primary, standby);
        plane.log("standby " + standby.az + ": " + (copiedUnstarted ? "slot" : "base backup") + " " + cloned + " ms, started at " + started + " ms, streaming at " + streaming
                + " ms, in sync at " + Duration.between(t, Instant.now()).toMillis() + " ms");
    }

    private void makeSynchronous(PgNode primary, PgNode standby) throws Exception {
        setSynchronousStandby(primary, standby.az);
        // From here commits wait for this standby: lost or frozen now, it must not hold them until a timeout.
        if (!replicationIs(primary, standby, "sync_state", "sync", Duration.ofSeconds(30))) {
            abandonIfAsked();
            setSynchronousStandby(primary, null);
            throw new IOException("the standby in " + standby.az + (standby.running() && !standby.frozen() ? " streams but is not synchronous" : " stopped or froze"));
        }
        plane.event(Region.EventType.STANDBY_IN_SYNC, standby.az, "The standby in " + standby.az + " is in sync with the primary in " + primary.az + ".");
        Topology t = plane.topology();
        if (!t.protectedWrites()) {
            long ms = Duration.between(t.unprotectedSince(), Instant.now()).toMillis();
            plane.event(Region.EventType.PROTECTED, standby.az, "Writes are protected again: the standby in " + standby.az + " is synchronous ("
                    + ms + " ms without protection).");
            plane.event(Region.EventType.MULTI_AZ_RECOVERY_COMPLETED, standby.az, RECOVERY_COMPLETED);
        }
        plane.publish(plane.topology().with(standby.az, Topology.Role.STANDBY).protectedAgain().in(Topology.Phase.READY));
    }

    /** The standby commits wait for, or none; a reload releases the commits that waited for a standby now dropped. */
    private void setSynchronousStandby(PgNode primary, String az) throws SQLException {
        // The monitor learns that commits may wait before they do, and that they no longer wait after.
        if (az != null) plane.publish(plane.topology().commitsWait(true));
        try (Connection c = primary.connect(password, 10); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET synchronous_standby_names = '" + (az == null ? "" : az) + "'");
            s.execute("SELECT pg_reload_conf()");
        }
        if (az == null) plane.publish(plane.topology().commitsWait(false));
    }

    private void ensureSlot(PgNode primary, PgNode standby) throws SQLException {
        try (Connection c = primary.connect(password, 10); Statement s = c.createStatement()) {
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
    void dropStandby(String why) throws Exception {
        rebuildBegins();
        Topology t = plane.topology();
        String az = plane.otherThan(t.primaryAz());
        PgNode primary = plane.node(t.primaryAz());
        PgNode standby = plane.node(az);
        plane.event(Region.EventType.STANDBY_LOST, az, "The standby in " + az + " is lost (" + why + ").");
        setSynchronousStandby(primary, null);
        Topology.Exposure exposure = standby.running() ? Topology.Exposure.STANDBY_HUNG : Topology.Exposure.STANDBY_LOST;
        plane.publish(plane.topology().unprotected(exposure).with(az, Topology.Role.DOWN));
        plane.event(Region.EventType.UNPROTECTED, t.primaryAz(), "Writes no longer wait for the standby in " + az
                + ": until a standby is in sync again, an acknowledged write exists in one AZ only.");
        plane.event(Region.EventType.MULTI_AZ_RECOVERY_STARTED, az, RECOVERY_STARTED);
        standby.kill();
        bringBackStandby(primary, standby);
    }

    void failover(boolean planned) throws Exception {
        rebuildBegins();
        Topology t = plane.topology();
        String oldAz = t.primaryAz();
        String newAz = plane.otherThan(oldAz);
        PgNode old = plane.node(oldAz);
        PgNode next = plane.node(newAz);
        if (planned) {
            plane.publish(t.status(Region.InstanceStatus.REBOOTING));
            // A checkpoint while the clients still write: the shutdown checkpoint, during the outage, then has little left to write.
            try (Connection c = old.connect(password, 10); Statement s = c.createStatement()) {
                s.execute("CHECKPOINT");
            } catch (SQLException e) {
                plane.log("checkpoint before the planned failover failed: " + e.getMessage());
            }
        }
        Instant started = Instant.now();
        plane.publish(t.in(Topology.Phase.FAILING_OVER).status(Region.InstanceStatus.REBOOTING).unprotected(Topology.Exposure.FAILOVER));
        plane.event(Region.EventType.FAILOVER_STARTED, oldAz, planned ? "Multi-AZ instance failover started."
                : "The primary in " + oldAz + " was lost. Multi-AZ instance failover started.");
        plane.event(Region.EventType.UNPROTECTED, oldAz, "Writes are not protected by a synchronous standby until a new one is in sync.");
        plane.event(Region.EventType.MULTI_AZ_RECOVERY_STARTED, oldAz, RECOVERY_STARTED);
        plane.endpoint().routeTo(-1);
        plane.endpoint().cutAll();
        boolean clean = false;
        if (planned) {
            try {
                old.stopFast(Duration.ofSeconds(3));
                clean = true;
            } catch (IOException e) {
                plane.log("fast stop of " + oldAz + " failed, killing it: " + e.getMessage());
            }
        }
        long stoppedMs = Duration.between(started, Instant.now()).toMillis();
        old.kill();
        Path fenced = old.fence();
        long isolated = Duration.between(started, Instant.now()).toMillis();
        plane.publish(plane.topology().with(oldAz, Topology.Role.FENCED));
        next.promote(password, Duration.ofSeconds(30));
        plane.setPrimary(newAz);
        plane.publish(plane.topology().withPrimary(newAz).with(newAz, Topology.Role.PRIMARY).status(Region.InstanceStatus.AVAILABLE));
        plane.endpoint().routeTo(next.port);
        long ms = Duration.between(started, Instant.now()).toMillis();
        plane.log("failover timings: old primary stopped at " + stoppedMs + " ms, fenced at " + isolated + " ms, standby promoted at " + ms + " ms");
        plane.event(Region.EventType.STANDBY_PROMOTED, newAz, "The standby in " + newAz + " was promoted to primary.");
        plane.event(Region.EventType.FAILOVER_COMPLETED, newAz, "Multi-AZ instance failover completed (" + ms + " ms).");
        if (clean && fenced != null && rejoin(next, old, fenced)) {
            return;
        }
        buildStandby(next, old, false);
        // Deleted only now: the new standby's base backup matters more than disk space.
        if (fenced != null) FileTree.delete(fenced);
    }

    /**
     * After a planned failover the old primary stopped cleanly, and everything it wrote reached
     * the standby before the promotion: it can follow the new primary as it is, far sooner than a
     * base backup is copied. It is unfenced only as a standby, never as a primary.
     */
    private boolean rejoin(PgNode primary, PgNode old, Path fenced) throws Exception {
        plane.publish(plane.topology().with(old.az, Topology.Role.BUILDING).in(Topology.Phase.REJOINING_STANDBY));
        Instant t = Instant.now();
        try {
            Files.move(fenced, old.dataDir);
            old.configure(null, primary, password);
            ensureSlot(primary, old);
            old.start();
            if (replicationIs(primary, old, "state", "streaming", REJOIN_WITHIN)) {
                plane.event(Region.EventType.STANDBY_REJOINED, old.az, "The old primary in " + old.az + " follows the new primary in " + primary.az
                        + " as its standby (" + Duration.between(t, Instant.now()).toMillis() + " ms).");
                makeSynchronous(primary, old);
                return true;
            }
            plane.log("old primary " + old.az + " does not stream after " + REJOIN_WITHIN.toMillis() + " ms: rebuilding it from a base backup");
        } catch (IOException | SQLException e) {
            abandonIfAsked();
            plane.log("old primary " + old.az + " could not rejoin, rebuilding it: " + e.getMessage());
        }
        old.kill();
        return false;
    }

    /** RebootDBInstance without failover: the primary stops and starts where it is. */
    void restartPrimary() throws Exception {
        Topology t = plane.topology();
        String az = t.primaryAz();
        PgNode primary = plane.node(az);
        plane.publish(t.in(Topology.Phase.REBOOTING).status(Region.InstanceStatus.REBOOTING));
        plane.event(Region.EventType.REBOOT_STARTED, az, "DB instance shutdown.");
        plane.endpoint().routeTo(-1);
        plane.endpoint().cutAll();
        primary.stopFast(Duration.ofSeconds(10));
        primary.start();
        plane.endpoint().routeTo(primary.port);
        plane.event(Region.EventType.REBOOT_COMPLETED, az, "DB instance restarted.");
        plane.publish(plane.topology().in(Topology.Phase.READY).status(Region.InstanceStatus.AVAILABLE));
    }

    /** The region's end: the endpoint closed, both servers stopped (fast, or killed), the state saying no control plane runs. */
    void shutdown() {
        plane.publish(plane.topology().in(Topology.Phase.STOPPING).status(Region.InstanceStatus.STOPPING));
        try {
            plane.network().close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        for (PgNode n : plane.nodes()) {
            try {
                if (n.running() && !n.frozen()) n.stopFast(Duration.ofSeconds(10));
            } catch (IOException e) {
                plane.log("fast stop of " + n.az + " failed: " + e.getMessage());
            }
            n.kill();
        }
    }

    // ---- asking the servers ------------------------------------------------------------------

    /**
     * Whether the primary is dying or dead: a change that failed on its connection may have seen
     * the first of its processes go while the others still run. A quarter of a second tells.
     */
    boolean primaryDying() {
        PgNode primary = plane.node(plane.topology().primaryAz());
        if (Wait.within(Duration.ofMillis(250), Duration.ofMillis(10), () -> !primary.running() || primary.frozen())) return true;
        return !answers(primary);
    }

    /**
     * Whether a running server answers, given a few seconds: a server found running when the
     * control plane starts again is adopted, and one slow answer on a busy machine must not get a
     * healthy primary restarted under its clients.
     */
    private boolean answersWithin(PgNode node) {
        try {
            // A server that stops running meanwhile is a no at once.
            return Wait.until(node.az + " to answer", Duration.ofSeconds(5), Duration.ofMillis(100),
                    () -> !node.running() ? Optional.of(false) : answers(node) ? Optional.of(true) : null).get();
        } catch (Wait.TimedOut e) {
            return false;
        }
    }

    /** Whether a server takes a connection and answers, within a second. */
    boolean answers(PgNode node) {
        try (Connection c = node.connect(password, 1); Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Whether the primary says this of the standby within the timeout, every look on one connection. A standby that
     * stops or freezes meanwhile is a no at once: commits may be waiting for it. An abandoned rebuild stops at once.
     */
    private boolean replicationIs(PgNode primary, PgNode standby, String column, String wanted, Duration timeout) {
        try (KeptConnection c = new KeptConnection(primary, password, 2)) {
            // An Optional, for Wait takes Boolean.FALSE for "not yet".
            return Wait.until(standby.az + "'s " + column + " to be " + wanted, timeout, Duration.ofMillis(20), () -> {
                abandonIfAsked();
                if (wanted.equals(replicationState(c, standby.az, column))) return Optional.of(true);
                return standby.processState() == PgNode.ProcessState.RUNNING ? null : Optional.of(false);
            }).get();
        } catch (Wait.TimedOut e) {
            return false;
        }
    }

    private static String replicationState(KeptConnection c, String az, String column) {
        try {
            return c.ask(s -> {
                try (ResultSet r = s.executeQuery("SELECT " + column + " FROM pg_stat_replication WHERE application_name = '" + az + "'")) {
                    return r.next() ? r.getString(1) : null;
                }
            });
        } catch (SQLException e) {
            return null;
        }
    }
}
