package grading;

//SOURCES ../common/Home.java ../common/Json.java ../common/Messages.java ../common/Problem.java Student.java StudentFiles.java

import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The grading scale, solutions/scale.json (or --scale): each check's points, whether it is
 * required, whether a person judges it, and its title in both languages. Checks named "maz.*"
 * count for the Mission, "pra.*" for the PRA workshop.
 */
public record Scale(Map<String, Rule> checks) {
    /** One line of the scale. */
    public record Rule(int points, boolean required, boolean instructor, String title, String titleFr) {
        public String label() {
            return Messages.french() && titleFr != null ? titleFr : title;
        }
    }

    public int max(String workshop) {
        return checks.entrySet().stream().filter(e -> e.getKey().startsWith(workshop + ".")).mapToInt(e -> e.getValue().points()).sum();
    }

    /** A check's outcome from its reason: passed with its points when there is none, failed with none otherwise. */
    public Student.Check check(String id, String reason) {
        Rule r = checks.get(id);
        int points = r == null || reason != null ? 0 : r.points();
        return new Student.Check(id, reason == null, points, reason);
    }

    /** The scale in that file, or the kit's own (solutions/scale.json). */
    public static Scale load(Path scaleFile) throws IOException {
        Path file = scaleFile != null ? scaleFile : Home.kitFile("solutions/scale.json");
        if (!Files.exists(file)) throw Problem.environment("grade.scale.missing", file);
        Scale scale;
        try {
            scale = Json.read(file, Scale.class);
        } catch (IOException e) {
            throw Problem.environment("grade.scale.unreadable", file, StudentFiles.plain(e));
        }
        if (scale.checks() == null || scale.checks().values().stream().anyMatch(Objects::isNull)) throw Problem.environment("grade.scale.unreadable", file, "checks");
        return scale;
    }
}
