package common;

//SOURCES Home.java Json.java

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A workshop's evidence folder: what each step saw, in files the grader re-reads. Default
 * DB007_HOME/evidence/<workshop>, or --evidence DIR. The format is described in docs/evidence.md.
 */
public final class Evidence {
    private final Path dir;

    public Evidence(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir.toAbsolutePath());
        Files.createDirectories(this.dir.resolve("steps"));
    }

    /** The --evidence option every step has. */
    public static final class Folder {
        @picocli.CommandLine.Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence")
        Path dir;

        /** The evidence folder of that workshop, as the option or DB007_HOME says. */
        public Evidence open(String workshop) throws IOException {
            return Evidence.of(dir, workshop);
        }

        public Path path(String workshop) {
            return folder(dir, workshop);
        }
    }

    public static Evidence of(Path option, String workshop) throws IOException {
        return new Evidence(folder(option, workshop));
    }

    /** A new run's evidence folder, empty: an earlier run's, if any, is kept beside it, renamed with the time. */
    public static Evidence fresh(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var list = Files.list(dir)) {
                if (list.findAny().isPresent()) Files.move(dir, dir.resolveSibling(dir.getFileName() + "-" + Instant.now().toString().replaceAll("[:.]", "")));
            }
        }
        return new Evidence(dir);
    }

    /** Where a workshop's evidence goes: --evidence when given, else DB007_HOME/evidence/<workshop>. */
    public static Path folder(Path option, String workshop) {
        return (option != null ? option : Home.evidence(workshop)).toAbsolutePath();
    }

    public Path dir() { return dir; }

    public Path file(String name) { return dir.resolve(name); }

    /** One step's record: when it ran, its verdict, and what it observed. */
    public record Step(String step, String startedAt, String finishedAt, String verdict, Map<String, Object> observed, String runBy) {
        /** What the step observed, as the record its step writes. */
        public <T> T observed(Class<T> type) {
            return Json.read(Json.write(observed == null ? Map.of() : observed), type);
        }
    }

    /** Step 5's observations: the sabotage, and where the pair stood before it. */
    public record Sabotage(String kind, String primaryAzBefore, String standbyAzBefore, Instant requestedAt, Integer processesKilled,
                           String statusAfterRequest) {}

    /**
     * Step 9's observations: the new order, and how long writes went without a synchronous
     * standby after the sabotage (locally, from the region's events; null on RDS, which does not say).
     */
    public record NewOrder(String primaryAz, String standbyAz, String status, String standbySyncState, Long unprotectedMs) {}

    public void step(String step, Instant startedAt, boolean passed, Map<String, Object> observed) throws IOException {
        Json.writeAtomically(dir.resolve("steps").resolve(step + ".json"),
                new Step(step, startedAt.toString(), Instant.now().toString(), passed ? "pass" : "fail", new LinkedHashMap<>(observed),
                        runByMission ? "mission" : "step"));
    }

    /**
     * Whether the steps now running were started by {@code mission} all at once rather than one
     * by one, as the student texts ask: the step records say so, and the grader gives the
     * step-by-step run its point.
     */
    private static volatile boolean runByMission;

    public static void runByMission(boolean on) {
        runByMission = on;
    }

    /** The same with the step's observations as a record. */
    public void step(String step, Instant startedAt, boolean passed, Record observed) throws IOException {
        step(step, startedAt, passed, Json.toMap(observed));
    }

    public Step step(String step) throws IOException {
        Path f = dir.resolve("steps").resolve(step + ".json");
        return Files.exists(f) ? Json.read(f, Step.class) : null;
    }

    /** Step 5's observations, or null before the sabotage. */
    public Sabotage sabotage() throws IOException {
        Step s = step("maz5");
        return s == null ? null : s.observed(Sabotage.class);
    }

    /** Step 9's observations, or null before it ran. */
    public NewOrder newOrder() throws IOException {
        Step s = step("maz9");
        return s == null ? null : s.observed(NewOrder.class);
    }

    /** A record of an evidence folder, or null when the step that writes it has not run there. */
    public static <T> T read(Path folder, String name, Class<T> type) throws IOException {
        Path f = folder.resolve(name);
        return Files.exists(f) ? Json.read(f, type) : null;
    }

    public void write(String name, Object value) throws IOException {
        Json.writeAtomically(dir.resolve(name), value);
    }
}
