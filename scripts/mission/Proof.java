package mission;

//SOURCES ../common/Database.java ../common/Json.java ../common/Problem.java Journal.java

import common.Database;
import common.Json;
import common.Problem;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The proof of a failover, computed from raw data only: the agent's journal (what the
 * application was told) against the rows the database holds at the end. Step 8 computes it,
 * bench computes it per failover, and the grader computes it again from a student's evidence.
 */
public record Proof(String verdict, String runId, long attempts, long acknowledgedWrites, long lostWrites, long corruptRows,
                    long unknownWrites, long unknownFound, long implausibleUnknowns, long failedWrites, long failedButPresent,
                    long journalHoles, long unjournaledRows, long rowsOffClock, long rowsOutOfOrder, Long serverClockOffsetMs,
                    Long rtoMs, String outageFrom, String outageTo, Long firstErrorToSuccessMs,
                    double steadyWritesPerSecond, List<Long> lostSeqs, List<Long> corruptSeqs, List<Long> implausibleSeqs, long rpoMs,
                    List<Away> agentAway) {

    /**
     * A time the agent was not running: its run was cut off (a CloudShell session that ended kills
     * it) and resumed (Agent.resume). The journal shows it by itself: the seq after lastSeq skipped,
     * a new connection, and a silence of a second at least, where a running agent notes an attempt
     * every few milliseconds. Neither an outage nor a hole: the skipped write may have been in
     * flight, so its row may or may not be there.
     */
    public record Away(long lastSeq, String from, long resumedSeq, String to, long ms) {}

    static final Duration AWAY_AT_LEAST = Duration.ofSeconds(1);

    /** Every time away the journal shows, in order. */
    public static List<Away> away(List<Journal.Entry> journal) {
        List<Journal.Entry> bySeq = journal.stream().sorted(Comparator.comparingLong(Journal.Entry::seq)).toList();
        List<Away> away = new ArrayList<>();
        for (int i = 1; i < bySeq.size(); i++) {
            Journal.Entry a = bySeq.get(i - 1);
            Journal.Entry b = bySeq.get(i);
            if (b.seq() == a.seq() + 2 && b.conn() > a.conn() && Duration.between(a.doneAt(), b.sentAt()).compareTo(AWAY_AT_LEAST) >= 0) {
                away.add(new Away(a.seq(), a.doneAt().toString(), b.seq(), b.sentAt().toString(), millisBetween(a.doneAt(), b.sentAt())));
            }
        }
        return away;
    }

    /** Whether two writes lie on either side of a time away. */
    static boolean across(List<Away> away, Journal.Entry a, Journal.Entry b) {
        long lo = Math.min(a.seq(), b.seq());
        long hi = Math.max(a.seq(), b.seq());
        return away.stream().anyMatch(w -> lo <= w.lastSeq() && hi >= w.resumedSeq());
    }

    /**
     * How far a row's server time may lie outside its attempt, once the two clocks' offset is
     * taken out: the server stamps the row while the client waits, so honestly it never does by
     * more than the clocks' jitter.
     */
    static final Duration CLOCK_TOLERANCE = Duration.ofMillis(50);

    /** The proof's files in the evidence folder. */
    public static final String FILE = "proof.json";
    public static final String ROWS = "database.csv";
    public static final String REPORT = "report.html";

    /**
     * One row of the agent's table, as the database returned it: the client's time and the
     * server's (written_at, the server's clock when it took the row), and on PostgreSQL the id of
     * the transaction that wrote it (xid, null on MySQL), which grows with every commit.
     */
    public record Row(long seq, Instant sentAt, Instant writtenAt, Long xid, String payload, String checksum) {}

    public static final String ROWS_HEADER = "seq,sent_at,written_at,xid,checksum,payload";

    /**
     * RTO is the outage's length (see {@link Outage}); beside it, the time from the first
     * attempt not acknowledged in it to the first success.
     *
     * An "unknown" outcome says that a connection broke while its write was in flight; one that
     * cannot be that (more writes followed on the same connection, or it came before the
     * sabotage) is taken for what the agent would have written, an acknowledged write. Each row's
     * server time must fall within its attempt, and rows must have been written in the order of
     * their sequence numbers: a journal edited without the database does not.
     */
    // Long because every count comes from one pass over the same journal and rows, so that no two can disagree.
    public static Proof compute(String runId, List<Journal.Entry> journal, Map<Long, Row> rows, Instant sabotageAt) {
        long acks = 0, lost = 0, corrupt = 0, unknown = 0, unknownFound = 0, implausible = 0, fails = 0, failedPresent = 0;
        List<Long> lostSeqs = new ArrayList<>();
        Instant firstLostAt = null;
        Instant lastLostAt = null;
        List<Long> corruptSeqs = new ArrayList<>();
        List<Long> implausibleSeqs = new ArrayList<>();
        Set<Long> journaled = new HashSet<>();
        Map<Long, Long> lastSeqOfConnection = new HashMap<>();
        for (Journal.Entry e : journal) lastSeqOfConnection.merge(e.conn(), e.seq(), Math::max);
        Instant unknownsFrom = sabotageAt == null ? Instant.MIN : sabotageAt.minusSeconds(1);
        List<Journal.Entry> withRows = new ArrayList<>();
        for (Journal.Entry e : journal) {
            journaled.add(e.seq());
            Row row = rows.get(e.seq());
            Journal.Outcome outcome = e.outcome();
            if (outcome == Journal.Outcome.unknown && (lastSeqOfConnection.get(e.conn()) != e.seq() || e.sentAt().isBefore(unknownsFrom))) {
                implausible++;
                if (implausibleSeqs.size() < 50) implausibleSeqs.add(e.seq());
                outcome = Journal.Outcome.ack;
            }
            switch (outcome) {
                case ack -> {
                    acks++;
                    if (row == null) {
                        lost++;
                        if (lostSeqs.size() < 50) lostSeqs.add(e.seq());
                        if (firstLostAt == null) firstLostAt = e.doneAt();
                        lastLostAt = e.doneAt();
                    } else if (!row.checksum().equals(e.checksum()) || !Journal.checksum(runId, row.seq(), row.sentAt(), row.payload()).equals(e.checksum())) {
                        corrupt++;
                        if (corruptSeqs.size() < 50) corruptSeqs.add(e.seq());
                    } else {
                        withRows.add(e);
                    }
                }
                case unknown -> {
                    unknown++;
                    if (row != null) unknownFound++;
                }
                case fail -> {
                    fails++;
                    if (row != null) failedPresent++;
                }
            }
        }
        long maxSeq = journal.stream().mapToLong(Journal.Entry::seq).max().orElse(0);
        List<Away> away = away(journal);
        // The write each resumption skipped may have been in flight when the agent was cut off: its outcome is unknown.
        Set<Long> inFlight = new HashSet<>();
        for (Away w : away) inFlight.add(w.lastSeq() + 1);
        for (long seq : inFlight) {
            unknown++;
            if (rows.containsKey(seq)) unknownFound++;
        }
        // A line removed and another repeated would leave the count right: every missing number is a hole.
        long holes = maxSeq - journaled.size() + (journal.size() - journaled.size()) - inFlight.size();
        long unjournaled = rows.keySet().stream().filter(s -> !journaled.contains(s) && !inFlight.contains(s)).count();
        Long offset = clockOffsetMillis(withRows, rows);
        long offClock = offset == null ? 0 : withRows.stream().filter(e -> !onTime(e, rows.get(e.seq()), offset)).count();
        long outOfOrder = outOfOrder(withRows, rows);

        List<Journal.Entry> ackList = acknowledged(journal);
        Outage outage = Outage.of(journal, sabotageAt);
        Long rto = outage == null ? null : outage.ms();
        Long errorToSuccess = outage == null ? null : outage.firstMissToSuccessMs();
        Journal.Entry gapFrom = outage == null ? null : outage.lastAck();
        Journal.Entry gapTo = outage == null ? null : outage.firstAck();
        double steady = steadyRate(ackList, sabotageAt);
        // The RPO as a duration: from the first lost write's acknowledgement to the failure (the last write
        // acknowledged before the outage), or to the last lost write when that came later; zero when nothing was lost.
        long rpoMs = 0;
        if (firstLostAt != null) {
            Instant end = gapFrom != null && gapFrom.doneAt().isAfter(lastLostAt) ? gapFrom.doneAt() : lastLostAt;
            rpoMs = Math.max(0, millisBetween(firstLostAt, end));
        }
        boolean pass = acks > 0 && lost == 0 && corrupt == 0 && holes == 0 && unjournaled == 0 && offClock == 0 && outOfOrder == 0;
        return new Proof(pass ? "pass" : "fail", runId, journal.size(), acks, lost, corrupt, unknown, unknownFound, implausible, fails, failedPresent,
                holes, unjournaled, offClock, outOfOrder, offset, rto, gapFrom == null ? null : gapFrom.doneAt().toString(),
                gapTo == null ? null : gapTo.doneAt().toString(), errorToSuccess, steady, lostSeqs, corruptSeqs, implausibleSeqs, rpoMs, away);
    }

    /**
     * How far the server's clock runs ahead of the client's, in whole milliseconds: the median,
     * over the written rows, of the server's time less the middle of the attempt. Zero on one
     * machine; on RDS, whatever NTP leaves between the two.
     */
    static Long clockOffsetMillis(List<Journal.Entry> written, Map<Long, Row> rows) {
        List<Long> offsets = new ArrayList<>();
        for (Journal.Entry e : written) {
            Instant middle = e.sentAt().plus(Duration.between(e.sentAt(), e.doneAt()).dividedBy(2));
            offsets.add(Duration.between(middle, rows.get(e.seq()).writtenAt()).toMillis());
        }
        if (offsets.isEmpty()) return null;
        Collections.sort(offsets);
        return offsets.get(offsets.size() / 2);
    }

    private static boolean onTime(Journal.Entry e, Row row, long offsetMillis) {
        Instant server = row.writtenAt().minusMillis(offsetMillis);
        return !server.isBefore(e.sentAt().minus(CLOCK_TOLERANCE)) && !server.isAfter(e.doneAt().plus(CLOCK_TOLERANCE));
    }

    /** Rows whose transaction id, or server time, goes backwards from the row before in sequence order. */
    private static long outOfOrder(List<Journal.Entry> written, Map<Long, Row> rows) {
        long n = 0;
        Row previous = null;
        for (Journal.Entry e : written.stream().sorted(Comparator.comparingLong(Journal.Entry::seq)).toList()) {
            Row row = rows.get(e.seq());
            if (previous != null && ((previous.xid() != null && row.xid() != null && row.xid() <= previous.xid())
                    || row.writtenAt().isBefore(previous.writtenAt().minus(CLOCK_TOLERANCE)))) n++;
            previous = row;
        }
        return n;
    }

    /**
     * The outage, counted one way for step 6, the proof, the report and the grader: the longest
     * time without an acknowledged write from one second before the sabotage on (the whole run
     * when there was none), between the last write acknowledged before it and the first after,
     * each taken to the millisecond as it is printed, so that a student who subtracts the two
     * printed times finds the RTO. In it, the attempts not acknowledged: failed (the write
     * certainly did not happen) and unknown (sent, the connection broke before the answer), and
     * the time from the first of them, when it was sent, to the first success.
     */
    public record Outage(Journal.Entry lastAck, Journal.Entry firstAck, Journal.Entry firstMiss, long failed, long unknown) {
        public long ms() {
            return millisBetween(lastAck.doneAt(), firstAck.doneAt());
        }

        /** From the first attempt not acknowledged, as it was sent, to the first success; null when none failed. */
        public Long firstMissToSuccessMs() {
            return firstMiss == null ? null : millisBetween(firstMiss.sentAt(), firstAck.doneAt());
        }

        public long missed() {
            return failed + unknown;
        }

        /**
         * Null when fewer than two writes were acknowledged after the start. A time the agent was
         * away is no outage. After a sabotage, the journal counts up to where writes were back and
         * settled ({@link Recovery}), as far as step 6 reads: a longer pause long after (a busy
         * machine, a rebuilt standby made synchronous) is not the failover's outage.
         */
        public static Outage of(List<Journal.Entry> all, Instant sabotageAt) {
            List<Journal.Entry> journal = sabotageAt == null ? all : Recovery.readUntilSettled(all, sabotageAt);
            List<Journal.Entry> acks = acknowledged(journal);
            Journal.Entry[] gap = longestGap(acks, sabotageAt == null ? Instant.MIN : sabotageAt.minusSeconds(1), Instant.MAX, away(journal));
            if (gap == null) return null;
            Instant from = gap[0].doneAt();
            Instant to = gap[1].doneAt();
            Journal.Entry first = null;
            long failed = 0;
            long unknown = 0;
            for (Journal.Entry e : journal) {
                if (e.outcome() == Journal.Outcome.ack || e.sentAt().isBefore(from) || !e.sentAt().isBefore(to)) continue;
                if (e.outcome() == Journal.Outcome.fail) failed++;
                else unknown++;
                if (first == null || e.sentAt().isBefore(first.sentAt())) first = e;
            }
            return new Outage(gap[0], gap[1], first, failed, unknown);
        }
    }

    /**
     * When writes are back after a sabotage, for a reader of the journal taking each entry in the
     * order written, as step 6 does while the agent writes: at the first acknowledgement after an
     * error or after a silence longer than {@link #SILENCE}, and from another server than before
     * the sabotage when the journal names servers (a busy machine or network can pause the agent
     * before the fault has struck; on RDS it strikes seconds after the request). Writes are settled
     * once they have kept coming for {@link #SETTLE}; another error or silence before then means
     * the outage goes on.
     */
    public static final class Recovery {
        /** A pause this long between two acknowledged writes is an outage even if no error was seen. */
        public static final Duration SILENCE = Duration.ofMillis(100);
        /** Writes are back once they have kept coming this long without an error or a silence. */
        public static final Duration SETTLE = Duration.ofSeconds(1);

        private final Instant since;
        private final boolean failover;
        private Journal.Entry lastAck;
        private Journal.Entry resumed;
        private Journal.Entry previousMiss;
        private String serverBefore;

        /** From since on (the sabotage, or the start); failover: the writes must come back from another server. */
        public Recovery(Instant since, boolean failover) {
            this.since = since;
            this.failover = failover;
        }

        /** The journal up to the entry at which writes were settled after the sabotage; all of it if they never were. */
        static List<Journal.Entry> readUntilSettled(List<Journal.Entry> journal, Instant sabotageAt) {
            Recovery r = new Recovery(sabotageAt, true);
            for (int i = 0; i < journal.size(); i++) if (r.take(journal.get(i))) return journal.subList(0, i + 1);
            return journal;
        }

        /** Takes the next entry of the journal; true once writes are back and settled. */
        public boolean take(Journal.Entry e) {
            boolean ack = e.outcome() == Journal.Outcome.ack;
            if (e.doneAt().isBefore(since)) {
                if (ack) {
                    lastAck = e;
                    serverBefore = server(e);
                }
                return false;
            }
            if (!ack) {
                previousMiss = e;
                resumed = null;
                return false;
            }
            boolean afterSilence = lastAck != null && Duration.between(lastAck.doneAt(), e.doneAt()).compareTo(SILENCE) > 0;
            String server = server(e);
            boolean known = failover && serverBefore != null && server != null;
            boolean moved = known && !serverBefore.equals(server);
            if (known && !moved) {
                // Still the old primary: a pause there before the failover is not the outage's end, however long writes then keep coming.
                resumed = null;
            } else if (afterSilence || (resumed == null && (previousMiss != null || moved))) {
                resumed = e;
            }
            previousMiss = null;
            lastAck = e;
            return settled();
        }

        public boolean settled() {
            return resumed != null && Duration.between(resumed.doneAt(), lastAck.doneAt()).compareTo(SETTLE) >= 0;
        }

        /** The last acknowledged write taken; null before the first. */
        public Journal.Entry lastAck() { return lastAck; }

        /** The first write of the writes back; null while they are not. */
        public Journal.Entry resumed() { return resumed; }

        /** The attempt not acknowledged just taken, while no write has been acknowledged since; else null. */
        public Journal.Entry previousMiss() { return previousMiss; }

        private static String server(Journal.Entry e) {
            return e.server() != null ? e.server() : e.az();
        }
    }

    /** Milliseconds between two times as printed (to the millisecond), so that printed times subtract to the figure. */
    public static long millisBetween(Instant a, Instant b) {
        return b.truncatedTo(ChronoUnit.MILLIS).toEpochMilli() - a.truncatedTo(ChronoUnit.MILLIS).toEpochMilli();
    }

    public static List<Journal.Entry> acknowledged(List<Journal.Entry> journal) {
        return journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack).sorted(Comparator.comparing(Journal.Entry::doneAt)).toList();
    }

    /** The two consecutive acknowledged writes furthest apart, the later one falling in [from, to); null if none. */
    public static Journal.Entry[] longestGap(List<Journal.Entry> acks, Instant from, Instant to) {
        return longestGap(acks, from, to, List.of());
    }

    /** The same, leaving out two writes on either side of a time the agent was away. */
    public static Journal.Entry[] longestGap(List<Journal.Entry> acks, Instant from, Instant to, List<Away> away) {
        Journal.Entry[] best = null;
        for (int i = 1; i < acks.size(); i++) {
            Journal.Entry a = acks.get(i - 1);
            Journal.Entry b = acks.get(i);
            if (b.doneAt().isBefore(from) || !b.doneAt().isBefore(to) || across(away, a, b)) continue;
            if (best == null || Duration.between(a.doneAt(), b.doneAt()).compareTo(Duration.between(best[0].doneAt(), best[1].doneAt())) > 0) {
                best = new Journal.Entry[] {a, b};
            }
        }
        return best;
    }

    /** Acknowledged writes per second before the sabotage, leaving out the first half second of warm-up. */
    private static double steadyRate(List<Journal.Entry> acks, Instant sabotageAt) {
        if (acks.size() < 2) return 0;
        Instant from = acks.get(0).doneAt().plusMillis(500);
        Instant to = sabotageAt != null ? sabotageAt : acks.get(acks.size() - 1).doneAt();
        long n = acks.stream().filter(e -> !e.doneAt().isBefore(from) && e.doneAt().isBefore(to)).count();
        double seconds = Duration.between(from, to).toNanos() / 1e9;
        return seconds <= 0 ? 0 : Math.round(n / seconds * 10) / 10.0;
    }

    /**
     * Every row of one run, read back from the database, with the server's own time and, on
     * PostgreSQL, the id of the transaction that wrote it: evidence that a student cannot make
     * agree with an edited journal without rewriting the database as well.
     */
    public static Map<Long, Row> fetchRows(Database.Login login, String runId) throws SQLException {
        Map<Long, Row> rows = new TreeMap<>();
        String xid = login.mysql() ? "NULL" : "xmin::text::bigint";
        try (Connection c = Database.connect(login, 5, 120, "db007-proof");
             PreparedStatement st = c.prepareStatement("SELECT seq, sent_at, written_at, " + xid + ", payload, checksum FROM db007_writes WHERE run_id = ? ORDER BY seq")) {
            st.setString(1, runId);
            try (ResultSet r = st.executeQuery()) {
                while (r.next()) {
                    long x = r.getLong(4);
                    Long id = r.wasNull() ? null : x;
                    rows.put(r.getLong(1), new Row(r.getLong(1), r.getTimestamp(2).toInstant(), r.getTimestamp(3).toInstant(), id, r.getString(5), r.getString(6)));
                }
            }
        }
        return rows;
    }

    /** The database's rows as evidence, so that the proof can be recomputed without the database. */
    public static void writeRows(Path file, Iterable<Row> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ROWS_HEADER);
            w.newLine();
            for (Row r : rows) {
                w.write(r.seq() + "," + r.sentAt() + "," + r.writtenAt() + "," + (r.xid() == null ? "" : r.xid()) + "," + r.checksum() + "," + r.payload());
                w.newLine();
            }
        }
    }

    /** The proof of an evidence folder, or null before step 8 ran there. */
    public static Proof read(Path evidence) throws IOException {
        Path f = evidence.resolve(FILE);
        return Files.exists(f) ? Json.read(f, Proof.class) : null;
    }

    public static Map<Long, Row> readRows(Path file) {
        Map<Long, Row> rows = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (!ROWS_HEADER.equals(r.readLine())) throw Problem.failed("rows.header", file.getFileName());
            int n = 1;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                String[] f = line.split(",", 6);
                try {
                    if (f.length != 6) throw new IllegalArgumentException(f.length + " fields instead of 6");
                    Row row = new Row(Long.parseLong(f[0]), Instant.parse(f[1]), Instant.parse(f[2]), f[3].isEmpty() ? null : Long.valueOf(f[3]), f[5], f[4]);
                    if (rows.put(row.seq(), row) != null) throw new IllegalArgumentException("sequence number " + row.seq() + " twice");
                } catch (RuntimeException e) {
                    throw Problem.failed("rows.line", file.getFileName(), n, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rows.unreadable", file.getFileName(), e.getMessage());
        }
        return rows;
    }
}
