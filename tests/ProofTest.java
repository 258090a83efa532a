import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Journal;
import common.Problem;
import common.Proof;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proof's arithmetic on journals and rows built by hand, where the right answer is known. */
class ProofTest {
    static final String RUN = "run1";
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Writes every 10 ms, acknowledged except between 2000 and 2300 ms, where they fail. */
    private static List<Journal.Entry> journal() {
        List<Journal.Entry> j = new ArrayList<>();
        for (int i = 1; i <= 400; i++) {
            Instant sent = T0.plusMillis(i * 10L);
            boolean down = i * 10 > 2000 && i * 10 < 2300;
            j.add(new Journal.Entry(i, sent, sent.plusMillis(1), down ? Journal.Outcome.fail : Journal.Outcome.ack, "az1", null, 1000,
                    Journal.checksum(RUN, i, sent, "p" + i), down ? "connect: refused" : null));
        }
        return j;
    }

    private static Map<Long, Proof.Row> rows(List<Journal.Entry> journal) {
        Map<Long, Proof.Row> rows = new HashMap<>();
        for (Journal.Entry e : journal) {
            if (e.outcome() == Journal.Outcome.ack) rows.put(e.seq(), new Proof.Row(e.seq(), e.sentAt(), "p" + e.seq(), e.checksum()));
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
    }

    @Test
    void aDeletedRowIsLostAndAnAlteredOneIsCorrupt() {
        List<Journal.Entry> j = journal();
        Map<Long, Proof.Row> rows = rows(j);
        rows.remove(7L);
        rows.remove(350L);
        Proof.Row r = rows.get(9L);
        rows.put(9L, new Proof.Row(9, r.sentAt(), "tampered", r.checksum()));
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

    @Test
    void unknownWritesAreNeitherLostNorAcknowledged() {
        List<Journal.Entry> j = journal();
        Journal.Entry e = j.get(10);
        j.set(10, new Journal.Entry(e.seq(), e.sentAt(), e.doneAt(), Journal.Outcome.unknown, null, null, 0, e.checksum(), "08006 I/O error"));
        Map<Long, Proof.Row> rows = rows(j);
        Proof p = Proof.compute(RUN, j, rows, null);
        assertEquals("pass", p.verdict());
        assertEquals(1, p.unknownWrites());
        assertEquals(0, p.unknownFound());
        assertEquals(370, p.acknowledgedWrites());
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
}
