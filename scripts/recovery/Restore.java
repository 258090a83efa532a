package recovery;

//SOURCES ../common/Evidence.java ../common/Json.java ../common/Messages.java ../common/Problem.java ../common/Wait.java AppLog.java Backups.java
//SOURCES Client.java Site.java Traffic.java

import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The restore of the PRA workshop, as pra-restore, the drill and exercise 5 run it: choose a
 * backup (the newest that passes its integrity check, or a chosen one), stop the app, put the
 * backup in the data volume (an older database is kept aside, never overwritten), start the app,
 * check the count, and measure what it cost, with the definitions the exercises use:
 *
 * - the loss: the acknowledged messages the data held before the restore that the restored data
 *   does not hold, counted from the app's log and the backups (AppLog);
 * - the achieved RPO: the time between the moment data was lost (the disaster, or for a restore
 *   chosen on purpose, the restore itself) and the recovery point, the backup's time;
 * - the achieved RTO: from that same moment to the first write the restored app accepts.
 */
public final class Restore {
    /** The last restore, and every restore, in the PRA evidence folder. */
    public static final String LAST = "restore.json";
    public static final String ALL = "restores";
    /** The PRA workshop's picture, written beside them. */
    public static final String REPORT = "report.html";
    /** The data volume was lost (a disaster): the backup goes into an empty volume. */
    public static final String DISASTER = "disaster";
    /** The data volume held a database, replaced on purpose by an older point (practical task 2). */
    public static final String ROLLBACK = "rollback";

    /**
     * The message the kit adds to time the first accepted write, as soon as the restored app
     * answers (the users' writes may be accepted a few milliseconds before it); it stays in the
     * data, as any other.
     */
    public static final String CHECK_MESSAGE = "restore-check";

    private Restore() {}

    /** What a restore did, and what it cost. */
    public record Result(String startedAt, String kind, String restoredFrom, String backupTime, long backupMessages, Long backupLastId,
                         long restoredMessages, List<String> skipped, String keptAside, String healthyAt, boolean verified,
                         String disasterAt, Long lostMessages, Double rpoSeconds, Long checkMessageId, String firstAddAt, Double rtoSeconds) {

        /** When data was lost: the disaster, or the restore itself when it replaced data on purpose; null when unknown. */
        public String lossAt() {
            return ROLLBACK.equals(kind) ? startedAt : disasterAt;
        }

        /** Written as the last restore and beside every earlier one: the grader checks each chosen point. */
        public void record(Evidence evidence) throws IOException {
            evidence.write(LAST, this);
            Files.createDirectories(evidence.file(ALL));
            evidence.write(ALL + "/" + startedAt.replaceAll("[:.]", "") + ".json", this);
            evidence.step("pra-restore", Instant.parse(startedAt), verified, Json.toMap(this));
        }
    }

    /** Every restore recorded in a PRA evidence folder, oldest first. */
    /**
     * The restore the exercises are about: the first made after the disaster (a rollback chosen
     * later, practical task 2, is reported apart); null when there is none. The steps and the
     * grader both take it from here.
     */
    public static Result afterDisaster(List<Result> all) {
        return all.stream().filter(r -> DISASTER.equals(r.kind()) && r.rpoSeconds() != null).findFirst().orElse(null);
    }

