package mission;

//SOURCES Journal.java Proof.java

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The proof of step 11, computed from raw data only, as the grader computes it again: the agent's
 * journal (what the application was told), the rows the promoted replica holds, and the moments
 * the step recorded (the disaster, the promotion, the agent's move to the new endpoint).
 *
 * Across Regions replication is asynchronous, so a loss is expected and measured, not a failure:
 * the acknowledged writes the replica never received, listed by number; the RPO as a duration,
 * from the first of them to the disaster; the RTO, from the disaster to the first write the
 * promoted replica acknowledged, split into detection, promotion and repointing. The proof fails
 * only when the record does not hold together: a write present that was never acknowledged or
 * was refused, a changed row, a lost write the replica had already shown it held, a write
 * acknowledged by the new instance and then missing, a line missing from the journal, a write
 * marked failed or unanswered that its connection went on after (the agent never does).
 *
 * A write belongs to the Region whose connection acknowledged it: a connection the agent opened
 * before the disaster reached the lost Region; after it, the agent reaches only the new instance
 * (the lost Region refuses, or is declared lost and not tried).
 */
public record RegionLoss(String verdict, String runId, String disasterAt, long acknowledgedByLostRegion, long lostWrites, List<Long> lostSeqs,
                         String firstLostAt, long rpoMs, Long lagBeforeMs, Long replicaNewestSeqBefore, long lostThoughReplicated,
                         long lostAmidKept, long acknowledgedByNewInstance, long lostAfterPromotion, long corruptRows, long failedButPresent,
                         long unjournaledRows, long journalHoles, long implausibleOutcomes, long unknownWrites, long unknownFound, Long rtoMs, Long detectionMs,
                         Long promotionMs, Long repointMs, Long firstNewSeq, String firstNewAt) {

    public static final String FILE = "proof.json";
    /** How many lost writes are listed by number: a tail that long is minutes of writes. */
    static final int MAX_LISTED = 10_000;
    public static final String ROWS = "dr-database.csv";

    /** The moments step 11 recorded; promotion and repoint times are null until they happened. */
    public record Moments(Instant disaster, Long replicaNewestSeqBefore, Long lagBeforeMs, Instant promotionRequested, Instant promotionDone,
                          Instant repointed) {}

    /** Sequence numbers as runs: "7642-7684, 7690" for a list a person reads. */
    public static String ranges(List<Long> seqs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < seqs.size(); i++) {
            int j = i;
            while (j + 1 < seqs.size() && seqs.get(j + 1) == seqs.get(j) + 1) j++;
            if (b.length() > 0) b.append(", ");
            b.append(seqs.get(i));
            if (j > i) b.append('-').append(seqs.get(j));
            i = j;
        }
        return b.toString();
    }

    // Long because every figure of the record comes from one pass over the same journal and rows, so that no two can disagree.
    public static RegionLoss compute(String runId, List<Journal.Entry> journal, Map<Long, Proof.Row> rows, Moments m) {
        Map<Long, Instant> connectionOpened = new HashMap<>();
        Map<Long, Long> lastOfConnection = new HashMap<>();
        for (Journal.Entry e : journal) {
            connectionOpened.merge(e.conn(), e.sentAt(), (a, b) -> a.isBefore(b) ? a : b);
            lastOfConnection.merge(e.conn(), e.seq(), Math::max);
        }
        // The agent drops its connection at any error: a failed or unanswered write is the last of its connection, or the line was edited.
        long implausible = journal.stream().filter(e -> e.outcome() != Journal.Outcome.ack && lastOfConnection.get(e.conn()) != e.seq()).count();
        Set<Long> journaled = new HashSet<>();
        List<Long> lost = new ArrayList<>();
        long lostCount = 0, lostReplicated = 0, acksOld = 0, acksNew = 0, lostNew = 0, corrupt = 0, failedPresent = 0, unknown = 0, unknownFound = 0;
        long newestKeptOld = -1;
        Journal.Entry firstLost = null;
        Journal.Entry lastLost = null;
        Journal.Entry firstNew = null;
        for (Journal.Entry e : journal) {
            journaled.add(e.seq());
            Proof.Row row = rows.get(e.seq());
            boolean oldRegion = connectionOpened.get(e.conn()).isBefore(m.disaster());
            switch (e.outcome()) {
                case ack -> {
                    if (oldRegion) acksOld++;
                    else acksNew++;
                    if (!oldRegion && (firstNew == null || e.doneAt().isBefore(firstNew.doneAt()))) firstNew = e;
                    if (row == null) {
                        if (!oldRegion) {
                            lostNew++;
                            continue;
                        }
                        lostCount++;
                        if (lost.size() < MAX_LISTED) lost.add(e.seq());
                        if (m.replicaNewestSeqBefore() != null && e.seq() <= m.replicaNewestSeqBefore()) lostReplicated++;
                        if (firstLost == null || e.doneAt().isBefore(firstLost.doneAt())) firstLost = e;
                        if (lastLost == null || e.doneAt().isAfter(lastLost.doneAt())) lastLost = e;
                    } else if (!row.checksum().equals(e.checksum()) || !Journal.checksum(runId, row.seq(), row.sentAt(), row.payload()).equals(e.checksum())) {
                        corrupt++;
                    } else if (oldRegion) {
                        newestKeptOld = Math.max(newestKeptOld, e.seq());
                    }
                }
                case fail -> {
                    if (row != null) failedPresent++;
                }
                case unknown -> {
                    unknown++;
                    if (row != null) unknownFound++;
                }
            }
        }
        // Asynchronous replication loses a tail: a lost write with a later one of the same Region kept means the copy has holes.
        long amidKept = 0;
        for (Journal.Entry e : journal) {
            if (e.outcome() == Journal.Outcome.ack && !rows.containsKey(e.seq()) && e.seq() < newestKeptOld
                    && connectionOpened.get(e.conn()).isBefore(m.disaster())) amidKept++;
        }
        long maxSeq = journal.stream().mapToLong(Journal.Entry::seq).max().orElse(0);
        long holes = maxSeq - journaled.size() + (journal.size() - journaled.size());
        long unjournaled = rows.keySet().stream().filter(s -> !journaled.contains(s)).count();
        // The RPO as the proof's: the time span of the lost writes, from the first one's acknowledgement to the disaster, or to
        // the last lost one when it came later (a region going dark acknowledges for a few milliseconds more).
        Instant end = lastLost != null && lastLost.doneAt().isAfter(m.disaster()) ? lastLost.doneAt() : m.disaster();
        long rpo = firstLost == null ? 0 : Math.max(0, Proof.millisBetween(firstLost.doneAt(), end));
        Long rto = firstNew == null ? null : Proof.millisBetween(m.disaster(), firstNew.doneAt());
        Long detection = m.promotionRequested() == null ? null : Proof.millisBetween(m.disaster(), m.promotionRequested());
        Long promotion = m.promotionRequested() == null || m.promotionDone() == null ? null : Proof.millisBetween(m.promotionRequested(), m.promotionDone());
        Long repoint = firstNew == null || m.promotionDone() == null ? null : Proof.millisBetween(m.promotionDone(), firstNew.doneAt());
        boolean consistent = acksOld > 0 && corrupt == 0 && failedPresent == 0 && unjournaled == 0 && holes == 0 && lostReplicated == 0 && amidKept == 0
                && lostNew == 0 && implausible == 0;
        return new RegionLoss(consistent ? "consistent" : "inconsistent", runId, m.disaster().toString(), acksOld, lostCount, lost,
                firstLost == null ? null : firstLost.doneAt().toString(), rpo, m.lagBeforeMs(), m.replicaNewestSeqBefore(), lostReplicated, amidKept,
                acksNew, lostNew, corrupt, failedPresent, unjournaled, holes, implausible, unknown, unknownFound, rto, detection, promotion, repoint,
                firstNew == null ? null : firstNew.seq(), firstNew == null ? null : firstNew.doneAt().toString());
    }
}
