import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Bundle;
import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import recovery.LocalSite;

/** Bundles from real runs of both workshops, graded as they are, then tampered with one way at a time. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GradeTest {
    Path home;
    Path zip;
    Kit kit;

    @BeforeAll
    void realRuns(@TempDir Path dir) throws Exception {
        home = dir.resolve("home");
        kit = new Kit(home);
        kit.ok("mission");
        kit.ok("pra");
        List<?> points = Json.read(kit.ok("pra_backups", "--json").out(), List.class);
        kit.ok("pra_restore", "--force", "--point", (String) ((Map<?, ?>) points.get(points.size() - 1)).get("file"));
        // Exercise 3 answered with the run's own figures, the others in words.
        Path first;
        try (Stream<Path> restores = Files.list(home.resolve("evidence/pra/restores"))) {
            first = restores.sorted().findFirst().orElseThrow();
        }
        Map<?, ?> measured = Json.read(first, Map.class);
        Path answers = Files.createDirectories(home.resolve("answers"));
        Files.writeString(answers.resolve("pra.md"), String.join("\n",
                "## 1", "The volume holds the data; the pod holds nothing.",
                "## 3", String.format(java.util.Locale.ROOT, "Our RPO was %.1f s of writes and the RTO %.1f s.",
                        ((Number) measured.get("rpo_seconds")).doubleValue(), ((Number) measured.get("rto_seconds")).doubleValue()),
                "## 4", "Both volumes share one disk.", ""));
        zip = dir.resolve("alice.zip");
        kit.ok("bundle", "--student", "alice", "--out", zip.toString());
    }

    @AfterAll
    void down() throws Exception {
        kit.purge();
        new LocalSite(home.resolve("pra")).down(true);
    }

    @Test
    void aBundleFromRealRunsPassesEveryAutomatedCheck(@TempDir Path dir) throws Exception {
        Kit.Result r = grade(dir, zip);
        assertEquals(0, r.exit(), r.all());
        assertTrue(r.out().contains("alice") && r.out().contains("29 / 40"), r.out());
        String csv = Files.readString(dir.resolve("g.csv"));
        assertTrue(csv.lines().anyMatch(l -> l.startsWith("alice,29,40,false")), csv);
        String xml = Files.readString(dir.resolve("g.xml"));
        assertTrue(xml.contains("<testsuite name=\"alice\"") && xml.contains("failures=\"0\""), xml);
    }

    @Test
    void anExercise3AnswerThatDisagreesWithTheRunLosesItsPoint(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Files.writeString(b.resolve("answers/pra.md"), "## 3\nOur RPO was 42 s and our RTO 7 s.\n");
        rehash(b);
        Kit.Result r = grade(dir, b);
        assertEquals(0, r.exit(), "not a required check: " + r.all());
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] pra\\.exercise3.*says RPO 42\\.0 s.*"), r.out());
    }

    @Test
    void withoutTheDrillTheLossIsRecountedFromTheAppsOwnLog(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Files.delete(b.resolve("pra/drill.json"));
        Bundle.Manifest m = Json.read(b.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        Map<String, String> files = new TreeMap<>(m.files());
        files.remove("pra/drill.json");
        Files.writeString(b.resolve(Bundle.MANIFEST), Json.write(new Bundle.Manifest(m.kit(), m.student(), m.createdAt(), files)));
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[ ok  \\] pra\\.rpo.*"), r.out());

        Path log = b.resolve("pra-log/app.log");
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(log));
        lines.removeIf(l -> l.startsWith("ADD id="));
        Files.write(log, lines);
        rehash(b);
        Kit.Result hidden = grade(dir, b);
        assertTrue(hidden.out().matches("(?s).*\\[FAIL \\] pra\\.rpo.*"), hidden.out());
    }

    @Test
    void aRemovedJournalLineIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path journal = b.resolve("maz/journal.csv");
        List<String> lines = Files.readAllLines(journal);
        lines.remove(50);
        Files.write(journal, lines);
        rehash(b);
        assertFails(dir, b, "maz.journal");
    }

    @Test
    void aHiddenLostWriteIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path rows = b.resolve("maz/database.csv");
        List<String> lines = Files.readAllLines(rows);
        lines.remove(100);
        Files.write(rows, lines);
        rehash(b);
        assertFails(dir, b, "maz.rpo");
    }

    @Test
    void anRtoEditedInTheSummaryIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Path proof = b.resolve("maz/proof.json");
        Files.writeString(proof, Files.readString(proof).replaceAll("\"rto_ms\": \\d+", "\"rto_ms\": 1"));
        rehash(b);
        Kit.Result r = grade(dir, b);
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] maz\\.rto.*"), r.out());
    }

    @Test
    void aSwappedBackupIsCaught(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Map<?, ?> restore = Json.read(b.resolve("pra/restore.json"), Map.class);
        Path restored = b.resolve("pra-backup").resolve((String) restore.get("restored_from"));
        Path other;
        try (Stream<Path> list = Files.list(b.resolve("pra-backup"))) {
            other = list.filter(p -> p.toString().endsWith(".db") && !p.equals(restored)).findFirst().orElseThrow();
        }
        Files.copy(other, restored, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        rehash(b);
        assertFails(dir, b, "pra.restore");
    }

    @Test
    void aFileChangedAfterBundlingBreaksTheManifest(@TempDir Path dir) throws Exception {
        Path b = unpacked(dir);
        Files.writeString(b.resolve("maz/events.json"), "[]");
        assertFails(dir, b, "manifest");
    }

    @Test
    void aMalformedBundleGetsAReasonAndTheOthersAreStillGraded(@TempDir Path dir) throws Exception {
        Path folder = Files.createDirectories(dir.resolve("class"));
        Files.copy(zip, folder.resolve("alice.zip"));
        Files.writeString(folder.resolve("bob.zip"), "not a zip at all");
        Kit.Result r = grade(dir, folder);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("cannot be read"), r.out());
        assertTrue(r.out().contains("29 / 40"), "alice is graded all the same: " + r.out());
    }

    private Kit.Result grade(Path dir, Path bundle) {
        return kit.run("grade", bundle.toString(), "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString());
    }

    private void assertFails(Path dir, Path bundle, String check) {
        Kit.Result r = grade(dir, bundle);
        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().matches("(?s).*\\[FAIL \\] " + check.replace(".", "\\.") + ".*"), r.out());
    }

    private Path unpacked(Path dir) throws Exception {
        return Bundle.open(zip, dir);
    }

    /** A careful cheat re-hashes what they changed: the grader must catch it from the data. */
    private static void rehash(Path bundle) throws Exception {
        Bundle.Manifest m = Json.read(bundle.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        Map<String, String> files = new TreeMap<>();
        for (String name : m.files().keySet()) files.put(name, Bundle.sha256(bundle.resolve(name)));
        Files.writeString(bundle.resolve(Bundle.MANIFEST), Json.write(new Bundle.Manifest(m.kit(), m.student(), m.createdAt(), files)));
    }
}
