package region;

//SOURCES ../common/FileTree.java ../common/Ports.java LocalRegion.java PgBinaries.java PgNode.java Region.java Relay.java ServerAccount.java Witness.java

import common.FileTree;
import common.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Two bare PostgreSQL servers, a primary and its synchronous standby, with no control plane and
 * no relay between them or in front of them: the floor against which bench measures the
 * region's own cost. Failed over by hand, as an operator would who already knew what to do: the
 * primary stopped fast (planned) or killed (crash), the standby promoted at once.
 */
public final class BarePair implements AutoCloseable {
    private final Path root;
    private final String password;
    private final PgNode primary;
    private final PgNode standby;
    /** Between the standby and the primary, when the pair measures a distance: a relay of that latency. */
    private final Relay link;

    private BarePair(Path root, String password, PgNode primary, PgNode standby, Relay link) {
        this.root = root;
        this.password = password;
        this.primary = primary;
        this.standby = standby;
        this.link = link;
    }

    /** A new pair in that folder, on the lab's binaries and account, the standby in sync before it returns. */
    public static BarePair create(Path root, Region.State lab, String password) throws IOException, SQLException {
        return create(root, lab, password, null);
    }

    /**
     * The same with the standby behind a link whose latency each way is what the reference holds
     * at each moment (null: no link at all, the standby straight to the primary).
     */
    static BarePair create(Path root, Region.State lab, String password, AtomicReference<Duration> latency) throws IOException, SQLException {
        ServerAccount account = ServerAccount.choose(lab.runAs());
        PgBinaries bin = PgBinaries.probe(Path.of(lab.pgBin()));
        if (bin == null) throw new IOException("the lab's PostgreSQL programs in " + lab.pgBin() + " no longer run");
        FileTree.delete(root);
        Files.createDirectories(root);
        account.own(root);
        int[] ports = Ports.free(2);
        PgNode a = new PgNode("bare1", ports[0], root, bin, account);
        PgNode b = new PgNode("bare2", ports[1], root, bin, account);
        a.initdb(password);
        a.configure("bare2", null, password);
        a.start();
        try (Connection c = a.connect(password, 10); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('bare2', true)");
        }
        b.cloneFrom(a, password, () -> false);
        Relay link = latency == null ? null
                : new Relay("bare-link", 0, () -> a.port, p -> "far", name -> new Relay.Fault(Region.LinkMode.UP, latency.get()));
        b.configure(null, link == null ? a : new PgNode("bare1", a.port, link.port(), a.port, root, bin, account), password);
        b.start();
        BarePair pair = new BarePair(root, password, a, b, link);
        common.Wait.until("the bare standby in sync", Duration.ofSeconds(30), Duration.ofMillis(20), pair::inSync);
        return pair;
    }

    private boolean inSync() {
        try (Connection c = primary.connect(password, 5); Statement s = c.createStatement();
             var r = s.executeQuery("SELECT sync_state FROM pg_stat_replication WHERE application_name = 'bare2'")) {
            return r.next() && "sync".equals(r.getString(1));
        } catch (SQLException e) {
            return false;
        }
    }

    public int primaryPort() {
        return primary.port;
    }

    public int standbyPort() {
        return standby.port;
    }

    /** A planned failover by hand: the primary stopped fast (its last WAL reaches the standby), the standby promoted. */
    public void failOverPlanned() throws IOException, SQLException {
        primary.stopFast(Duration.ofSeconds(10));
        standby.promote(password, Duration.ofSeconds(30));
    }

    /** A crash: the primary killed, the standby promoted by hand the moment after. */
    public void failOverCrash() throws SQLException {
        primary.kill();
        standby.promote(password, Duration.ofSeconds(30));
    }

    /** What one commit costs, with the synchronous standby near, then behind a link of that latency each way. */
    public record CommitCost(long latencyMs, double nearMedianMs, double farMedianMs, double nearPerSecond, double farPerSecond) {}

    /**
     * Measured, not said: one pair on this machine, written to by one client for that long with
     * its standby near, then as long again with the standby behind a link of that latency.
     */
    public static CommitCost commitCost(Path root, Region.State lab, String password, Duration latency, Duration each) throws Exception {
        AtomicReference<Duration> delay = new AtomicReference<>(Duration.ZERO);
        try (BarePair pair = create(root, lab, password, delay)) {
            double[] near = pair.commits(each);
            delay.set(latency);
            double[] far = pair.commits(each);
            return new CommitCost(latency.toMillis(), near[0], far[0], near[1], far[1]);
        }
    }

    /** The median commit in milliseconds, and commits per second, of one writer for that long. */
    private double[] commits(Duration each) throws Exception {
        Witness w = new Witness(primary.port, password, "commit_cost_" + System.nanoTime());
        try {
            Thread.sleep(200);
            Instant from = Instant.now();
            Thread.sleep(each.toMillis());
            Instant to = Instant.now();
            Long median = w.medianLatencyMicros(from, to);
            return new double[] {median == null ? 0 : Math.round(median / 100.0) / 10.0,
                    Math.round(w.acknowledgedBetween(from, to) * 10_000.0 / Duration.between(from, to).toMillis()) / 10.0};
        } finally {
            w.close();
        }
    }

    @Override
    public void close() throws IOException {
        if (link != null) link.close();
        primary.kill();
        standby.kill();
        FileTree.delete(root);
    }
}
