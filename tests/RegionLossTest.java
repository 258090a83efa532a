import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mission.Journal;
import mission.Proof;
import mission.RegionLoss;
import org.junit.jupiter.api.Test;

/** Step 11's arithmetic on journals and rows built by hand, where the right answer is known. */
class RegionLossTest {
    static final String RUN = "run11";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    /** The Region is lost at 2000 ms; the promotion is asked at 2500 ms, done at 2700; the agent moves at 2800. */
    static final RegionLoss.Moments MOMENTS = new RegionLoss.Moments(T0.plusMillis(2000), 190L, 45L, T0.plusMillis(2500), T0.plusMillis(2700),
            T0.plusMillis(2800));

    /**
     * A write every 10 ms on connection 1 until the loss (seq 1 to 200); refused attempts after
     * it, one connection try each; from 2850 ms writes on the promoted replica, connection 300.
     */
    private static List<Journal.Entry> journal() {
        List<Journal.Entry> j = new ArrayList<>();
        long seq = 0;
        for (int i = 1; i <= 200; i++) j.add(entry(++seq, i * 10, Journal.Outcome.ack, 1));
        for (int t = 2010; t < 2850; t += 20) j.add(entry(++seq, t, Journal.Outcome.fail, 100 + seq));
        for (int t = 2850; t < 3000; t += 10) j.add(entry(++seq, t, Journal.Outcome.ack, 300));
        return j;
    }

    private static Journal.Entry entry(long seq, long ms, Journal.Outcome o, long conn) {
        Instant sent = T0.plusMillis(ms);
        return new Journal.Entry(seq, sent, sent.plusMillis(1), o, conn, o == Journal.Outcome.ack ? "az" : null, null, 1000,
                Journal.checksum(RUN, seq, sent, "p" + seq), o == Journal.Outcome.ack ? null : "connect: refused");
    }

    /** The promoted replica: every acknowledged write but the last `tail` of the lost Region's. */
    private static Map<Long, Proof.Row> rows(List<Journal.Entry> journal, int tail) {
        Map<Long, Proof.Row> rows = new HashMap<>();
        for (Journal.Entry e : journal) {
            boolean lost = e.conn() == 1 && e.seq() > 200 - tail;
            if (e.outcome() == Journal.Outcome.ack && !lost) {
                rows.put(e.seq(), new Proof.Row(e.seq(), e.sentAt(), e.sentAt().plusNanos(500_000), 1000 + e.seq(), "p" + e.seq(), e.checksum()));
            }
        }
        return rows;
    }

    @Test
    void aLostTailIsCountedTimedAndConsistent() {
        List<Journal.Entry> j = journal();
        RegionLoss p = RegionLoss.compute(RUN, j, rows(j, 5), MOMENTS);
        assertEquals("consistent", p.verdict());
        assertEquals(200, p.acknowledgedByLostRegion());
        assertEquals(5, p.lostWrites());
        assertEquals(List.of(196L, 197L, 198L, 199L, 200L), p.lostSeqs());
        assertEquals("196-200", RegionLoss.ranges(p.lostSeqs()));
        assertEquals(2001 - 1961, p.rpoMs(), "from the first lost write's acknowledgement (1961 ms) to the last's (2001 ms), acknowledged as the region went dark at 2000 ms");
        assertEquals(15, p.acknowledgedByNewInstance());
        assertEquals(2851 - 2000, p.rtoMs(), "to the first write acknowledged in the other Region");
        assertEquals(500, p.detectionMs());
        assertEquals(200, p.promotionMs());
        assertEquals(151, p.repointMs());
        assertEquals(p.rtoMs(), p.detectionMs() + p.promotionMs() + p.repointMs());
    }

    @Test
    void nothingLostIsAnRpoOfZero() {
        List<Journal.Entry> j = journal();
        RegionLoss p = RegionLoss.compute(RUN, j, rows(j, 0), MOMENTS);
        assertEquals("consistent", p.verdict());
        assertEquals(0, p.lostWrites());
        assertEquals(0, p.rpoMs());
    }

    @Test
    void aLostWriteTheReplicaHadShownItHeldDoesNotHoldTogether() {
        List<Journal.Entry> j = journal();
        RegionLoss p = RegionLoss.compute(RUN, j, rows(j, 15), MOMENTS);
        assertEquals("inconsistent", p.verdict());
        assertEquals(5, p.lostThoughReplicated(), "seq 186 to 190 were at or below the newest the replica held before the disaster (190)");
    }

    @Test
    void aHoleInTheCopyIsNotAReplicationLoss() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j, 2);
        rows.remove(100L);
        RegionLoss p = RegionLoss.compute(RUN, j, rows, MOMENTS);
        assertEquals("inconsistent", p.verdict());
        assertEquals(1, p.lostAmidKept());
    }

    @Test
    void lostWritesRelabelledAsFailedAreCaught() {
        List<Journal.Entry> j = new ArrayList<>(journal());
        for (int i = 195; i < 200; i++) {
            Journal.Entry e = j.get(i);
            j.set(i, new Journal.Entry(e.seq(), e.sentAt(), e.doneAt(), Journal.Outcome.fail, e.conn(), null, null, 1000, e.checksum(), "made up"));
        }
        RegionLoss p = RegionLoss.compute(RUN, j, rows(j, 5), MOMENTS);
        assertEquals(0, p.lostWrites(), "the loss hidden...");
        assertTrue(p.implausibleOutcomes() >= 4, "...but a failed write is always the last of its connection: " + p.implausibleOutcomes());
        assertEquals("inconsistent", p.verdict());
    }

    @Test
    void aWriteOfTheNewInstanceMissingOrARowNobodyWroteDoesNotHoldTogether() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j, 5);
        rows.remove(j.get(j.size() - 1).seq());
        assertEquals(1, RegionLoss.compute(RUN, j, rows, MOMENTS).lostAfterPromotion());
        Map<Long, Proof.Row> extra = rows(j, 5);
        extra.put(9999L, new Proof.Row(9999, T0, T0, 1L, "p", "x"));
        RegionLoss p = RegionLoss.compute(RUN, j, extra, MOMENTS);
        assertEquals(1, p.unjournaledRows());
        assertEquals("inconsistent", p.verdict());
    }
}
