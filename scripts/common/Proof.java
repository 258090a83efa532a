package common;

//SOURCES Journal.java Problem.java

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
                    long unknownWrites, long unknownFound, long failedWrites, long failedButPresent, long journalHoles,
                    long unjournaledRows, Long rtoMs, String outageFrom, String outageTo, Long firstErrorToSuccessMs,
                    double steadyWritesPerSecond, List<Long> lostSeqs, List<Long> corruptSeqs) {

    /** One row of the agent's table, as the database returned it. */
    public record Row(long seq, Instant sentAt, String payload, String checksum) {}

    public static final String ROWS_HEADER = "seq,sent_at,checksum,payload";

    /**
     * RTO is the longest time without an acknowledged write from one second before the
     * sabotage on (the whole run when there was none); beside it, the time from the first
     * failed attempt in that gap to the first success.
     */
    public static Proof compute(String runId, List<Journal.Entry> journal, Map<Long, Row> rows, Instant sabotageAt) {
        long acks = 0, lost = 0, corrupt = 0, unknown = 0, unknownFound = 0, fails = 0, failedPresent = 0;
        List<Long> lostSeqs = new ArrayList<>();
        List<Long> corruptSeqs = new ArrayList<>();
        Set<Long> journaled = new HashSet<>();
        for (Journal.Entry e : journal) {
            journaled.add(e.seq());
            Row row = rows.get(e.seq());
            switch (e.outcome()) {
                case ack -> {
                    acks++;
                    if (row == null) {
                        lost++;
                        if (lostSeqs.size() < 50) lostSeqs.add(e.seq());
                    } else if (!row.checksum().equals(e.checksum()) || !Journal.checksum(runId, row.seq(), row.sentAt(), row.payload()).equals(e.checksum())) {
                        corrupt++;
                        if (corruptSeqs.size() < 50) corruptSeqs.add(e.seq());
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
        long holes = maxSeq - journaled.size();
        long unjournaled = rows.keySet().stream().filter(s -> !journaled.contains(s)).count();

        List<Journal.Entry> ackList = acknowledged(journal);
        Journal.Entry[] gap = longestGap(ackList, sabotageAt == null ? Instant.MIN : sabotageAt.minusSeconds(1), Instant.MAX);
        Journal.Entry gapFrom = gap == null ? null : gap[0];
        Journal.Entry gapTo = gap == null ? null : gap[1];
        Long rto = gapFrom == null ? null : Duration.between(gapFrom.doneAt(), gapTo.doneAt()).toMillis();
        Long errorToSuccess = null;
        if (gapFrom != null) {
            Instant from = gapFrom.doneAt();
            Instant to = gapTo.doneAt();
            errorToSuccess = journal.stream().filter(e -> e.outcome() != Journal.Outcome.ack && !e.sentAt().isBefore(from) && e.sentAt().isBefore(to))
                    .map(Journal.Entry::sentAt).min(Comparator.naturalOrder()).map(first -> Duration.between(first, to).toMillis()).orElse(null);
        }
        double steady = steadyRate(ackList, sabotageAt);
        boolean pass = acks > 0 && lost == 0 && corrupt == 0 && holes == 0 && unjournaled == 0;
        return new Proof(pass ? "pass" : "fail", runId, journal.size(), acks, lost, corrupt, unknown, unknownFound, fails, failedPresent,
                holes, unjournaled, rto, gapFrom == null ? null : gapFrom.doneAt().toString(), gapTo == null ? null : gapTo.doneAt().toString(),
                errorToSuccess, steady, lostSeqs, corruptSeqs);
    }

    public static List<Journal.Entry> acknowledged(List<Journal.Entry> journal) {
        return journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack).sorted(Comparator.comparing(Journal.Entry::doneAt)).toList();
    }

    /** The two consecutive acknowledged writes furthest apart, the later one falling in [from, to); null if none. */
    public static Journal.Entry[] longestGap(List<Journal.Entry> acks, Instant from, Instant to) {
        Journal.Entry[] best = null;
        for (int i = 1; i < acks.size(); i++) {
            Journal.Entry a = acks.get(i - 1);
            Journal.Entry b = acks.get(i);
            if (b.doneAt().isBefore(from) || !b.doneAt().isBefore(to)) continue;
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

    /** The database's rows as evidence, so that the proof can be recomputed without the database. */
    public static void writeRows(Path file, Iterable<Row> rows) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(ROWS_HEADER);
            w.newLine();
            for (Row r : rows) {
                w.write(r.seq() + "," + r.sentAt() + "," + r.checksum() + "," + r.payload());
                w.newLine();
            }
        }
    }

    public static Map<Long, Row> readRows(Path file) {
        Map<Long, Row> rows = new TreeMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (!ROWS_HEADER.equals(r.readLine())) throw Problem.failed("rows.header", file);
            int n = 1;
            for (String line; (line = r.readLine()) != null; ) {
                n++;
                String[] f = line.split(",", 4);
                try {
                    rows.put(Long.parseLong(f[0]), new Row(Long.parseLong(f[0]), Instant.parse(f[1]), f[3], f[2]));
                } catch (RuntimeException e) {
                    throw Problem.failed("rows.line", file, n, e.toString());
                }
            }
        } catch (IOException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rows.unreadable", file, e.getMessage());
        }
        return rows;
    }
}
