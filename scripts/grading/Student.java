package grading;

//SOURCES ClassReport.java Scale.java

import java.util.List;
import java.util.Set;

/** One student's result: every check, the flags for the instructor, the written answers, and what shows a copy. */
public record Student(String name, String bundle, List<Check> checks, List<String> flags, List<Answer> answers, Prints prints, String problem,
                      List<ClassReport.Link> reports) {
    /**
     * One check's outcome for one student. For a check only a person can judge, passed is null
     * until the instructor's marks give its points, with their comment as the reason.
     */
    public record Check(String id, Boolean passed, int points, String reason) {}

    /** A written answer, in full, beside the key's text for it. */
    public record Answer(String workshop, String id, String text, String key) {}

    /** What a bundle shares with another if it was copied: its agent's run, its journal, its backups. */
    public record Prints(String runId, String journal, Set<String> backups) {}

    public int score(String workshop) {
        return checks.stream().filter(c -> c.id().startsWith(workshop + ".")).mapToInt(Check::points).sum();
    }

    public int total() {
        return score("maz") + score("pra");
    }

    public boolean failedRequired(Scale scale) {
        return problem != null || checks.stream().anyMatch(c -> Boolean.FALSE.equals(c.passed())
                && scale.checks().containsKey(c.id()) && scale.checks().get(c.id()).required());
    }
}