    public static List<Result> readAll(Path evidence) throws IOException {
        List<Result> all = new ArrayList<>();
        Path folder = evidence.resolve(ALL);
        if (Files.isDirectory(folder)) {
            try (Stream<Path> files = Files.list(folder)) {
                for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".json")).sorted()::iterator) all.add(Json.read(f, Result.class));
            }
        } else if (Files.exists(evidence.resolve(LAST))) {
            all.add(Json.read(evidence.resolve(LAST), Result.class));
        }
        return all;
    }

    /**
     * The loss of a restore: what the data held before it (the backup its timeline started from,
     * and every write acknowledged since) less what the restored backup holds. The same count
     * for a disaster and for a point chosen on purpose, made by the restore and again by the grader.
     */
    public static long lost(Set<AppLog.Ack> startedFrom, AppLog.Timeline before, Set<AppLog.Ack> restored) {
        Set<AppLog.Ack> held = new HashSet<>(startedFrom);
        held.addAll(before.acks());
        held.removeAll(restored);
        return held.size();
    }

    /**
     * The same loss as the users' own journal tells it (Traffic, locally): their writes
     * acknowledged before the disaster that the restored app does not hold, one by one.
     */
    private static void usersSaw(Site site, Instant disaster, PrintWriter out) {
        Path journal = site.home().resolve(Traffic.FILE);
        if (!Files.exists(journal)) return;
        try {
            List<Client.Add> told = Client.read(journal).stream().filter(a -> a.acknowledged() && a.doneAt().isBefore(disaster)).toList();
            List<Client.Add> gone = Client.lost(Client.present(site), told);
            if (gone.isEmpty()) {
                out.println(Messages.get("pra.restore.users.none", journal.getFileName()));
            } else {
                Client.Add first = gone.get(0);
                Client.Add last = gone.get(gone.size() - 1);
                out.println(Messages.get("pra.restore.users", journal.getFileName(), gone.size(), first.message(), last.message(),
                        Messages.seconds(Duration.between(first.sentAt(), last.doneAt()).toMillis() / 1000.0)));
            }
        } catch (IOException | RuntimeException e) {
            out.println(Messages.get("pra.restore.users.unknown", journal.getFileName(), e.getMessage()));
        }
    }

    public static double seconds(String from, String to) {
        return Duration.between(Instant.parse(from), Instant.parse(to)).toMillis() / 1000.0;
    }

    // Long because a restore's steps, each with what keeps the data safe if it fails, read best in the order they run.
    public static Result run(Site site, String point, boolean force, PrintWriter out) throws Exception {
        Instant started = Instant.now();
        List<Backups.Point> points = site.points();
        if (points.isEmpty()) throw Problem.failed("pra.backups.none", site.backupVolume());
        Backups.Point chosen;
        List<String> skipped = new ArrayList<>();
        if (point != null) {
            chosen = points.stream().filter(p -> p.file().equals(Path.of(point).getFileName().toString())).findFirst()
                    .orElseThrow(() -> Problem.failed("pra.restore.no-such-point", point, site.backupVolume()));
            if (!chosen.valid()) throw Problem.failed("pra.restore.invalid", chosen.file(), chosen.problem());
        } else {
            chosen = null;
            for (Backups.Point p : points) {
                if (p.valid()) {
                    chosen = p;
                    break;
                }
                skipped.add(p.file());
                out.println(Messages.get("pra.restore.skipping", p.file(), p.problem()));
            }
            if (chosen == null) throw Problem.failed("pra.backups.none-valid", site.backupVolume());
        }
        out.println(Messages.get("pra.restore.chosen", chosen.file(), Messages.clock(Instant.parse(chosen.time())), chosen.messages()));

        // Refused before anything is stopped: a refused restore leaves the app as it found it.
        boolean occupied = site.dataHoldsDatabase();
        if (occupied && !force) throw Problem.failed("pra.restore.occupied", site.dataDatabase());
        String kind = occupied ? ROLLBACK : DISASTER;
        // The app must not write while its database is replaced, and no backup may copy half a restore.
        site.stopApp();
        // Read once the app is stopped: on a cluster its last acknowledged writes reach the log as its pod ends.
        AppLog.Timeline before = AppLog.current(site.appLog());
        String kept = site.restore(chosen.file(), force);
        AppLog.restore(site.appLog(), Instant.now(), chosen.file());
        if (kept != null) out.println(Messages.get("pra.restore.kept", kept));
        site.startApp();
        site.waitHealthy(Duration.ofSeconds(120));
        Instant healthy = Instant.now();
        // The users write again as soon as the app answers: the check is that it holds the backup's messages, each as acknowledged, not a count.
        Set<AppLog.Ack> backupRows = null;
        try {
            backupRows = site.rows(chosen.file());
        } catch (Exception e) {
            out.println(Messages.get("pra.restore.loss-unknown", e.getMessage()));
        }
        long restored;
        boolean verified;
        if (backupRows != null) {
            Set<AppLog.Ack> held = site.held(chosen.lastId() == null ? 0 : chosen.lastId());
            restored = held.size();
            verified = held.equals(backupRows) && restored == chosen.messages();
        } else {
            restored = site.count();
            verified = restored == chosen.messages();
        }
        out.println(Messages.get(verified ? "pra.restore.verified" : "pra.restore.mismatch", restored, chosen.messages()));

        // The first write the restored app accepts ends the outage; the kit writes it itself, and says so.
        Map<?, ?> accepted;
        try {
            accepted = Wait.until("the restored app to accept a write", Duration.ofSeconds(60), Duration.ofMillis(20), () -> {
                Site.Reply r = site.get("/add?message=" + CHECK_MESSAGE);
                return r.status() == 200 ? Json.read(r.body(), Map.class) : null;
            });
        } catch (Wait.TimedOut e) {
            accepted = null;
        }
        Long checkId = accepted == null ? null : ((Number) accepted.get("id")).longValue();
        String firstAdd = accepted == null ? null : accepted.get("created_at").toString();
        if (checkId != null) out.println(Messages.get("pra.restore.check", CHECK_MESSAGE, checkId, restored));

        Long lost = null;
        try {
            Set<AppLog.Ack> startedFrom = before.restoredFrom() == null ? Set.of() : site.rows(before.restoredFrom());
            if (backupRows != null) lost = lost(startedFrom, before, backupRows);
        } catch (Exception e) {
            out.println(Messages.get("pra.restore.loss-unknown", e.getMessage()));
        }

        Instant disaster = kind.equals(DISASTER) ? before.disasterAt() : null;
        String lossAt = kind.equals(ROLLBACK) ? started.toString() : disaster == null ? null : disaster.toString();
        Double rpo = lossAt == null ? null : seconds(chosen.time(), lossAt);
        Double rto = lossAt == null || firstAdd == null ? null : seconds(lossAt, firstAdd);
        if (lossAt == null) {
            out.println(Messages.get("pra.restore.no-disaster"));
        } else {
            out.println(Messages.get(kind.equals(DISASTER) ? "pra.restore.measured.disaster" : "pra.restore.measured.rollback",
                    lost == null ? "?" : lost, Messages.seconds(rpo), Messages.clock(Instant.parse(lossAt)), Messages.clock(Instant.parse(chosen.time())),
                    rto == null ? "?" : Messages.seconds(rto)));
            if (kind.equals(DISASTER)) usersSaw(site, Instant.parse(lossAt), out);
            out.println(Messages.get("pra.definitions.rpo-rto"));
        }
        return new Result(started.toString(), kind, chosen.file(), chosen.time(), chosen.messages(), chosen.lastId(), restored, skipped,
                kept, healthy.toString(), verified, disaster == null ? null : disaster.toString(), lost, rpo, checkId, firstAdd, rto);
    }
}
