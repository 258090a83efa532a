import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Bundle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The student texts and the instructor's keys, in both languages: every question a student is
 * asked has a key the grader can show beside the answer, the two languages ask the same
 * questions, and both texts open with their definitions.
 */
class KeysTest {
    @Test
    void everyQuestionHasAKeyInBothLanguages() throws Exception {
        for (String workshop : List.of("maz", "pra")) {
            TreeSet<String> asked = null;
            for (String lang : List.of("en", "fr")) {
                TreeSet<String> questions = questions(Path.of("exercises", workshop, "README." + lang + ".md"));
                assertFalse(questions.isEmpty(), workshop + " " + lang + " asks nothing?");
                if (asked != null) assertEquals(asked, questions, workshop + ": the same questions in both languages");
                asked = questions;
                Map<String, String> keys = Bundle.answerSections(Path.of("solutions", workshop, "answers." + lang + ".md"));
                assertTrue(keys.keySet().containsAll(questions), workshop + " " + lang + ": questions " + questions + ", keys " + keys.keySet());
                keys.forEach((n, text) -> assertTrue(text.length() > 200, workshop + " " + lang + " key " + n + " is too short to grade with"));
            }
        }
    }

    @Test
    void bothTextsStartWithTheirDefinitions() throws Exception {
        for (String workshop : List.of("maz", "pra")) {
            for (String lang : List.of("en", "fr")) {
                String text = Files.readString(Path.of("exercises", workshop, "README." + lang + ".md"), StandardCharsets.UTF_8);
                int first = text.indexOf("\n## ");
                assertEquals(first, text.indexOf("\n## Notions"), workshop + " " + lang + ": the first section is the definitions");
                int end = text.indexOf("\n## ", first + 1);
                String notions = text.substring(first, end);
                for (String term : List.of("RPO", "RTO", "PCA", "PRA")) assertTrue(notions.contains("**" + term), workshop + " " + lang + " defines " + term);
            }
        }
    }

    /** The terms the questions use are defined before them, in both languages. */
    @Test
    void theMissionDefinesWhatItsQuestionsUse() throws Exception {
        for (String lang : List.of("en", "fr")) {
            String text = Files.readString(Path.of("exercises", "maz", "README." + lang + ".md"), StandardCharsets.UTF_8);
            String notions = text.substring(text.indexOf("\n## Notions"), text.indexOf("\n## ", text.indexOf("\n## Notions") + 1));
            for (String term : List.of("**WAL", "**PITR", "ase backup", "Multi-AZ DB", "35 s", "60", "DNS")) {
                assertTrue(notions.contains(term) || notions.contains(term.replace("Multi-AZ DB", "de base de données Multi-AZ")), "maz " + lang + " defines " + term);
            }
        }
    }

    /**
     * The keys cover every item of the source workshop's answers: exercise 1's rebuildable image,
     * exercise 3's objective of 3 to 5 minutes, exercise 5's seven items of the recommended architecture.
     */
    @Test
    void thePraKeysCoverEveryItemOfTheSourceAnswers() throws Exception {
        Map<String, List<String>> en = Map.of("1", List.of("Docker image"), "3", List.of("3 to 5 minutes", "--rto-objective 300"),
                "5", List.of("several zones", "snapshots", "point-in-time recovery", "several replicas of the application", "RPO drift",
                        "DR cluster in another Region", "encryption at rest and in transit", "network policies"));
        Map<String, List<String>> fr = Map.of("1", List.of("image Docker"), "3", List.of("3 à 5 minutes", "--rto-objective 300"),
                "5", List.of("plusieurs zones", "instantanés", "restauration à un instant donné", "plusieurs réplicas de l'application",
                        "dérive du RPO", "cluster de secours dans une autre Région", "chiffrement au repos et en transit", "politiques réseau"));
        for (Map.Entry<String, Map<String, List<String>>> lang : Map.of("en", en, "fr", fr).entrySet()) {
            Map<String, String> keys = Bundle.answerSections(Path.of("solutions", "pra", "answers." + lang.getKey() + ".md"));
            lang.getValue().forEach((n, items) -> items.forEach(item ->
                    assertTrue(keys.get(n).contains(item), "pra " + lang.getKey() + " key " + n + " covers: " + item)));
        }
    }

    /**
     * The scale pays only for what the texts ask: every check of a workshop is named in its
     * student texts with its points, in both languages, and every answer a person judges has a
     * rubric (full, half, none) in the keys.
     */
    @Test
    void theScaleIsTheTextsAndEveryJudgedAnswerHasARubric() throws Exception {
        com.google.gson.JsonObject checks = com.google.gson.JsonParser.parseString(Files.readString(Path.of("solutions", "scale.json")))
                .getAsJsonObject().getAsJsonObject("checks");
        for (String workshop : List.of("maz", "pra")) {
            int total = 0;
            for (String lang : List.of("en", "fr")) {
                String text = Files.readString(Path.of("exercises", workshop, "README." + lang + ".md"), StandardCharsets.UTF_8);
                for (String id : checks.keySet()) {
                    if (!id.startsWith(workshop + ".")) continue;
                    int points = checks.getAsJsonObject(id).get("points").getAsInt();
                    if (lang.equals("en")) total += points;
                    assertTrue(Pattern.compile("(?m)^\\| `" + Pattern.quote(id) + "` \\| " + points + "\\b").matcher(text).find(),
                            workshop + " " + lang + " names " + id + " with its " + points + " points");
                }
                Map<String, String> keys = Bundle.answerSections(Path.of("solutions", workshop, "answers." + lang + ".md"));
                for (Map.Entry<String, String> k : keys.entrySet()) {
                    if (workshop.equals("pra") && k.getKey().equals("3")) continue; // exercise 3 is checked against the run's figures
                    String rubric = lang.equals("en") ? "Rubric: full: " : "Barème : complet : ";
                    String key = k.getValue().replaceAll("\\s+", " ");
                    assertTrue(key.contains(rubric) && key.contains(lang.equals("en") ? "; half: " : " ; moitié : ")
                            && key.contains(lang.equals("en") ? "; none: " : " ; rien : "), workshop + " " + lang + " key " + k.getKey() + " has a rubric");
                }
            }
            assertEquals(20, total, workshop + " is marked out of 20");
        }
    }

    /** The numbers of the "## Questions" list, and T1, T2 for each practical task. */
    private static TreeSet<String> questions(Path readme) throws Exception {
        TreeSet<String> found = new TreeSet<>();
        boolean inQuestions = false;
        Pattern numbered = Pattern.compile("^(\\d+)\\. ");
        Pattern task = Pattern.compile("^## (?:Practical task|Travail pratique) (\\d+)");
        for (String line : Files.readAllLines(readme, StandardCharsets.UTF_8)) {
            if (line.startsWith("## ")) inQuestions = line.equals("## Questions");
            Matcher q = numbered.matcher(line);
            if (inQuestions && q.find()) found.add(q.group(1));
            Matcher t = task.matcher(line);
            if (t.find()) found.add("T" + t.group(1));
        }
        return found;
    }
}
