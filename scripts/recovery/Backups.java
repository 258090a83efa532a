package recovery;

//SOURCES ../common/Json.java ../common/Problem.java AppLog.java

//DEPS org.xerial:sqlite-jdbc:3.54.1.0

import common.Json;
import common.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The app's backups: taken with SQLite's online backup (a consistent copy of a live database,
 * which a plain file copy is not), checked with PRAGMA integrity_check, named by their UTC time,
 * logged; listed with their validity; restored without ever overwriting data that is not kept.
 */
public final class Backups {
    public static final String DATABASE = "app.db";
    public static final String LOG = "backup.log";
    /** The restore points as pra-backups and the drill saw them, in the evidence. */
    public static final String LISTING = "backups.json";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Backups() {}

    /**
     * Whether a file name is one the backup job writes: app-<UTC time>.db. Nothing else in a
     * backup volume is taken for a backup, and nothing else may be asked for by name.
     */
    public static boolean isBackup(String name) {
        return name.matches("app-[0-9]{8}T[0-9]{6}\\.[0-9]{3}Z\\.db");
    }

    /** One restore point. */
    public record Point(String file, String time, long size, Long messages, Long lastId, boolean valid, String problem) {}

    /** Copies the live database into the backup folder; returns the new point, already checked. */
    public static Point take(Path dataDir, Path backupDir) throws IOException, SQLException {
        Path source = dataDir.resolve(DATABASE);
        if (!Files.exists(source)) throw new IOException("no database at " + source);
        Files.createDirectories(backupDir);
        Instant at = Instant.now();
        Path target = backupDir.resolve("app-" + NAME.format(at) + ".db");
        Path partial = backupDir.resolve(target.getFileName() + ".partial");
        try (Connection c = open(source); Statement s = c.createStatement()) {
            s.executeUpdate("backup to " + partial);
        }
        // The copy carries the live database's WAL mode, and any reader of a WAL file leaves -wal and
        // -shm files beside it. A backup is never written again: the rollback journal keeps it one file.
        try (Connection c = open(partial); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=DELETE");
        }
        Point p = inspect(partial, at);
        for (String side : new String[] {"-wal", "-shm", "-journal"}) Files.deleteIfExists(partial.resolveSibling(partial.getFileName() + side));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        p = new Point(target.getFileName().toString(), p.time(), p.size(), p.messages(), p.lastId(), p.valid(), p.problem());
        Files.writeString(backupDir.resolve(LOG), Json.line(p) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        return p;
    }

    /**
     * What a plain file copy of the live database holds, beside the online backup of the same
     * moment: the lesson of pra-copy. The app keeps SQLite in WAL mode, so its newest writes sit
     * in app.db-wal until a checkpoint folds them into app.db; a copy of app.db alone misses them,
     * and before the first checkpoint it misses the table itself.
     */
    public record Comparison(long liveBytes, long walBytes, long copyBytes, Long copyMessages, String copyProblem,
                             Long onlineMessages, String onlineProblem) {}

    /** Copies app.db as cp would and takes an online backup, both into scratch, and opens each. */
    public static Comparison compare(Path dataDir, Path scratch) throws IOException, SQLException {
        Path source = dataDir.resolve(DATABASE);
        if (!Files.exists(source)) throw Problem.failed("pra.copy.no-database", source);
        Files.createDirectories(scratch);
        Path wal = dataDir.resolve(DATABASE + "-wal");
        long walBytes = Files.exists(wal) ? Files.size(wal) : 0;
        Path plain = scratch.resolve("cp-app.db");
        Files.copy(source, plain, StandardCopyOption.REPLACE_EXISTING);
        Point copied = inspect(plain, Instant.now());
        Point online = take(dataDir, scratch.resolve("online"));
        return new Comparison(Files.size(source), walBytes, copied.size(), copied.messages(), copied.problem(), online.messages(), online.problem());
    }

    /**
     * A read-only connection that leaves nothing beside the file. A backup never changes once taken:
     * read as immutable, no -shm or -wal appears beside it in the backup volume, even for a reader
     * stopped halfway. A database with its WAL beside it (live, or kept aside by a restore) is read
     * through that WAL, which immutable would skip, losing its newest rows.
     */
    private static Connection readOnly(Path file) throws SQLException {
        boolean withWal = Files.exists(Path.of(file + "-wal"));
        return DriverManager.getConnection("jdbc:sqlite:file:" + file + (withWal ? "?mode=ro" : "?mode=ro&immutable=1"));
    }

    /** The messages a database holds, each as the app acknowledged it: its id and created_at. */
    public static Set<AppLog.Ack> rows(Path file) throws IOException {
        Set<AppLog.Ack> rows = new HashSet<>();
        try (Connection c = readOnly(file); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT id, created_at FROM messages")) {
            while (r.next()) rows.add(new AppLog.Ack(r.getLong(1), r.getString(2)));
        } catch (SQLException e) {
            throw new IOException(file.getFileName() + ": " + e.getMessage(), e);
        }
        return rows;
    }

    /** The restore points pra-backups recorded in an evidence folder, newest first; empty when it has not run. */
    public static List<Point> readListing(Path evidence) throws IOException {
        Path f = evidence.resolve(LISTING);
        return Files.exists(f) ? List.of(Json.read(f, Point[].class)) : List.of();
    }

    /** Every restore point, newest first. */
    public static List<Point> list(Path backupDir) throws IOException {
        List<Point> points = new ArrayList<>();
        if (!Files.isDirectory(backupDir)) return points;
        try (Stream<Path> files = Files.list(backupDir)) {
            for (Path f : (Iterable<Path>) files.filter(f -> isBackup(f.getFileName().toString()) && Files.isRegularFile(f))::iterator) {
                points.add(inspect(f, timeOf(f)));
            }
        }
        points.sort(Comparator.comparing(Point::time).reversed());
        return points;
    }

    /** The newest backup that passes its integrity check; a Problem when there is none. */
    public static Point latestValid(Path backupDir) throws IOException {
        return list(backupDir).stream().filter(Point::valid).findFirst()
                .orElseThrow(() -> Problem.failed("pra.backups.none", backupDir));
    }

    public static Instant timeOf(Path f) {
        String name = f.getFileName().toString();
        try {
            return Instant.from(NAME.parse(name.substring(4, name.length() - 3)));
        } catch (RuntimeException e) {
            return Instant.EPOCH;
        }
    }

    /** Any SQLite file of the app (a backup, or a restored database): integrity, count, last id. */
    public static Point check(Path file) throws IOException {
        return inspect(file, timeOf(file));
    }

    /** Opens a backup read-only and checks it; a damaged file is reported invalid, never thrown. */
    static Point inspect(Path file, Instant at) throws IOException {
        long size = Files.size(file);
        try (Connection c = readOnly(file); Statement s = c.createStatement()) {
            String check;
            try (ResultSet r = s.executeQuery("PRAGMA integrity_check")) {
                r.next();
                check = r.getString(1);
            }
            if (!"ok".equals(check)) return new Point(file.getFileName().toString(), at.toString(), size, null, null, false, check);
            try (ResultSet r = s.executeQuery("SELECT count(*), max(id) FROM messages")) {
                r.next();
                long lastId = r.getLong(2);
                return new Point(file.getFileName().toString(), at.toString(), size, r.getLong(1), r.wasNull() ? null : lastId, true, null);
            }
        } catch (SQLException e) {
            return new Point(file.getFileName().toString(), at.toString(), size, null, null, false, e.getMessage());
        }
    }

    /**
     * Restores a backup into the data folder. A database already there is refused unless forced,
     * and even then it is kept beside, renamed, before anything is written.
     */
    public static Path restore(Path backup, Path dataDir, boolean force) throws IOException, SQLException {
        Point p = inspect(backup, timeOf(backup));
        if (!p.valid()) throw Problem.failed("pra.restore.invalid", backup, p.problem());
        Files.createDirectories(dataDir);
        Path db = dataDir.resolve(DATABASE);
        Path kept = null;
        if (Files.exists(db)) {
            if (!force) throw Problem.failed("pra.restore.occupied", db);
            String suffix = ".before-restore-" + NAME.format(Instant.now());
            kept = dataDir.resolve(DATABASE + suffix);
            Files.move(db, kept);
            for (String side : new String[] {"-wal", "-shm"}) {
                Path f = dataDir.resolve(DATABASE + side);
                // Named after the kept database, so that SQLite, opening it, finds its journal beside it.
                if (Files.exists(f)) Files.move(f, dataDir.resolve(DATABASE + suffix + side));
            }
        }
        try (Connection c = open(db); Statement s = c.createStatement()) {
            s.executeUpdate("restore from " + backup);
        }
        return kept;
    }

    /**
     * The Kubernetes jobs' entry point, in the app's image: "backup DATA BACKUPS" (the CronJob),
     * "restore DATA BACKUPS" (the restore Job, which reads RESTORE_FILE and RESTORE_FORCE) and
     * "list BACKUPS" (what pra-backups shows), "rows FILE" (the messages a backup holds, for the
     * restore's count of the loss) and "compare DATA" (what pra-copy shows). Prints one
     * JSON line; exits 0 only on success.
     */
    public static void main(String[] args) throws Exception {
        boolean one = args.length == 2 && (args[0].equals("list") || args[0].equals("compare") || args[0].equals("rows"));
        if (!one && (args.length != 3 || !(args[0].equals("backup") || args[0].equals("restore")))) {
            System.err.println("usage: recovery.Backups backup|restore DATA_DIR BACKUP_DIR, recovery.Backups list BACKUP_DIR, "
                    + "recovery.Backups compare DATA_DIR, or recovery.Backups rows BACKUP_FILE");
            System.exit(2);
        }
        try {
            if (one && args[0].equals("list")) {
                System.out.println(Json.line(list(Path.of(args[1]))));
                System.exit(0);
            }
            if (one && args[0].equals("rows")) {
                System.out.println(Json.line(rows(Path.of(args[1])).stream().sorted(Comparator.comparingLong(AppLog.Ack::id)).toList()));
                System.exit(0);
            }
            if (one) {
                System.out.println(Json.line(compare(Path.of(args[1]), Files.createTempDirectory("pra-copy"))));
                System.exit(0);
            }
            Path data = Path.of(args[1]);
            Path backups = Path.of(args[2]);
            if (args[0].equals("backup")) {
                Point p = take(data, backups);
                System.out.println(Json.line(p));
                System.exit(p.valid() ? 0 : 1);
            }
            String file = System.getenv("RESTORE_FILE");
            Point point = file == null || file.isBlank() ? latestValid(backups) : inspect(backups.resolve(file), timeOf(backups.resolve(file)));
            Path kept = restore(backups.resolve(point.file()), data, "true".equals(System.getenv("RESTORE_FORCE")));
            System.out.println(Json.line(Map.of("restored_from", point.file(), "messages", point.messages(),
                    "kept_aside", kept == null ? "" : kept.toString())));
            System.exit(0);
        } catch (Problem p) {
            System.err.println(p.getMessage());
            System.exit(p.exitCode());
        }
    }

    static Connection open(Path db) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }
}
