package mission;

//SOURCES ../common/Database.java Agent.java Journal.java

import common.Database;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * An ordinary application's writer, beside the agent in the same run: it writes a row every
 * 50 ms with the settings a typical connection pool leaves in place. The socket has no timeout
 * (the driver's default), TCP keepalive is off, a connection idle for half a second is checked
 * (Connection.isValid) when taken again and nothing else is, and a failed write is not tried
 * again: the application gets its error and goes on with the next one. Its journal has the
 * agent's format (ordinary.csv), so its outage is measured the same way.
 *
 * The lesson it shows: when a failover resets the old primary's connections, it recovers almost
 * as fast as the agent; when the old primary's AZ is cut off, its connection hangs in silence,
 * and it waits until the network heals or the kernel gives up, minutes later, while the agent,
 * with a one-second network timeout, has long moved on.
 */
public final class OrdinaryClient {
    public static final String FILE = "ordinary.csv";
    private static final Duration PACE = Duration.ofMillis(50);
    /** HikariCP's own: a connection idle this long is checked when taken from the pool. */
    private static final Duration IDLE_CHECK = Duration.ofMillis(500);

    private final Database.Login login;
    private final Path journalFile;
    private final String runId;
    private final boolean resumed;
    private final Thread thread;
    private volatile boolean stopping;
    private volatile Connection connection;

    private OrdinaryClient(Database.Login login, Path journalFile, String runId, boolean resumed) {
        this.resumed = resumed && java.nio.file.Files.exists(journalFile);
        this.login = login;
        this.journalFile = journalFile;
        this.runId = runId;
        this.thread = new Thread(this::run, "ordinary-client");
        this.thread.setDaemon(true);
    }

    /** Writing from now on, into its own journal, until stopped; resumed, it goes on with the journal a cut-off run left. */
    public static OrdinaryClient start(Database.Login login, Path journalFile, String runId, boolean resumed) {
        OrdinaryClient c = new OrdinaryClient(login, journalFile, runId, resumed);
        c.thread.start();
        return c;
    }

    /** Stops writing. A write hung on a dead connection is abandoned: that is the lesson, not something to wait for. */
    public void stop() throws InterruptedException {
        stopping = true;
        Connection c = connection;
        if (c != null) {
            try {
                Executor now = Runnable::run;
                c.abort(now);
            } catch (SQLException ignored) {
                // Being thrown away.
            }
        }
        thread.join(5000);
    }

    private void run() {
        long firstSeq = 1;
        long conn = 0;
        if (resumed) {
            // As the agent resumes: the seq after the last one is skipped, and a new connection starts.
            List<Journal.Entry> before = Journal.read(journalFile);
            firstSeq = before.stream().mapToLong(Journal.Entry::seq).max().orElse(0) + 2;
            conn = before.stream().mapToLong(Journal.Entry::conn).max().orElse(0);
        }
        try (Journal journal = resumed ? Journal.resume(journalFile) : Journal.create(journalFile)) {
            PreparedStatement insert = null;
            Instant lastUsed = Instant.EPOCH;
            for (long seq = firstSeq; !stopping; seq++) {
                Instant sentAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
                String payload = "ordinary " + runId + " #" + seq;
                String checksum = Journal.checksum(runId, seq, sentAt, payload);
                boolean sent = false;
                try {
                    if (connection != null && Duration.between(lastUsed, Instant.now()).compareTo(IDLE_CHECK) > 0 && !connection.isValid(5)) {
                        close();
                    }
                    if (connection == null) {
                        conn++;
                        // The driver's defaults a pool leaves: a connect timeout of 10 s, no socket timeout at all.
                        connection = Database.connect(login, 10, 0, "db007-ordinary-client", false);
                        try (Statement s = connection.createStatement()) {
                            s.execute("CREATE TABLE IF NOT EXISTS db007_ordinary (run_id text NOT NULL, seq bigint NOT NULL, sent_at timestamptz NOT NULL,"
                                    + " payload text NOT NULL, PRIMARY KEY (run_id, seq))");
                        }
                        insert = connection.prepareStatement("INSERT INTO db007_ordinary (run_id, seq, sent_at, payload) VALUES (?, ?, ?, ?)");
                    }
                    insert.setString(1, runId);
                    insert.setLong(2, seq);
                    insert.setTimestamp(3, Timestamp.from(sentAt));
                    insert.setString(4, payload);
                    sent = true;
                    insert.executeUpdate();
                    Instant done = Instant.now();
                    journal.append(new Journal.Entry(seq, sentAt, done, Journal.Outcome.ack, conn, null, null,
                            Duration.between(sentAt, done).toNanos() / 1000, checksum, null));
                } catch (SQLException e) {
                    if (stopping) break;
                    Instant done = Instant.now();
                    journal.append(new Journal.Entry(seq, sentAt, done, Agent.classify(e, sent), conn, null, null,
                            Duration.between(sentAt, done).toNanos() / 1000, checksum, "no retry: " + e.getSQLState()));
                    // A pool evicts a connection that broke; this write is lost to the application, which goes on.
                    close();
                }
                lastUsed = Instant.now();
                common.Wait.pause(PACE);
            }
        } catch (IOException e) {
            // The evidence folder went away: nothing more to journal.
        } finally {
            close();
        }
    }

    private void close() {
        Connection c = connection;
        connection = null;
        if (c == null) return;
        try {
            c.close();
        } catch (SQLException ignored) {
            // Already broken.
        }
    }
}
