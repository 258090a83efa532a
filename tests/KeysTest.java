import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import grading.StudentFiles;
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
                Map<String, String> keys = StudentFiles.sections(Path.of("solutions", workshop, "answers." + lang + ".md"));
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
