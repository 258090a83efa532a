package grading;

//SOURCES ../common/Bundle.java ../common/Messages.java ClassReport.java Scale.java Student.java StudentFiles.java

import common.Bundle;
import common.Messages;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What the grader writes for a class: each student and the class table in the terminal, the CSV, the JUnit file and the class page. */
public final class ClassOutputs {
    private ClassOutputs() {}

    /** Everything the grader prints and writes for the class: each student (unless quiet), the table, the CSV and JUnit files, the page. */
    public static void write(PrintWriter out, List<Student> students, Scale scale, boolean quiet, Path csv, Path junit, Path html) throws IOException {
        if (!quiet) for (Student s : students) printStudent(out, s, scale);
        printClass(out, students, scale);
        writeCsv(csv, students, scale);
        writeJunit(junit, students, scale);
        out.println(Messages.get("grade.written", csv.toAbsolutePath(), junit.toAbsolutePath()));
        if (html != null) {
            writeHtml(html, students, scale);
            out.println(Messages.get("grade.written.html", html.toAbsolutePath()));
        }
    }

    static void printStudent(PrintWriter out, Student s, Scale scale) {
        out.println();
        out.println(Messages.get("grade.student", Bundle.name(s.name()), Bundle.printable(s.bundle())));
        if (s.problem() != null) {
            out.println("  " + Bundle.printable(s.problem()));
            return;
        }
        for (Student.Check c : s.checks()) {
            Scale.Rule r = scale.checks().get(c.id());
            String mark = c.passed() == null ? "[instr]" : c.passed() ? "[ ok  ]" : "[FAIL ]";
            String got = c.passed() == null ? " -" : String.format("%2d", c.points());
            out.printf("  %s %-14s %s/%-2d %s%s%n", mark, c.id(), got, r == null ? 0 : r.points(), r == null ? c.id() : r.label(),
                    c.reason() == null ? "" : " - " + Bundle.printable(c.reason()));
        }
        for (String flag : s.flags()) out.println("  " + Messages.get("grade.flag", Bundle.printable(flag)));
        out.println(Messages.get("grade.score", s.score("maz"), scale.max("maz"), s.score("pra"), scale.max("pra"), s.total(),
                scale.max("maz") + scale.max("pra"), s.failedRequired(scale) ? Messages.get("grade.required.failed") : ""));
        for (Student.Answer a : s.answers()) {
            out.println("  " + Messages.get("grade.answer", Messages.get("grade.workshop." + a.workshop()), a.id()));
            for (String line : a.text().split("\n")) out.println("      " + Bundle.printable(line));
            if (a.key() != null) {
                out.println("    " + Messages.get("grade.key"));
                for (String line : a.key().split("\n")) out.println("      " + line);
            }
        }
    }

    static void printClass(PrintWriter out, List<Student> students, Scale scale) {
        out.println();
        out.println(Messages.get("grade.class"));
        out.println(String.format("  %-24s %8s %8s %8s  %s", Messages.get("grade.column.student"), Messages.get("grade.workshop.maz"),
                Messages.get("grade.workshop.pra"), Messages.get("grade.column.total"), Messages.get("grade.column.notes")));
        for (Student s : students) {
            String notes = (s.failedRequired(scale) ? Messages.get("grade.required.failed") + " " : "")
                    + (s.flags().isEmpty() ? "" : Messages.get("grade.flags", s.flags().size()));
            out.println(String.format("  %-24s %5d/%-2d %5d/%-2d %5d/%-2d  %s", Bundle.name(s.name()), s.score("maz"), scale.max("maz"),
                    s.score("pra"), scale.max("pra"), s.total(), scale.max("maz") + scale.max("pra"), notes).stripTrailing());
        }
    }

