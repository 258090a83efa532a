package recovery;

//SOURCES ../common/Json.java ../common/SocketOwner.java AppLog.java AppServer.java Backups.java

import common.Json;
import common.SocketOwner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PRA workshop's application: a small HTTP service that keeps messages in SQLite on the
 * pra-data volume. Routes: / (a greeting), /health, /add?message=… (or a POSTed form), /count, /consultation
 * (every message with its time), /status (count, newest backup and its age), and /backup (the
 * backup volume's file names; /backup?file=NAME, one file, for the hand-in bundle on Kubernetes,
 * where only a pod can read a volume).
 *
 *   java -cp … recovery.App --data DIR --backups DIR --port 8080 [--bind 0.0.0.0] [--owner UID]
 *
 * With --owner (the local target), only that account and root may call it: on a machine shared
 * by a class, another student can neither add a message nor take a backup. On Kubernetes the
 * cluster's own access control stands in front of it instead.
 */
public final class App {
    /** The longest message the app keeps, in bytes of UTF-8: a longer one is refused with 413 and nothing is stored. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** What /status answers: the messages held, the newest valid backup (null before the first) and its age. */
    public record Status(long count, String lastBackupFile, Long backupAgeSeconds) {}

    /**
     * One reading of /status by pra-status (practical task 1), kept in the evidence's status.json
     * with every earlier one: when, whether the app answered, and what it said.
     */
    public record Reading(String readAt, boolean answered, Long count, String lastBackupFile, Long backupAgeSeconds) {
        public static final String FILE = "status.json";

        /** Every reading in an evidence folder, oldest first. */
        public static List<Reading> readAll(Path evidence) throws IOException {
            Path f = evidence.resolve(FILE);
            return Files.exists(f) ? List.of(Json.read(f, Reading[].class)) : List.of();
        }

        public static void append(Path evidence, Reading r) throws IOException {
            List<Reading> all = new ArrayList<>(readAll(evidence));
            all.add(r);
            Json.writeAtomically(evidence.resolve(FILE), all);
        }
    }

    private final Path db;
    private final Path backups;
    private final Connection connection;
    /** The only account (besides root) that may call the app, or null when the cluster guards it. */
    private Integer owner;

