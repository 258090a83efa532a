package recovery;

//SOURCES ../common/Evidence.java ../common/Json.java ../common/Messages.java ../common/Problem.java Backups.java Site.java

import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The restore of the PRA workshop, as pra-restore, the drill and exercise 5 run it: choose a
 * backup (the newest that passes its integrity check, or a chosen one), stop the app, put the
 * backup in the data volume (an older database is kept aside, never overwritten), start the app,
 * check the count, and measure what the disaster cost.
 */
public final class Restore {
    /** The last restore, and every restore, in the PRA evidence folder. */
    public static final String LAST = "restore.json";
    public static final String ALL = "restores";

    private Restore() {}

    /** What a restore did. */
    public record Result(String startedAt, String restoredFrom, String backupTime, long backupMessages, Long backupLastId,
                         long restoredMessages, List<String> skipped, String keptAside, String healthyAt, boolean verified,
                         String disasterAt, Long lostMessages, Double rpoSeconds, String firstAddAt, Double rtoSeconds) {

        /** Written as the last restore and beside every earlier one: the grader checks each chosen point. */
        public void record(Evidence evidence) throws IOException {
            evidence.write(LAST, this);
            Files.createDirectories(evidence.file(ALL));
            evidence.write(ALL + "/" + startedAt.replaceAll("[:.]", "") + ".json", this);
            evidence.step("pra-restore", Instant.parse(startedAt), verified, Json.toMap(this));
        }
    }

    /** Every restore recorded in a PRA evidence folder, oldest first. */
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
        out.println(Messages.get("pra.restore.chosen", chosen.file(), chosen.time(), chosen.messages()));

        // Refused before anything is stopped: a refused restore leaves the app as it found it.
        if (site.dataHoldsDatabase() && !force) throw Problem.failed("pra.restore.occupied", site.dataDatabase());
        // The app must not write while its database is replaced, and no backup may copy half a restore.
        site.stopApp();
        long lastId = chosen.lastId() == null ? 0 : chosen.lastId();
        List<Site.Ack> gone = site.acknowledged().stream().filter(a -> a.id() > lastId).toList();
        String kept = site.restore(chosen.file(), force);
        site.markRestore(chosen.file());
        if (kept != null) out.println(Messages.get("pra.restore.kept", kept));
        site.startApp();
        site.waitHealthy(Duration.ofSeconds(120));
        Instant healthy = Instant.now();
        long restored = site.count();
        boolean verified = restored == chosen.messages();
        out.println(Messages.get(verified ? "pra.restore.verified" : "pra.restore.mismatch", restored, chosen.messages()));

        // RTO: from the disaster to the first message the restored app accepts.
        Instant firstAdd = null;
        Instant deadline = Instant.now().plusSeconds(60);
        while (firstAdd == null && Instant.now().isBefore(deadline)) {
            if (site.get("/add?message=restore-check").status() == 200) firstAdd = Instant.now();
            else Thread.sleep(20);
        }
        // RPO: what the app acknowledged after the backup, before this restore, and is now gone
        // (counted before the restore; the app may still accept a few writes between the disaster and its stop).
        Instant disaster = site.disasterTime();
        Long lost = null;
        Double rpo = null;
        Double rto = null;
        if (disaster != null) {
            lost = (long) gone.size();
            rpo = gone.isEmpty() ? 0.0 : Duration.between(Instant.parse(chosen.time()), gone.get(gone.size() - 1).at()).toMillis() / 1000.0;
            rto = firstAdd == null ? null : Duration.between(disaster, firstAdd).toMillis() / 1000.0;
            out.println(Messages.get("pra.restore.measured", lost, rpo, rto == null ? "-" : String.format(Locale.ROOT, "%.1f", rto)));
        }
        return new Result(started.toString(), chosen.file(), chosen.time(), chosen.messages(), chosen.lastId(), restored, skipped,
                kept, healthy.toString(), verified, disaster == null ? null : disaster.toString(),
                lost, rpo, firstAdd == null ? null : firstAdd.toString(), rto);
    }
}
