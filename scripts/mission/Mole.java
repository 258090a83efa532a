package mission;

//SOURCES ../common/Database.java ../common/Evidence.java Journal.java Proof.java

import common.Database;
import common.Evidence;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Mission step 10, the mole: a DELETE that Multi-AZ replicates faithfully, recovered by a
 * point-in-time restore. This record is maz/mole/mole.json; its figures are computed from the
 * step's own agent journal against the rows the live database holds after the recovery, by
 * {@link #recount}, the same way in the step and in the grader.
 *
 * The RPO of the recovery is the time between the error's commit and the recovery point; the
 * writes acknowledged in between were deleted and are in no copy, so they stay lost. The writes
 * made after the error are kept when the lost rows are copied back into the live database, and
 * lost when the restored data replaces it ("promote").
 */
public record Mole(String verdict, String choice, String errorAt, Long errorXid, long deletedRows, Long standbyLostWithinMs, String restoreTime,
                   String restoredInstance, String restoredEndpoint, String restoreRequestedAt, String restoreAvailableAt, String recoveredAt,
                   long acknowledgedBeforeError, long backBeforeError, long lostBeforeError, long acknowledgedAfterError, long keptAfterError,
                   long lostAfterError, double rpoSeconds, double restoreSeconds, double rtoSeconds) {
    public static final String FOLDER = "mole";
    public static final String FILE = "mole.json";
    /** The two ways to bring the rows back. */
    public static final String COPY = "copy";
    public static final String PROMOTE = "promote";

    public void write(Evidence evidence) throws IOException {
        evidence.write(FILE, this);
    }

    public static Mole read(Path moleFolder) throws IOException {
        return Evidence.read(moleFolder, FILE, Mole.class);
    }

    /** What the journal and the live rows say, whoever counts. */
    public record Count(long acknowledgedBeforeError, long backBeforeError, long lostBeforeError, long acknowledgedAfterError,
                        long keptAfterError, long lostAfterError, long missingBeforeRecoveryPoint) {}

    /**
     * Every acknowledged write of the journal, sent before and after the error's commit, against
     * the rows present. A write acknowledged before the recovery point must be back; one sent
     * before the error and not back is in no copy; one sent after the error is kept or not, as
     * the choice decided. Sent, not acknowledged: a write in flight as the error commits may have
     * committed before the DELETE looked, and been deleted, although its acknowledgement came
     * after; only a write sent after the commit is certainly out of the DELETE's reach.
     */
    public static Count recount(List<Journal.Entry> journal, Map<Long, Proof.Row> rows, Instant errorAt, Instant restoreTime) {
        long before = 0, back = 0, lost = 0, after = 0, kept = 0, missing = 0;
        for (Journal.Entry e : journal) {
            if (e.outcome() != Journal.Outcome.ack) continue;
            Proof.Row r = rows.get(e.seq());
            boolean present = r != null && e.checksum().equals(r.checksum());
            if (!e.sentAt().isAfter(errorAt)) {
                before++;
                if (present) back++;
                else {
                    lost++;
                    if (!e.doneAt().isAfter(restoreTime)) missing++;
                }
            } else {
                after++;
                if (present) kept++;
            }
        }
        return new Count(before, back, lost, after, kept, after - kept, missing);
    }

    /**
     * The rows back into the live database, in one transaction. copy: the run's rows the live
     * database lacks, taken from the restored instance; the writes made since the error are left
     * as they are. promote: the run's rows replaced by the restored instance's, as pointing the
     * application at it would do; the writes made since the error are lost. On PostgreSQL the
     * rows travel with COPY (see copy), on MySQL in batches.
     * Returns how many rows were written.
     */
    public static long bringBack(Database.Login from, Database.Login into, String runId, String choice) throws SQLException, IOException {
        try (Connection source = Database.connect(from, 10, 3600, "db007-restored"); Connection live = Database.connect(into, 10, 3600, "db007-bring-back")) {
            live.setAutoCommit(false);
            if (choice.equals(PROMOTE)) {
                try (PreparedStatement d = live.prepareStatement("DELETE FROM db007_writes WHERE run_id = ?")) {
                    d.setString(1, runId);
                    d.executeUpdate();
                }
            }
            long written = into.mysql() ? batches(source, live, runId) : copy(source, live, runId);
            live.commit();
            return written;
        }
    }

    private static final String COLUMNS = "run_id, seq, sent_at, payload, checksum, written_at";

    /**
     * PostgreSQL: the sequence numbers the live database still holds for the run go to the
     * restored instance (writable since its promotion) into a temporary table; the restored
     * instance sends back only the rows missing from the live one, straight into the table. No
     * row is checked for a conflict one by one, which took longer than the copy itself; a row
     * written meanwhile under the same key (nothing in the kit does) would fail the whole
     * transaction, and nothing would change.
     */
    private static long copy(Connection source, Connection live, String runId) throws SQLException, IOException {
        try (Statement s = source.createStatement()) {
            s.execute("CREATE TEMPORARY TABLE db007_present (seq bigint PRIMARY KEY)");
        }
        String run = "'" + runId.replace("'", "''") + "'";
        pipe(live, "COPY (SELECT seq FROM db007_writes WHERE run_id = " + run + ") TO STDOUT", source, "COPY db007_present FROM STDIN");
        try (Statement s = source.createStatement()) {
            s.execute("ANALYZE db007_present");
        }
        return pipe(source, "COPY (SELECT " + COLUMNS + " FROM db007_writes w WHERE run_id = " + run
                + " AND NOT EXISTS (SELECT 1 FROM db007_present p WHERE p.seq = w.seq)) TO STDOUT", live, "COPY db007_writes (" + COLUMNS + ") FROM STDIN");
    }

    /** Rows from one server's COPY TO into another's COPY FROM, streamed; returns how many arrived. */
    private static long pipe(Connection from, String out, Connection to, String in) throws SQLException, IOException {
        org.postgresql.copy.CopyManager reader = from.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        org.postgresql.copy.CopyManager writer = to.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
        java.io.PipedInputStream pipe = new java.io.PipedInputStream(1 << 20);
        java.io.PipedOutputStream feed = new java.io.PipedOutputStream(pipe);
        java.util.concurrent.CompletableFuture<Void> reading = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (feed) {
                reader.copyOut(out, feed);
            } catch (SQLException | IOException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        long written;
        try {
            written = writer.copyIn(in, pipe);
        } finally {
            pipe.close();
        }
        try {
            reading.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof SQLException q) throw q;
            if (e.getCause() instanceof IOException io) throw io;
            throw e;
        }
        return written;
    }

    private static long batches(Connection source, Connection live, String runId) throws SQLException {
        long written = 0;
        try (PreparedStatement q = source.prepareStatement("SELECT " + COLUMNS + " FROM db007_writes WHERE run_id = ?", ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
             PreparedStatement i = live.prepareStatement("INSERT IGNORE INTO db007_writes (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)")) {
            q.setFetchSize(Integer.MIN_VALUE);
            q.setString(1, runId);
            int pending = 0;
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    for (int c = 1; c <= 6; c++) i.setObject(c, r.getObject(c));
                    i.addBatch();
                    if (++pending == 5000) {
                        for (int n : i.executeBatch()) written += Math.max(0, n);
                        pending = 0;
                    }
                }
            }
            for (int n : i.executeBatch()) written += Math.max(0, n);
        }
        return written;
    }

    public static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }
}
