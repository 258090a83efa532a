import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mission.Journal;
import mission.Mole;
import mission.Proof;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proof's arithmetic on journals and rows built by hand, where the right answer is known. */
class ProofTest {
    static final String RUN = "run1";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /**
     * Writes every 10 ms, acknowledged except between 2000 and 2300 ms, where each attempt fails
     * to connect: connection 1 before the outage, one connection attempt per failure, then a
     * last connection after it.
     */
    private static List<Journal.Entry> journal() {
        List<Journal.Entry> j = new ArrayList<>();
        long conn = 1;
        for (int i = 1; i <= 400; i++) {
            Instant sent = T0.plusMillis(i * 10L);
            boolean down = i * 10 > 2000 && i * 10 < 2300;
            if (down || i * 10 == 2300) conn++;
            j.add(new Journal.Entry(i, sent, sent.plusMillis(1), down ? Journal.Outcome.fail : Journal.Outcome.ack, conn, "az1", null, 1000,
                    Journal.checksum(RUN, i, sent, "p" + i), down ? "connect: refused" : null));
        }
        return j;
    }

    /** The rows as the server wrote them: half a millisecond into each attempt, one transaction each. */
    private static Map<Long, Proof.Row> rows(List<Journal.Entry> journal) {
        Map<Long, Proof.Row> rows = new HashMap<>();
        for (Journal.Entry e : journal) {
            if (e.outcome() == Journal.Outcome.ack) {
                rows.put(e.seq(), new Proof.Row(e.seq(), e.sentAt(), e.sentAt().plusMillis(0).plusNanos(500_000), 1000 + e.seq(), "p" + e.seq(), e.checksum()));
            }
        }
        return rows;
    }

    @Test
    void aCleanRunPassesAndItsOutageIsMeasured() {
        List<Journal.Entry> j = journal();
        Proof p = Proof.compute(RUN, j, rows(j), T0.plusMillis(1990));
        assertEquals("pass", p.verdict());
        assertEquals(371, p.acknowledgedWrites());
        assertEquals(0, p.lostWrites());
        assertEquals(29, p.failedWrites());
        assertEquals(300, p.rtoMs(), "last ack at 2001 ms, next at 2301 ms");
        assertEquals(T0.plusMillis(2001).toString(), p.outageFrom());
        assertEquals(291, p.firstErrorToSuccessMs(), "first failure sent at 2010 ms, success done at 2301 ms");
        assertEquals(0, p.rpoMs(), "nothing lost: an RPO of zero, as a duration");
    }

