package grading;

//SOURCES ../common/Bundle.java ../common/Messages.java ../common/Problem.java Scale.java Student.java

import common.Bundle;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The instructor's marks for what a person judges (--marks marks.csv: student,check,points,comment). */
public final class Marks {
    private Marks() {}

    /** An instructor's mark, from --marks: student,check,points,comment. */
    public record Mark(int line, String student, String check, int points, String comment) {}

    /** marks.csv: student,check,points,comment, with a header line; quotes as spreadsheets write them. */
    public static List<Mark> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw Problem.environment("grade.marks.missing", file);
        List<Mark> marks = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> f = csvFields(lines.get(i));
            try {
                if (f.size() < 3) throw new IllegalArgumentException();
                marks.add(new Mark(i + 1, f.get(0).trim(), f.get(1).trim(), Integer.parseInt(f.get(2).trim()), f.size() > 3 ? f.get(3).trim() : ""));
            } catch (IllegalArgumentException e) {
                throw Problem.environment("grade.marks.line", file, i + 1);
            }
        }
        return marks;
    }

    /** The fields of one CSV line, with quotes as spreadsheets write them ("a ""quoted"" word"). */
    static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields;
    }

    /** The instructor's marks given to the checks only a person can judge; any other mark is named and left aside. */
    static List<Student> apply(List<Student> students, List<Mark> marks, Scale scale, PrintWriter out) {
        List<Student> marked = new ArrayList<>();
        for (Mark m : marks) {
            Scale.Rule rule = scale.checks().get(m.check());
            if (students.stream().noneMatch(s -> s.name().equals(m.student()))) out.println(Messages.get("grade.marks.no-student", m.line(), Bundle.name(m.student())));
            else if (rule == null || !rule.instructor()) out.println(Messages.get("grade.marks.not-instructor", m.line(), Bundle.shortText(m.check())));
            else if (m.points() < 0 || m.points() > rule.points()) out.println(Messages.get("grade.marks.points", m.line(), m.points(), rule.points()));
        }
        for (Student s : students) {
            List<Student.Check> checks = new ArrayList<>();
            for (Student.Check c : s.checks()) {
                Scale.Rule rule = scale.checks().get(c.id());
                Mark m = marks.stream().filter(x -> x.student().equals(s.name()) && x.check().equals(c.id()) && rule != null && rule.instructor()
                        && x.points() >= 0 && x.points() <= rule.points()).reduce((a, b) -> b).orElse(null);
                checks.add(m == null ? c : new Student.Check(c.id(), true, m.points(), m.comment().isEmpty() ? null : Messages.get("grade.marks.comment", m.comment())));
            }
            marked.add(new Student(s.name(), s.bundle(), checks, s.flags(), s.answers(), s.prints(), s.problem(), s.reports()));
        }
        return marked;
    }

}
