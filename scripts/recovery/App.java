package recovery;

//SOURCES ../common/Http.java ../common/Json.java ../common/Peer.java AppLog.java Backups.java

//DEPS org.xerial:sqlite-jdbc:3.54.1.0

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import common.Http;
import common.Json;
import common.Peer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.concurrent.Executors;

/**
 * The PRA workshop's application: a small HTTP service that keeps messages in SQLite on the
 * pra-data volume. Routes: / (a greeting), /health, /add?message=…, /count, /consultation
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
        App app = new App(Path.of(o.get("--data")), Path.of(o.get("--backups")));
        app.owner = o.containsKey("--owner") ? Integer.parseInt(o.get("--owner")) : null;
        HttpServer server = HttpServer.create(new InetSocketAddress(o.get("--bind"), Integer.parseInt(o.get("--port"))), 64);
        // One thread: SQLite takes one writer at a time anyway, and the answers stay in order.
        server.setExecutor(Executors.newSingleThreadExecutor());
        server.createContext("/", app::handle);
        server.start();
        // Stopped with SIGTERM (by Kubernetes, or the local supervisor), the app stops taking requests
        // and answers the ones it has taken before it goes, as a well-behaved pod does: no client is
        // left with a message stored and never confirmed.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(2)));
        System.out.println(Instant.now() + " app listening on " + o.get("--bind") + ":" + server.getAddress().getPort() + ", database " + app.db);
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (owner != null) {
            int uid = Peer.uid(ex.getRemoteAddress(), ex.getLocalAddress().getPort());
            if (!Peer.allowed(uid, owner)) {
                System.out.println(Instant.now() + " REFUSED " + path + " from uid " + uid);
                System.out.flush();
                reply(ex, 403, "application/json", Json.line(Map.of("error", "this app answers only the account that runs the workshop")));
                return;
            }
        }
        Map<String, String> q = Http.form(ex.getRequestURI().getRawQuery());
        try {
            switch (path) {
                case "/" -> reply(ex, 200, "text/plain", "DB007 PRA app: messages kept in SQLite. Try /add?message=hello, /count, /consultation, /status.\n");
                case "/health" -> {
                    try (Statement s = connection.createStatement(); ResultSet r = s.executeQuery("SELECT count(*) FROM messages")) {
                        r.next();
                    }
                    reply(ex, 200, "text/plain", "ok\n");
                }
                case "/add" -> {
                    String message = q.get("message");
                    if (message == null || message.isBlank()) {
                        reply(ex, 400, "application/json", Json.line(Map.of("error", "give a message: /add?message=hello")));
                        return;
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
                        reply(ex, 200, "application/json", Json.line(Map.of("id", id, "created_at", at)));
                        // The log lives outside the database: after a disaster it still tells what was
                        // acknowledged. Written once the answer is sent, so an ADD line is a write the
                        // client was told about, not one that was stored while the client was left waiting.
                        System.out.println(AppLog.add(id, at));
                        System.out.flush();
                    }
                }
                case "/count" -> reply(ex, 200, "application/json", Json.line(Map.of("count", count())));
                case "/consultation" -> {
                    List<Map<String, Object>> all = new ArrayList<>();
                    try (Statement s = connection.createStatement();
                         ResultSet r = s.executeQuery("SELECT id, message, created_at FROM messages ORDER BY id")) {
                        while (r.next()) all.add(Map.of("id", r.getLong(1), "message", r.getString(2), "created_at", r.getString(3)));
                    }
                    reply(ex, 200, "application/json", Json.line(all));
                }
                case "/status" -> {
                    Backups.Point last = Backups.list(backups).stream().filter(Backups.Point::valid).findFirst().orElse(null);
                    reply(ex, 200, "application/json", Json.line(new Status(count(), last == null ? null : last.file(),
                            last == null ? null : Duration.between(Instant.parse(last.time()), Instant.now()).toSeconds())));
                }
                case "/backup" -> {
                    List<String> names = new ArrayList<>();
                    if (Files.isDirectory(backups)) {
                        try (var files = Files.list(backups)) {
                            files.map(f -> f.getFileName().toString()).filter(App::backupFile).sorted().forEach(names::add);
                        }
                    }
                    String file = q.get("file");
                    if (file == null) {
                        reply(ex, 200, "application/json", Json.line(names));
                    } else if (names.contains(file)) {
                        // Only a name from the listing: nothing outside the backup volume can be asked for.
                        send(ex, 200, "application/octet-stream", Files.readAllBytes(backups.resolve(file)));
                    } else {
                        reply(ex, 404, "application/json", Json.line(Map.of("error", "no such backup")));
                    }
                }
                default -> reply(ex, 404, "application/json", Json.line(Map.of("error", "no such route")));
            }
        } catch (SQLException e) {
            reply(ex, 503, "application/json", Json.line(Map.of("error", String.valueOf(e.getMessage()))));
        }
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

    private static void reply(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] bytes) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
