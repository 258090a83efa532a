import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape a newcomer can walk: packages that depend on each other one way only, a common
 * module that stays small, files and methods short enough to read at once. A method may be
 * longer where a comment just above it says why, with the words "Long because".
 */
class StructureTest {
    static final Path SCRIPTS = Path.of("scripts");
    static final int FILE_LIMIT = 500;
    static final int METHOD_LIMIT = 60;
    static final int COMMON_LIMIT = 1500;

    @Test
    void packagesDependOnEachOtherOneWayOnly() throws IOException {
        Map<String, Set<String>> uses = packageUses();
        assertTrue(uses.keySet().containsAll(Set.of("common", "region", "mission", "grading")), uses.keySet().toString());
        assertTrue(uses.get("common").isEmpty(), "common uses nothing of the kit: " + uses.get("common"));
        List<String> cycle = cycle(uses);
        assertTrue(cycle.isEmpty(), "packages in a cycle: " + String.join(" -> ", cycle) + " (all uses: " + uses + ")");
    }

    @Test
    void theCycleFinderFindsACycle() {
        Map<String, Set<String>> uses = new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of()));
        assertEquals(List.of("a", "b", "c", "a"), cycle(uses));
        assertEquals(List.of(), cycle(new TreeMap<>(Map.of("a", Set.of("b"), "b", Set.of()))));
    }

    @Test
    void commonStaysSmall() throws IOException {
        long lines = 0;
        for (Path f : javaFiles(SCRIPTS.resolve("common"))) lines += Files.readAllLines(f).size();
        assertTrue(lines < COMMON_LIMIT, "common/ holds " + lines + " lines; what only one workshop uses belongs beside its user");
    }

    @Test
    void noFileIsTooLongToReadAtOnce() throws IOException {
        List<String> tooLong = new ArrayList<>();
        for (Path f : javaFiles(SCRIPTS)) {
            int n = Files.readAllLines(f).size();
            if (n > FILE_LIMIT) tooLong.add(f + " (" + n + " lines)");
        }
        assertEquals(List.of(), tooLong, "files over " + FILE_LIMIT + " lines");
    }

    @Test
    void everyLongMethodSaysWhy() throws IOException {
        List<String> unexplained = new ArrayList<>();
        int measured = 0;
        for (Path f : javaFiles(SCRIPTS)) {
            for (Method m : methods(Files.readAllLines(f))) {
                measured++;
                if (m.lines() > METHOD_LIMIT && !m.explained()) unexplained.add(f + ":" + m.line() + " " + m.name() + " (" + m.lines() + " lines)");
            }
        }
        assertTrue(measured > 500, "the method finder found only " + measured + " methods");
        assertEquals(List.of(), unexplained, "methods over " + METHOD_LIMIT + " lines with no \"Long because\" comment above them");
    }

    @Test
    void theMethodFinderMeasuresAndReadsTheExcuse() {
        List<String> src = new ArrayList<>(List.of("class A {", "    // Long because a step reads top to bottom.", "    void a() {"));
        for (int i = 0; i < 70; i++) src.add("        String s = \"{\";");
        src.addAll(List.of("    }", "", "    int b(int x) {", "        if (x > 0) {", "            return 1;", "        }", "        return 0;", "    }", "}"));
        List<Method> found = methods(src);
        assertEquals(2, found.size(), found.toString());
        assertEquals(new Method("a", 3, 72, true), found.get(0));
        assertEquals(new Method("b", 76, 6, false), found.get(1));
    }

    record Method(String name, int line, int lines, boolean explained) {}

    private static final Pattern DECLARATION = Pattern.compile(
            "^ {4,8}(?:(?:public|private|protected|static|final|synchronized|default|abstract)\\s+)*(?:<[^>]+>\\s+)?[\\w<>\\[\\],.? ]+\\s+(\\w+)\\s*\\([^;]*$");
    private static final Set<String> NOT_A_NAME = Set.of("if", "for", "while", "switch", "catch", "try", "return", "new", "else", "throw", "synchronized");

    /** Methods and constructors by their braces, with strings, characters and line comments set aside. */
    static List<Method> methods(List<String> lines) {
        List<Method> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = DECLARATION.matcher(lines.get(i));
            if (!m.matches() || NOT_A_NAME.contains(m.group(1)) || NOT_A_NAME.contains(lines.get(i).trim().split("\\s+")[0])) continue;
            int open = i;
            while (open < lines.size() && !code(lines.get(open)).contains("{") && !code(lines.get(open)).contains(";")) open++;
            if (open == lines.size() || !code(lines.get(open)).contains("{")) continue;
            int depth = 0;
            int end = open;
            for (; end < lines.size(); end++) {
                String c = code(lines.get(end));
                depth += c.chars().filter(ch -> ch == '{').count() - c.chars().filter(ch -> ch == '}').count();
                if (depth == 0) break;
            }
            boolean explained = false;
            for (int k = i - 1; k >= 0 && k >= i - 12; k--) {
                String t = lines.get(k).trim();
                if (!(t.startsWith("//") || t.startsWith("*") || t.startsWith("/**") || t.startsWith("@"))) break;
                if (t.contains("Long because")) explained = true;
            }
            found.add(new Method(m.group(1), i + 1, end - i + 1, explained));
            i = end;
        }
        return found;
    }

    private static String code(String line) {
        String s = line.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"").replaceAll("'(\\\\.|[^'\\\\])'", "''");
        int comment = s.indexOf("//");
        return comment < 0 ? s : s.substring(0, comment);
    }

    /** For each package (a folder of scripts/), the other packages its files import, name in full or pull in by //SOURCES. */
    static Map<String, Set<String>> packageUses() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SCRIPTS)) {
            dirs.filter(Files::isDirectory).forEach(d -> packages.add(d.getFileName().toString()));
        }
        Pattern use = Pattern.compile("(?:^import (?:static )?|[^\\w.]|\\.\\./)(" + String.join("|", packages) + ")[./][A-Z]");
        Map<String, Set<String>> uses = new TreeMap<>();
        for (String p : packages) {
            Set<String> to = new TreeSet<>();
            for (Path f : javaFiles(SCRIPTS.resolve(p))) {
                for (String line : Files.readAllLines(f)) {
                    String t = line.trim();
                    if (t.startsWith("*") || t.startsWith("/**") || (t.startsWith("//") && !t.startsWith("//SOURCES"))) continue;
                    Matcher m = use.matcher(line);
                    while (m.find()) if (!m.group(1).equals(p)) to.add(m.group(1));
                }
            }
            uses.put(p, to);
        }
        return uses;
    }

    /** A cycle as the path that closes it, or nothing. */
    static List<String> cycle(Map<String, Set<String>> uses) {
        Map<String, Integer> state = new TreeMap<>();
        for (String start : uses.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, uses, state, path)) return path;
        }
        return List.of();
    }

    private static boolean visit(String p, Map<String, Set<String>> uses, Map<String, Integer> state, List<String> path) {
        int s = state.getOrDefault(p, 0);
        if (s == 2) return false;
        if (s == 1) {
            path.subList(0, path.indexOf(p)).clear();
            path.add(p);
            return true;
        }
        state.put(p, 1);
        path.add(p);
        for (String q : uses.getOrDefault(p, Set.of())) if (visit(q, uses, state, path)) return true;
        path.remove(path.size() - 1);
        state.put(p, 2);
        return false;
    }

    private static List<Path> javaFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }
}