    static void writeCsv(Path csv, List<Student> students, Scale scale) throws IOException {
        StringBuilder b = new StringBuilder("student,bundle,mission,pra,total,max,failed_required,flags");
        for (String id : scale.checks().keySet()) b.append(',').append(id);
        b.append('\n');
        for (Student s : students) {
            b.append(cell(Bundle.name(s.name()))).append(',').append(cell(s.bundle())).append(',').append(s.score("maz")).append(',').append(s.score("pra"))
                    .append(',').append(s.total()).append(',').append(scale.max("maz") + scale.max("pra")).append(',').append(s.failedRequired(scale))
                    .append(',').append(cell(String.join("; ", s.problem() == null ? s.flags() : List.of(s.problem()))));
            for (String id : scale.checks().keySet()) {
                Student.Check c = s.checks().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
                b.append(',').append(c == null || c.passed() == null ? "" : c.points());
            }
            b.append('\n');
        }
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, b.toString(), StandardCharsets.UTF_8);
    }

    /**
     * A CSV cell from a student's text: quoted, and never the start of a formula, which a
     * spreadsheet would run (=, +, -, @, a tab or a carriage return first).
     */
    static String cell(String text) {
        String t = Bundle.printable(text);
        if (!t.isEmpty() && "=+-@".indexOf(t.charAt(0)) >= 0) t = "'" + t;
        return "\"" + t.replace("\"", "\"\"") + "\"";
    }

    /** One test suite per student, one test case per check, as GitHub Classroom and LMS importers read them. */
    static void writeJunit(Path junit, List<Student> students, Scale scale) throws IOException {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"db007\">\n");
        for (Student s : students) {
            long failures = s.checks().stream().filter(c -> Boolean.FALSE.equals(c.passed())).count() + (s.problem() == null ? 0 : 1);
            x.append("  <testsuite name=\"").append(xml(Bundle.name(s.name()))).append("\" tests=\"").append(Math.max(1, s.checks().size()))
                    .append("\" failures=\"").append(failures).append("\" skipped=\"")
                    .append(s.checks().stream().filter(c -> c.passed() == null).count()).append("\">\n");
            if (s.problem() != null) {
                x.append("    <testcase name=\"bundle\"><failure message=\"").append(xml(s.problem())).append("\"/></testcase>\n");
            }
            for (Student.Check c : s.checks()) {
                x.append("    <testcase name=\"").append(xml(c.id())).append("\" classname=\"").append(xml(Bundle.name(s.name()))).append("\">");
                if (c.passed() == null) x.append("<skipped message=\"").append(xml(String.valueOf(c.reason()))).append("\"/>");
                else if (!c.passed()) x.append("<failure message=\"").append(xml(String.valueOf(c.reason()))).append("\"/>");
                x.append("</testcase>\n");
            }
            x.append("  </testsuite>\n");
        }
        Files.createDirectories(junit.toAbsolutePath().getParent());
        Files.writeString(junit, x.append("</testsuites>\n").toString(), StandardCharsets.UTF_8);
    }

    private static String xml(String s) {
        return Bundle.printable(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static void writeHtml(Path html, List<Student> students, Scale scale) throws IOException {
        List<ClassReport.Column> columns = new ArrayList<>();
        for (Map.Entry<String, Scale.Rule> c : scale.checks().entrySet()) {
            if (!c.getKey().equals("manifest")) columns.add(new ClassReport.Column(c.getKey(), c.getValue().label(), c.getValue().points(), c.getValue().instructor()));
        }
        List<ClassReport.Row> rows = new ArrayList<>();
        for (Student s : students) {
            List<ClassReport.Cell> cells = new ArrayList<>();
            for (Student.Check c : s.checks()) {
                Scale.Rule rule = scale.checks().get(c.id());
                String status = c.passed() == null ? (rule != null && rule.instructor() && c.points() > 0 ? "marked" : "instructor")
                        : c.passed() ? "pass" : "fail";
                cells.add(new ClassReport.Cell(c.id(), status, c.points(), c.reason()));
            }
            List<ClassReport.Answer> answers = s.answers().stream().map(a -> new ClassReport.Answer(a.workshop(), a.id(), a.text())).toList();
            rows.add(new ClassReport.Row(Bundle.name(s.name()), Bundle.printable(s.bundle()), s.score("maz"), s.score("pra"), s.total(), s.failedRequired(scale), s.flags(), cells,
                    answers, s.reports(), s.problem()));
        }
        Map<String, Map<String, String>> keys = new LinkedHashMap<>();
        for (String workshop : List.of("maz", "pra")) keys.put(workshop, StudentFiles.keys(workshop));
        Files.createDirectories(html.toAbsolutePath().getParent());
        Files.writeString(html, ClassReport.html(columns, rows, keys, scale.max("maz"), scale.max("pra"), Instant.now()), StandardCharsets.UTF_8);
    }
}
