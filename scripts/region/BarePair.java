package region;

//SOURCES ../common/FileTree.java LocalRegion.java PgBinaries.java PgNode.java Region.java ServerAccount.java

import common.FileTree;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

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

    private BarePair(Path root, String password, PgNode primary, PgNode standby) {
        this.root = root;
        this.password = password;
        this.primary = primary;
        this.standby = standby;
    }

    /** A new pair in that folder, on the lab's binaries and account, the standby in sync before it returns. */
    public static BarePair create(Path root, Region.State lab, String password) throws IOException, SQLException {
        ServerAccount account = ServerAccount.choose(lab.runAs());
        PgBinaries bin = PgBinaries.probe(Path.of(lab.pgBin()));
        if (bin == null) throw new IOException("the lab's PostgreSQL programs in " + lab.pgBin() + " no longer run");
        FileTree.delete(root);
        Files.createDirectories(root);
        account.own(root);
        int[] ports = LocalRegion.freePorts(2);
        PgNode a = new PgNode("bare1", ports[0], root, bin, account);
        PgNode b = new PgNode("bare2", ports[1], root, bin, account);
        a.initdb(password);
        a.configure("bare2", null, password);
        a.start();
        try (Connection c = a.connect(password, 10); Statement s = c.createStatement()) {
            s.execute("SELECT pg_create_physical_replication_slot('bare2', true)");
        }
        b.cloneFrom(a, password, () -> false);
        b.configure(null, a, password);
        b.start();
        BarePair pair = new BarePair(root, password, a, b);
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

    @Override
    public void close() throws IOException {
        primary.kill();
        standby.kill();
        FileTree.delete(root);
    }
}