    App(Path dataDir, Path backups) throws IOException, SQLException {
        Files.createDirectories(dataDir);
        this.db = dataDir.resolve(Backups.DATABASE);
        this.backups = backups;
        this.connection = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = connection.createStatement()) {
            // WAL lets the backup job read a consistent database while the app keeps writing.
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA busy_timeout = 5000");
            s.execute("CREATE TABLE IF NOT EXISTS messages (id INTEGER PRIMARY KEY AUTOINCREMENT, message TEXT NOT NULL, created_at TEXT NOT NULL)");
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of("--data", "/data", "--backups", "/backup", "--port", "8080", "--bind", "127.0.0.1"));
        for (int i = 0; i + 1 < args.length; i += 2) o.put(args[i], args[i + 1]);
        AppServer server = serve(Path.of(o.get("--data")), Path.of(o.get("--backups")), o.get("--bind"), Integer.parseInt(o.get("--port")),
                o.containsKey("--owner") ? Integer.valueOf(o.get("--owner")) : null);
        // Stopped with SIGTERM (by Kubernetes, or the local supervisor), the app stops taking requests
        // and answers the ones it has taken before it goes, as a well-behaved pod does: no client is
        // left with a message stored and never confirmed.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        System.out.println(Instant.now() + " app listening on " + o.get("--bind") + ":" + server.port() + ", database " + Path.of(o.get("--data")).resolve(Backups.DATABASE));
    }

    /** The app on its data and backup folders, answering at that address until closed. */
    public static AppServer serve(Path data, Path backups, String bind, int port, Integer owner) throws IOException, SQLException {
        App app = new App(data, backups);
        app.owner = owner;
        return new AppServer(bind, port, app::handle, App::error);
    }

    private AppServer.Response handle(AppServer.Request request) throws IOException {
        String path = request.path();
        if (owner != null) {
            int uid = SocketOwner.uid(request.remote(), request.localPort());
            if (!SocketOwner.allowed(uid, owner)) {
                System.out.println(Instant.now() + " REFUSED " + path + " from uid " + uid);
                System.out.flush();
                return error(403, "this app answers only the account that runs the workshop");
            }
        }
        Map<String, String> q = request.params();
        try {
            switch (path) {
                case "/" -> {
                    return AppServer.Response.of(200, "text/plain", "DB007 PRA app: messages kept in SQLite. Try /add?message=hello, /count, /consultation, /status.\n");
                }
                case "/health" -> {
                    count();
                    return AppServer.Response.of(200, "text/plain", "ok\n");
                }
                case "/add" -> {
                    return add(q.get("message"));
                }
                case "/count" -> {
                    return json(200, Map.of("count", count()));
                }
                case "/consultation" -> {
                    List<Map<String, Object>> all = new ArrayList<>();
                    try (Statement s = connection.createStatement();
                         ResultSet r = s.executeQuery("SELECT id, message, created_at FROM messages ORDER BY id")) {
                        while (r.next()) all.add(Map.of("id", r.getLong(1), "message", r.getString(2), "created_at", r.getString(3)));
                    }
                    return json(200, all);
                }
                case "/status" -> {
                    Backups.Point last = Backups.list(backups).stream().filter(Backups.Point::valid).findFirst().orElse(null);
                    return json(200, new Status(count(), last == null ? null : last.file(),
                            last == null ? null : Duration.between(Instant.parse(last.time()), Instant.now()).toSeconds()));
                }
                case "/backup" -> {
                    return backup(q.get("file"));
                }
                default -> {
                    return error(404, "no such route: try /add?message=hello, /count, /consultation, /status, /backup");
                }
            }
        } catch (SQLException e) {
            return error(503, String.valueOf(e.getMessage()));
        }
    }

    /** One message stored, and its ADD line logged once the client has its answer. */
    private AppServer.Response add(String message) throws SQLException {
        if (message == null || message.isBlank()) return error(400, "give a message: /add?message=hello");
        int bytes = message.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_MESSAGE_BYTES) {
            return error(413, "the message is " + bytes + " bytes long; the app keeps messages of at most " + MAX_MESSAGE_BYTES + " bytes. Nothing was stored.");
        }
        String at = Instant.now().toString();
        try (PreparedStatement s = connection.prepareStatement("INSERT INTO messages (message, created_at) VALUES (?, ?) RETURNING id")) {
            s.setString(1, message);
            s.setString(2, at);
            long id;
            try (ResultSet r = s.executeQuery()) {
                r.next();
                id = r.getLong(1);
            }
            // The log lives outside the database: after a disaster it still tells what was
            // acknowledged. Written once the answer is sent, so an ADD line is a write the
            // client was told about, not one that was stored while the client was left waiting.
            return json(200, Map.of("id", id, "created_at", at)).then(() -> {
                System.out.println(AppLog.add(id, at));
                System.out.flush();
            });
        }
    }

    /** The backup volume's file names, or one of them: only a name from the listing, nothing outside the volume. */
    private AppServer.Response backup(String file) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(backups)) {
            try (var files = Files.list(backups)) {
                files.map(f -> f.getFileName().toString()).filter(App::backupFile).sorted().forEach(names::add);
            }
        }
        if (file == null) return json(200, names);
        if (!names.contains(file)) return error(404, "no such backup");
        return new AppServer.Response(200, "application/octet-stream", Files.readAllBytes(backups.resolve(file)), null);
    }

    private static AppServer.Response json(int status, Object body) {
        return AppServer.Response.of(status, "application/json", Json.line(body));
    }

    private static AppServer.Response error(int status, String why) {
        return json(status, Map.of("error", why));
    }

    private long count() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM messages")) {
            r.next();
            return r.getLong(1);
        }
    }

    /** A backup or the backup job's log: the only files /backup hands out. */
    static boolean backupFile(String name) {
        return Backups.isBackup(name) || name.equals(Backups.LOG);
    }
}
