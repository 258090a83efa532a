import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Problem;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.Backups;

/** Backups of a live SQLite database, on real files: consistent, checked, restorable, never destructive. */
class BackupsTest {
    @TempDir Path dir;
    Path data;
    Path backups;

    @BeforeEach
    void database() throws Exception {
        data = Files.createDirectories(dir.resolve("pra-data"));
        backups = dir.resolve("pra-backup");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("app.db")); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, created_at TEXT NOT NULL)");
        }
    }

    private void add(int n) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("app.db"));
             PreparedStatement s = c.prepareStatement("INSERT INTO messages (message, created_at) VALUES (?, datetime('now'))")) {
            for (int i = 0; i < n; i++) {
                s.setString(1, "m" + i);
                s.executeUpdate();
            }
        }
    }

    @Test
    void backupsTakenWhileMessagesAreAddedAreEachConsistent() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("app.db"));
                 PreparedStatement s = c.prepareStatement("INSERT INTO messages (message, created_at) VALUES ('x', datetime('now'))")) {
                c.createStatement().execute("PRAGMA busy_timeout = 5000");
                while (writing.get()) s.executeUpdate();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        for (int i = 0; i < 8; i++) {
            Backups.Point p = Backups.take(data, backups);
            assertTrue(p.valid(), p.toString());
            Thread.sleep(30);
        }
        writing.set(false);
        writer.join();
        List<Backups.Point> points = Backups.list(backups);
        assertEquals(8, points.size());
        long previous = Long.MAX_VALUE;
        for (Backups.Point p : points) {
            assertTrue(p.valid());
            assertNotNull(p.lastId());
            // Each copy is one moment of the database: ids 1..n, with no hole and nothing half-written.
            assertEquals(p.lastId(), p.messages(), p.file());
            assertTrue(p.messages() <= previous, "listed newest first");
            previous = p.messages();
        }
        assertTrue(Files.readString(backups.resolve("backup.log")).lines().count() == 8, "every backup is logged");
    }

    @Test
    void aDamagedNewestBackupIsSkippedForTheNewestValidOne() throws Exception {
        add(10);
        Backups.Point good = Backups.take(data, backups);
        Thread.sleep(5);
        add(10);
        Backups.Point newest = Backups.take(data, backups);
        try (RandomAccessFile f = new RandomAccessFile(backups.resolve(newest.file()).toFile(), "rw")) {
            f.seek(0);
            f.write("this is no longer a database".getBytes());
        }
        List<Backups.Point> points = Backups.list(backups);
        assertFalse(points.get(0).valid(), "the damaged newest one is listed, as invalid");
        assertEquals(good.file(), Backups.latestValid(backups).file());
    }

    @Test
    void noBackupAtAllIsAClearErrorAndTouchesNothing() throws Exception {
        add(3);
        Problem p = assertThrows(Problem.class, () -> Backups.latestValid(backups));
        assertTrue(p.getMessage().contains("no backup at all"), p.getMessage());
        assertTrue(Files.exists(data.resolve("app.db")));
    }

    @Test
    void aRestoreOntoADatabaseRefusesWithoutForceAndKeepsACopyWithIt() throws Exception {
        add(5);
        Backups.Point five = Backups.take(data, backups);
        add(7);
        Problem refused = assertThrows(Problem.class, () -> Backups.restore(backups.resolve(five.file()), data, false));
        assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
        assertEquals(12, count(data.resolve("app.db")), "refused means untouched");

        Path kept = Backups.restore(backups.resolve(five.file()), data, true);
        assertNotNull(kept);
        assertEquals(12, count(kept), "the database that was there is kept whole");
        assertEquals(5, count(data.resolve("app.db")), "the chosen point is restored");
    }

    private static long count(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT count(*) FROM messages")) {
            r.next();
            return r.getLong(1);
        }
    }

    @Test
    void theJobsEntryPointBacksUpAndRestoresTheNamedPoint() throws Exception {
        add(4);
        Kit kit = new Kit(dir);
        Kit.Result backup = kit.run("recovery.Backups", "backup", data.toString(), backups.toString());
        assertEquals(0, backup.exit(), backup.all());
        String file = Backups.list(backups).get(0).file();
        // What the listing Job prints is what pra-backups reads back on Kubernetes.
        Kit.Result list = kit.run("recovery.Backups", "list", backups.toString());
        assertEquals(0, list.exit(), list.all());
        assertEquals(Backups.list(backups), java.util.List.of(common.Json.read(list.out().strip(), Backups.Point[].class)));
        add(6);
        Kit.Result refused = kit.run(java.util.Map.of("RESTORE_FILE", file), "recovery.Backups", "restore", data.toString(), backups.toString());
        assertEquals(1, refused.exit(), "a data volume that holds a database is refused without RESTORE_FORCE");
        Kit.Result forced = kit.run(java.util.Map.of("RESTORE_FILE", file, "RESTORE_FORCE", "true"), "recovery.Backups", "restore",
                data.toString(), backups.toString());
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(forced.out().contains(file), forced.out());
        assertEquals(4, count(data.resolve("app.db")));
    }
}