    /** The RPO is a duration: five writes acknowledged just before the outage and missing take the 40 ms up to the failure. */
    @Test
    void theRpoIsTheTimeSpanWhoseAcknowledgedWritesAreGone() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j);
        for (long seq = 196; seq <= 200; seq++) rows.remove(seq);
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals(5, p.lostWrites());
        assertEquals(40, p.rpoMs(), "from the first lost write's acknowledgement (1961 ms) to the last before the outage (2001 ms)");
    }

    @Test
    void aDeletedRowIsLostAndAnAlteredOneIsCorrupt() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j);
        rows.remove(7L);
        rows.remove(350L);
        Proof.Row r = rows.get(9L);
        rows.put(9L, new Proof.Row(9, r.sentAt(), r.writtenAt(), r.xid(), "tampered", r.checksum()));
        Proof p = Proof.compute(RUN, j, rows, null);
        assertEquals("fail", p.verdict());
        assertEquals(2, p.lostWrites());
        assertEquals(List.of(7L, 350L), p.lostSeqs());
        assertEquals(1, p.corruptRows());
        assertEquals(List.of(9L), p.corruptSeqs());
    }

    @Test
    void aRemovedJournalLineLeavesAHoleAndARowTheJournalDoesNotKnow() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j);
        j.remove(99);
        Proof p = Proof.compute(RUN, j, rows, null);
        assertEquals("fail", p.verdict());
        assertEquals(1, p.journalHoles());
        assertEquals(1, p.unjournaledRows());
    }

    /** The last write on the connection that broke at the outage: its answer was lost, and it is not in the table. */
    @Test
    void anUnknownWriteWhereTheConnectionBrokeIsNeitherLostNorAcknowledged() {
        List<Journal.Entry> j = journal();
        Journal.Entry e = j.get(199);
        j.set(199, new Journal.Entry(e.seq(), e.sentAt(), e.doneAt(), Journal.Outcome.unknown, e.conn(), null, null, 0, e.checksum(), "08006 I/O error"));
        Map<Long, Proof.Row> rows = rows(j);
        rows.remove(200L);
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals("pass", p.verdict());
        assertEquals(1, p.unknownWrites());
        assertEquals(0, p.unknownFound());
        assertEquals(0, p.implausibleUnknowns());
        assertEquals(370, p.acknowledgedWrites());
    }

    /**
     * The cheat: a lost write hidden by turning its "ack" into "unknown". Its connection went on
     * taking writes, so its answer cannot have been lost: it counts as acknowledged, and lost.
     */
    @Test
    void anUnknownOnAConnectionThatLivedOnCountsAsAcknowledged() {
        List<Journal.Entry> j = journal();
        Journal.Entry e = j.get(150);
        j.set(150, new Journal.Entry(e.seq(), e.sentAt(), e.doneAt(), Journal.Outcome.unknown, e.conn(), null, null, 0, e.checksum(), "08006 I/O error"));
        Map<Long, Proof.Row> rows = rows(j);
        rows.remove(151L);
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals("fail", p.verdict());
        assertEquals(1, p.implausibleUnknowns());
        assertEquals(List.of(151L), p.implausibleSeqs());
        assertEquals(1, p.lostWrites());
        assertEquals(List.of(151L), p.lostSeqs());
    }

    /** The cheat: the writes after the outage moved 200 ms earlier in the journal and in the rows' client times. */
    @Test
    void anOutageShortenedInTheJournalDisagreesWithTheServersClock() {
        List<Journal.Entry> honest = journal();
        Map<Long, Proof.Row> honestRows = rows(honest);
        List<Journal.Entry> j = new ArrayList<>();
        Map<Long, Proof.Row> rows = new HashMap<>();
        for (Journal.Entry e : honest) {
            boolean after = e.seq() >= 230;
            Instant sent = after ? e.sentAt().minusMillis(200) : e.sentAt();
            String checksum = Journal.checksum(RUN, e.seq(), sent, "p" + e.seq());
            j.add(new Journal.Entry(e.seq(), sent, after ? e.doneAt().minusMillis(200) : e.doneAt(), e.outcome(), e.conn(), e.az(), e.server(),
                    e.latencyMicros(), checksum, e.error()));
            Proof.Row r = honestRows.get(e.seq());
            if (r != null) rows.put(e.seq(), new Proof.Row(r.seq(), sent, r.writtenAt(), r.xid(), r.payload(), checksum));
        }
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals(100, p.rtoMs(), "the journal alone now says 100 ms");
        assertEquals("fail", p.verdict());
        assertEquals(171, p.rowsOffClock(), "every row after the outage was written 200 ms after its attempt ended");
    }

    /** The cheat: a lost write put back by hand after the run. Its transaction and its time come last. */
    @Test
    void aRowInsertedAfterTheFactIsOutOfOrder() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j);
        Proof.Row r = rows.get(120L);
        rows.put(120L, new Proof.Row(120, r.sentAt(), T0.plusSeconds(60), 9999L, r.payload(), r.checksum()));
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals("fail", p.verdict());
        assertEquals(1, p.rowsOffClock());
        assertTrue(p.rowsOutOfOrder() >= 1, "the row after it has an older transaction and time: " + p.rowsOutOfOrder());
    }

    @Test
    void anEmptyJournalProvesNothing() {
        Proof p = Proof.compute(RUN, List.of(), Map.of(), null);
        assertEquals("fail", p.verdict());
        assertNull(p.rtoMs());
    }

    @Test
    void journalAndRowsSurviveTheirFilesAndADamagedLineIsNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("journal.csv");
        try (Journal w = Journal.create(file)) {
            for (Journal.Entry e : journal()) w.append(e);
        }
        assertEquals(journal(), Journal.read(file));
        Files.writeString(file, "12,not-a-time,x\n", java.nio.file.StandardOpenOption.APPEND);
        Problem p = org.junit.jupiter.api.Assertions.assertThrows(Problem.class, () -> Journal.read(file));
        assertEquals(Problem.CHECK_FAILED, p.exitCode());
        assertTrue(p.getMessage().contains("line 402"), p.getMessage());

        Path rowsFile = dir.resolve("database.csv");
        Map<Long, Proof.Row> rows = rows(journal());
        Proof.writeRows(rowsFile, new java.util.TreeMap<>(rows).values());
        assertEquals(rows, Proof.readRows(rowsFile));
    }

    /**
     * A run cut off and resumed (Agent.resume) after the outage: 30 s without a line, the seq
     * after the last one skipped (its write was in flight, and its row is there), a new
     * connection. Not a hole, not an unjournaled row, not the RTO; the outage stays the 300 ms.
     */
    @Test
    void aRunCutOffAndResumedShowsItsTimeAwayAndNoOutageNorHole() {
        List<Journal.Entry> j = new ArrayList<>(journal());
        Map<Long, Proof.Row> rows = rows(j);
        Instant back = T0.plusMillis(4000).plusSeconds(30);
        Instant inFlight = T0.plusMillis(4005);
        rows.put(401L, new Proof.Row(401, inFlight, inFlight.plusNanos(500_000), 1401L, "p401", Journal.checksum(RUN, 401, inFlight, "p401")));
        for (int i = 402; i <= 500; i++) {
            Instant sent = back.plusMillis((i - 402) * 10L);
            Journal.Entry e = new Journal.Entry(i, sent, sent.plusMillis(1), Journal.Outcome.ack, 40, "az1", null, 1000, Journal.checksum(RUN, i, sent, "p" + i), null);
            j.add(e);
            rows.put((long) i, new Proof.Row(i, sent, sent.plusNanos(500_000), 1000L + i, "p" + i, e.checksum()));
        }
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals("pass", p.verdict(), p.toString());
        assertEquals(0, p.journalHoles());
        assertEquals(0, p.unjournaledRows());
        assertEquals(1, p.unknownFound(), "the write in flight when the agent was cut off is in the database: its outcome was unknown");
        assertEquals(300, p.rtoMs(), "the time away is not the outage");
        assertEquals(List.of(new Proof.Away(400, T0.plusMillis(4001).toString(), 402, back.toString(), 30_000 - 1)), p.agentAway());
    }

    /** A line deleted from the journal leaves a hole, a silence or not: only the three marks of a resumption together excuse one. */
    @Test
    void aDeletedLineIsAHoleNotATimeAway() {
        List<Journal.Entry> j = new ArrayList<>(journal());
        Map<Long, Proof.Row> rows = rows(j);
        j.removeIf(e -> e.seq() == 210);
        Proof p = Proof.compute(RUN, j, rows, T0.plusMillis(1990));
        assertEquals(1, p.journalHoles());
        assertTrue(p.agentAway().isEmpty());
        List<Journal.Entry> quiet = new ArrayList<>(journal());
        // A silence made by deleting a second of lines: 99 holes, which no resumption excuses.
        quiet.removeIf(e -> e.seq() > 100 && e.seq() < 200);
        Proof q = Proof.compute(RUN, quiet, rows(quiet), null);
        assertTrue(q.agentAway().isEmpty());
        assertEquals(99, q.journalHoles());
        assertEquals("fail", q.verdict());
    }

    /**
     * A busy machine paused the agent for 140 ms just after the sabotage was asked for, and the
     * fault struck 1.2 s later (on RDS a failover begins seconds after the request); the outage
     * lasted 2 s. Step 6 must not take the pause for the outage and stop there: its figure is the
     * proof's, the longest gap, which ends on the new primary.
     */
    @Test
    void stepSixWaitsForWritesToKeepComingAndReportsTheProofsOutage(@TempDir Path home) throws Exception {
        Instant sabotage = T0.plusMillis(2000);
        List<Journal.Entry> j = every10Ms(7000, at -> {
            boolean paused = at > 2010 && at < 2150;
            boolean down = at > 3400 && at < 5400;
            if (paused || (down && at % 50 != 0)) return null;
            return down ? REFUSED : at < 3400 ? "az1" : "az2";
        });
        Kit.Result six = stepSix(home, j, sabotage);
        Proof.Outage proof = Proof.Outage.of(j, sabotage);
        assertEquals(5400 - 3400, proof.ms(), "the journal's outage: from the last write before the errors to the first after");
        assertEquals(proof.ms(), outageOfStepSix(home), "step 6 reports the proof's outage, not the pause before it: " + six.out());
        assertTrue(six.out().contains("acknowledged by az2"), "writes are back on the new primary: " + six.out());
    }

    /**
     * The failover's outage lasted 130 ms; writes then kept coming on the new primary, until a
     * busy machine paused the agent for 160 ms two seconds later. That pause is not the
     * failover's outage: the proof counts as far as step 6 reads (writes back and settled), and
     * the two give one figure.
     */
    @Test
    void aLongerPauseLongAfterTheFailoverIsNotItsOutage(@TempDir Path home) throws Exception {
        Instant sabotage = T0.plusMillis(2000);
        List<Journal.Entry> j = every10Ms(6000, at -> (at > 2100 && at < 2230) || (at > 4000 && at < 4160) ? null : at <= 2100 ? "az1" : "az2");
        Kit.Result six = stepSix(home, j, sabotage);
        assertEquals(130, Proof.Outage.of(j, sabotage).ms(), "the failover's outage, not the pause after it");
        assertEquals(130, outageOfStepSix(home), six.out());
        assertEquals(160, Proof.Outage.of(j, null).ms(), "with no sabotage the whole run counts, and its longest pause");
    }

    private static final String REFUSED = "refused";

    /**
     * A journal with a slot every 10 ms from T0 + 10 ms to T0 + untilMs, each attempt done 1 ms
     * after it is sent. What each slot holds, by its time in ms: the AZ that acknowledged the
     * write, REFUSED for an attempt refused at connect, null for no attempt.
     */
    private static List<Journal.Entry> every10Ms(long untilMs, java.util.function.LongFunction<String> slot) {
        List<Journal.Entry> j = new ArrayList<>();
        for (long at = 10; at <= untilMs; at += 10) {
            String az = slot.apply(at);
            if (az == null) continue;
            long seq = j.size() + 1;
            Instant sent = T0.plusMillis(at);
            boolean ack = !az.equals(REFUSED);
            j.add(new Journal.Entry(seq, sent, sent.plusMillis(1), ack ? Journal.Outcome.ack : Journal.Outcome.fail, ack ? 1 : seq, ack ? az : null, null, 1000,
                    Journal.checksum(RUN, seq, sent, "p" + seq), ack ? null : "connect: refused"));
        }
        return j;
    }

    /** Step 6 run on this journal, the sabotage (a crash in az1) at that time. */
    private static Kit.Result stepSix(Path home, List<Journal.Entry> j, Instant sabotage) throws Exception {
        Path evidence = Files.createDirectories(home.resolve("evidence/maz"));
        Journal journal = Journal.create(evidence.resolve(Journal.FILE));
        for (Journal.Entry e : j) journal.append(e);
        journal.close();
        new common.Evidence(evidence).step("maz5", sabotage, true, new common.Evidence.Sabotage("crash", "az1", "az2", sabotage, 3, null));
        Kit.Result six = new Kit(home).run("maz6", "--evidence", evidence.toString(), "--timeout", "5");
        assertEquals(0, six.exit(), six.all());
        return six;
    }

    private static long outageOfStepSix(Path home) throws Exception {
        Map<?, ?> observed = (Map<?, ?>) common.Json.read(home.resolve("evidence/maz/steps/maz6.json"), Map.class).get("observed");
        return ((Number) observed.get("outage_ms")).longValue();
    }

    /**
     * Step 10's count around the mole's commit at 2000 ms, recovery point at 1000 ms, rows copied
     * back. Write #200 is sent at 2000 ms and acknowledged at 2001 ms, after the commit: it
     * committed before the DELETE looked, which took it. It is one of the writes the error may
     * take (in no copy), not a write made after the error that the recovery lost.
     */
    @Test
    void theMolesCountTakesAWriteInFlightAsItCommitsForOneItMayHaveDeleted() {
        List<Journal.Entry> j = journal().subList(0, 300);
        Map<Long, Proof.Row> rows = rows(j);
        Instant errorAt = T0.plusMillis(2000).plusNanos(500_000);
        // What the DELETE took (sent in the second before it) and the copy did not bring back (sent after the recovery point).
        rows.keySet().removeIf(seq -> seq > 100 && seq <= 200);
        Mole.Count c = Mole.recount(j, rows, errorAt, T0.plusMillis(1000));
        assertEquals(0, c.lostAfterError(), "every write sent after the error is kept");
        assertEquals(100, c.lostBeforeError(), "#101 to #200, #200 among them");
        assertEquals(0, c.missingBeforeRecoveryPoint());
        assertEquals(c.acknowledgedAfterError(), c.keptAfterError());
    }
}
