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
    public record Step(String step, String startedAt, String finishedAt, String verdict, Map<String, Object> observed) {}

    public void step(String step, Instant startedAt, boolean passed, Map<String, Object> observed) throws IOException {
        Json.writeAtomically(dir.resolve("steps").resolve(step + ".json"),
                new Step(step, startedAt.toString(), Instant.now().toString(), passed ? "pass" : "fail", new LinkedHashMap<>(observed)));
    }

    public Step step(String step) throws IOException {
        Path f = dir.resolve("steps").resolve(step + ".json");
        return Files.exists(f) ? Json.read(f, Step.class) : null;
    }

    public void write(String name, Object value) throws IOException {
        Json.writeAtomically(dir.resolve(name), value);
    }
}
