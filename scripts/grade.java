///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Problem.java grading/ClassOutputs.java grading/Grader.java grading/Marks.java grading/Scale.java
//SOURCES grading/Student.java
//DESCRIPTION The auto-grader: re-verify each student's evidence from raw data, score it, and grade a whole class.

// Grading.
//
//   ./jbang grade bundles/                                  every zip (or unpacked bundle) in the folder
//   ./jbang grade a/submission.zip b/submission.zip …       an LMS export, each in its own folder
//   ./jbang grade bundles/ --marks marks.csv --csv class.csv --junit class.xml
//   ./jbang grade bundles/ --target aws                    each failover beside RDS's own history of it
//
// Trusts no number a student could have typed, and no file: every bundle is unpacked into a
// scratch folder of its own, within limits, and nothing it names may reach outside it. The
// mission's RPO and RTO are recomputed from the journal against the rows, which carry the
// server's own times; the PRA backups the student restored are restored again here and counted.
// Bundles that share a run, a journal or a backup are flagged. Points come from
// solutions/scale.json, the Mission and the PRA workshop out of 20 each; what only a person can
// judge comes from --marks. One bundle that cannot be read never stops the class: it gets its
// reason, and the others are graded and written. Exits 1 when a student fails a required check.

import aws.Rds;
import common.Cli;
import common.Problem;
import grading.ClassOutputs;
import grading.Grader;
import grading.Marks;
import grading.Scale;
import grading.Student;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "grade")
public class grade extends Cli.KitCommand {
    @Parameters(paramLabel = "BUNDLE", arity = "1..*", descriptionKey = "grade.bundles") List<Path> inputs;
    @Option(names = "--scale", paramLabel = "FILE", descriptionKey = "grade.scale") Path scaleFile;
    @Option(names = "--marks", paramLabel = "FILE", descriptionKey = "grade.marks") Path marksFile;
    @Option(names = "--csv", paramLabel = "FILE", defaultValue = "grades.csv", descriptionKey = "grade.csv") Path csv;
    @Option(names = "--junit", paramLabel = "FILE", defaultValue = "grades.xml", descriptionKey = "grade.junit") Path junit;
    @Option(names = "--quiet", descriptionKey = "grade.quiet") boolean quiet;
    @Option(names = "--html", paramLabel = "FILE", descriptionKey = "grade.html") Path html;
    /** With --target aws (and read access to the class's account), RDS's own history of each failover beside the bundle's. */
    @Mixin Rds.Options rds;

    public static void main(String[] args) {
        System.exit(Cli.run(new grade(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Scale scale = Scale.load(scaleFile);
        List<Marks.Mark> marks = marksFile == null ? List.of() : Marks.read(marksFile);
        Grader grader = new Grader(scale, html);
        Rds provider = rds.local() ? null : Rds.account(rds);
        List<Student> students;
        try {
            students = (provider == null ? grader : grader.askingRds(provider)).grade(inputs, marks, out);
        } finally {
            if (provider != null) provider.close();
        }
        ClassOutputs.write(out, students, scale, quiet, csv, junit, html);
        return students.stream().anyMatch(s -> s.failedRequired(scale)) ? Problem.CHECK_FAILED : 0;
    }
}
