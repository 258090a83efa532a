import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bundle says what the hand-in lacks before writing it, in the student's language, and writes it all the same. */
class BundleWarningsTest {
    @Test
    void aBundleWithoutAnswersOrTasksIsWrittenWithAWarningForEach(@TempDir Path home) throws Exception {
        Path answers = Files.createDirectories(home.resolve("answers"));
        Files.writeString(answers.resolve("maz.md"), "## 1\nThe write's outcome is unknown: step 8 looks for its row.\n## 2\n\n");
        Path zip = home.resolve("bob.zip");
        Kit.Result r = new Kit(home).run("bundle", "--student", "bob", "--out", zip.toString());
        assertEquals(0, r.exit(), r.all());
        assertTrue(Files.exists(zip), "the zip is written all the same");
        String out = r.out();
        List<String> lacking = List.of("pra.md is missing", "maz.md has no answer for: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12.",
                "practical task T1 is not done yet (./jbang pra-status)", "practical task T2 is not done yet", "mission step 10 has not been run",
                "mission step 11 has not been run", "things missing: 6.");
        for (String l : lacking) assertTrue(out.contains(l), "says: " + l + "\n" + out);
        assertTrue(out.indexOf("Warning:") < out.indexOf("Bundle written"), "the warnings come before the zip is written:\n" + out);

        Files.writeString(answers.resolve("pra.md"), "   \n");
        Kit.Result fr = new Kit(home).run("bundle", "--student", "bob", "--out", zip.toString(), "--lang", "fr");
        assertEquals(0, fr.exit(), fr.all());
        assertTrue(fr.out().contains("Attention : ") && fr.out().contains("pra.md ne contient encore aucune réponse"), fr.out());
        assertFalse(fr.out().contains("Warning"), "in French throughout: " + fr.out());
    }
}
