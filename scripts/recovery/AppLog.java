package recovery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The app's log as the kit keeps it on this machine, the PRA workshop's raw evidence: what the
 * app acknowledged, when the disaster struck, and when each restore put which backup in place.
 *
 * <pre>
 * ADD id=7 at=2026-12-01T20:13:02.812Z          written by the app once a client has its answer
 * DISASTER at=2026-12-01T20:13:04.901Z          written by the kit when pra-disaster strikes
 * RESTORE at=2026-12-01T20:14:10.377Z from=app-20261201T201302.800Z.db
 * </pre>
 *
 * Read as timelines: each restore starts a new one, since a restored database reissues the ids
 * after its backup's last one (id 7 may name three messages over a workshop). The restore, the
 * drill and the grader all count what a restore lost from these lines and the backups alone.
 */
public final class AppLog {
    public static final String FILE = "app.log";

    private AppLog() {}

    /** One acknowledged write: the id the app gave it and the created_at it stored with it. */
    public record Ack(long id, String at) {}

    /**
     * What the data volume went through between two restores: the backup it started from (null
     * for the database the app created), the writes acknowledged on it, and the disaster that
     * ended it, if one did.
     */
    public record Timeline(Instant restoredAt, String restoredFrom, List<Ack> acks, Instant disasterAt) {}

    public static String add(long id, String at) {
        return "ADD id=" + id + " at=" + at;
    }

    /** The ack an ADD line records, or null for any other line; a malformed ADD line is an IllegalArgumentException. */
    public static Ack ack(String line) {
        if (!line.startsWith("ADD ")) return null;
        String[] f = line.split(" ");
        if (f.length != 3 || !f[1].startsWith("id=") || !f[2].startsWith("at=")) throw new IllegalArgumentException(line);
        Instant.parse(f[2].substring(3));
        return new Ack(Long.parseLong(f[1].substring(3)), f[2].substring(3));
    }

    public static void disaster(Path log, Instant at) throws IOException {
        append(log, "DISASTER at=" + at);
    }

    public static void restore(Path log, Instant at, String backup) throws IOException {
        append(log, "RESTORE at=" + at + " from=" + backup);
    }

    public static void append(Path log, String line) throws IOException {
        Files.createDirectories(log.getParent());
        Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Every timeline, oldest first; an absent log is one empty timeline. */
    public static List<Timeline> read(Path log) throws IOException {
        return parse(Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of());
    }

    /** The same from lines; a line the kit and the app never write is an IllegalArgumentException naming it. */
    public static List<Timeline> parse(List<String> lines) {
        List<Timeline> all = new ArrayList<>();
        Instant restoredAt = null;
        String from = null;
        List<Ack> acks = new ArrayList<>();
        Instant disaster = null;
        for (String line : lines) {
            try {
                if (line.isBlank()) continue;
                Ack a = ack(line);
                if (a != null) {
                    acks.add(a);
                } else if (line.startsWith("DISASTER at=")) {
                    disaster = Instant.parse(line.substring("DISASTER at=".length()));
                } else if (line.startsWith("RESTORE at=")) {
                    String[] f = line.split(" ");
                    if (f.length != 3 || !f[2].startsWith("from=")) throw new IllegalArgumentException(line);
                    all.add(new Timeline(restoredAt, from, List.copyOf(acks), disaster));
                    restoredAt = Instant.parse(f[1].substring(3));
                    from = f[2].substring(5);
                    acks = new ArrayList<>();
                    disaster = null;
                } else if (line.startsWith("DISASTER") || line.startsWith("RESTORE")) {
                    throw new IllegalArgumentException(line);
                }
                // The app's other lines (its start, a refused caller) say nothing of the data.
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(line, e);
            }
        }
        all.add(new Timeline(restoredAt, from, List.copyOf(acks), disaster));
        return all;
    }

    /** The timeline the data volume is on now. */
    public static Timeline current(Path log) throws IOException {
        List<Timeline> all = read(log);
        return all.get(all.size() - 1);
    }
}
