import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Cli;
import common.Messages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two languages of every student-facing text: the same keys, the same placeholders in the
 * same order, no text that says "null", every key the code asks for present, and every command
 * with a header in its --help.
 */
class MessagesTest {
    private static final Path EN = Path.of("scripts/common/messages.properties");
    private static final Path FR = Path.of("scripts/common/messages_fr.properties");
    /** A String.format placeholder: optional index, flags, width, precision, and its conversion. */
    private static final Pattern PLACEHOLDER = Pattern.compile("%(\\d+\\$)?[-#+ 0,(]*\\d*(\\.\\d+)?([a-zA-Z%])");

    @AfterEach
    void english() {
        Messages.use("en");
    }

    @Test
    void bothLanguagesHaveTheSameKeys() throws IOException {
        Properties en = load(EN);
        Properties fr = load(FR);
        TreeSet<String> onlyEn = new TreeSet<>(en.stringPropertyNames());
        onlyEn.removeAll(fr.stringPropertyNames());
        TreeSet<String> onlyFr = new TreeSet<>(fr.stringPropertyNames());
        onlyFr.removeAll(en.stringPropertyNames());
        assertTrue(onlyEn.isEmpty(), "in English only: " + onlyEn);
        assertTrue(onlyFr.isEmpty(), "in French only: " + onlyFr);
    }

    @Test
    void eachTextTakesTheSameValuesInBothLanguages() throws IOException {
        Properties en = load(EN);
        Properties fr = load(FR);
        Map<String, String> differ = new TreeMap<>();
        for (String key : en.stringPropertyNames()) {
            if (!fr.containsKey(key)) continue;
            List<String> a = placeholders(en.getProperty(key));
            List<String> b = placeholders(fr.getProperty(key));
            if (!a.equals(b)) differ.put(key, a + " / " + b);
        }
        assertTrue(differ.isEmpty(), "placeholders that differ between English and French: " + differ);
    }

    /** A key written twice keeps only its last text: the first is silently lost (a result line once printed an option's help). */
    @Test
    void noKeyIsWrittenTwice() throws IOException {
        for (Path file : List.of(EN, FR)) {
            java.util.Set<String> seen = new java.util.HashSet<>();
            List<String> twice = new java.util.ArrayList<>();
            boolean continued = false;
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                boolean isContinuation = continued;
                continued = line.endsWith("\\");
                String t = line.strip();
                if (isContinuation || t.isEmpty() || t.startsWith("#") || t.startsWith("!")) continue;
                String key = t.split("\\s*[=:]", 2)[0].strip();
                if (!seen.add(key)) twice.add(key);
            }
            assertEquals(List.of(), twice, "keys written twice in " + file);
        }
    }

    @Test
    void noTextSaysNull() throws IOException {
        for (Path file : List.of(EN, FR)) {
            Properties p = load(file);
            for (String key : p.stringPropertyNames()) {
                assertFalse(p.getProperty(key).matches("(?s).*\\b(null|undefined)\\b.*"), file + " " + key + ": " + p.getProperty(key));
            }
        }
    }

    @Test
    void everyKeyTheCodeNamesExistsInBothLanguages() throws IOException {
        Properties en = load(EN);
        Properties fr = load(FR);
        Pattern named = Pattern.compile("(?:Messages\\.get|Problem\\.failed|Problem\\.environment|descriptionKey\\s*=)\\s*\\(?\\s*\"([a-z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9])\"(?!\\s*\\+)");
        // A key built at run time ("pra" + number + ".question") is left to the tests that run it.
        List<String> missing = new ArrayList<>();
        int seen = 0;
        try (Stream<Path> files = Files.walk(Path.of("scripts"))) {
            for (Path f : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                Matcher m = named.matcher(Files.readString(f, StandardCharsets.UTF_8));
                while (m.find()) {
                    seen++;
                    String key = m.group(1);
                    if (!en.containsKey(key) || !fr.containsKey(key)) missing.add(f.getFileName() + ": " + key);
                }
            }
        }
        assertTrue(seen > 300, "the scan found the keys (" + seen + ")");
        assertTrue(missing.isEmpty(), "keys named in the code but missing from a bundle: " + missing);
    }

    @Test
    void everyCommandHasAHeaderInBothLanguages() {
        for (String language : List.of("en", "fr")) {
            Messages.use(language);
            for (Map.Entry<String, db007.Launch> c : db007.COMMANDS.entrySet()) {
                String[] header = Cli.commandLine(c.getValue().command().get()).getCommandSpec().usageMessage().header();
                assertTrue(header.length > 0 && !header[0].isBlank(), language + ": " + c.getKey() + " --help has no header");
            }
        }
    }

    private static List<String> placeholders(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = PLACEHOLDER.matcher(text);
        int next = 1;
        while (m.find()) {
            String conversion = m.group(3);
            if (conversion.equals("%") || conversion.equals("n")) continue;
            int index = m.group(1) != null ? Integer.parseInt(m.group(1).replace("$", "")) : next++;
            found.add(index + conversion.toLowerCase());
        }
        found.sort(null);
        return found;
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }
        return p;
    }
}
