///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/FileTree.java common/Json.java common/Messages.java common/Problem.java grading/ClassOutputs.java grading/Grader.java
//SOURCES grading/Scale.java grading/Student.java
//DESCRIPTION Benchmark of the grader: grade N copies of a real bundle and say how long it took.

// How long grading a class takes, measured rather than asserted in a unit test.
//
//   ./jbang bundle --student me --out me.zip          a real bundle first (after ./jbang mission and ./jbang pra)
//   ./jbang grade-bench --from me.zip --bundles 100
//
// The aim on a 2-core machine: 100 bundles in under 30 s. Each copy is graded in full: its
// manifest hashed, its proof recomputed, its backups restored in a scratch folder, by the
// grading package itself, as the grade step calls it.

import common.Cli;
import common.FileTree;
import common.Json;
import common.Messages;
import common.Problem;
import grading.ClassOutputs;
import grading.Grader;
import grading.Scale;
import grading.Student;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "grade-bench")
public class grade_bench extends Cli.KitCommand {
    @Option(names = "--from", paramLabel = "ZIP", required = true, descriptionKey = "grade-bench.from") Path from;
    @Option(names = "--bundles", paramLabel = "N", defaultValue = "100", descriptionKey = "grade-bench.bundles") int count;
    @Option(names = "--bomb-mb", paramLabel = "MB", defaultValue = "900", descriptionKey = "grade-bench.bomb") int bombMb;
    @Option(names = "--keep-html", paramLabel = "FILE", descriptionKey = "grade-bench.keep-html") Path keepHtml;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;

    public static void main(String[] args) {
        System.exit(Cli.run(new grade_bench(), args));
    }

    // Long because a benchmark reads top to bottom: make the class, grade it, time each part, print.
    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(from)) throw Problem.environment("grade.missing", from);
        Path dir = Files.createTempDirectory("db007-grade-bench");
        try {
            for (int i = 1; i <= count; i++) Files.copy(from, dir.resolve(String.format(Locale.ROOT, "student-%03d.zip", i)));
            PrintWriter sink = new PrintWriter(Writer.nullWriter());
            Scale scale = Scale.load(null);
            Path page = dir.resolve("class.html");
            // Four passes, without and with the HTML report in turn: the first runs on a cold JVM,
            // so each figure is the better of its two passes.
            double seconds = Double.MAX_VALUE;
            double htmlSeconds = Double.MAX_VALUE;
            int code = 0;
            for (int pass = 0; pass < 4; pass++) {
                boolean withHtml = pass % 2 == 1;
                Path html = withHtml ? page : null;
                Instant t0 = Instant.now();
                List<Student> students = new Grader(scale, html).grade(List.of(dir), List.of(), sink);
                ClassOutputs.write(sink, students, scale, true, dir.resolve("grades.csv"), dir.resolve("grades.xml"), html);
                int exit = students.stream().anyMatch(x -> x.failedRequired(scale)) ? Problem.CHECK_FAILED : 0;
                double s = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
                if (withHtml) htmlSeconds = Math.min(htmlSeconds, s);
                else {
                    seconds = Math.min(seconds, s);
                    code = exit;
                }
            }
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("bundles", count);
            o.put("seconds", seconds);
            o.put("ms_per_bundle", Math.round(seconds * 1000 / count));
            o.put("grader_exit_code", code);
            o.put("seconds_with_html", htmlSeconds);
            // The better of two passes each: a page that costs less than the passes differ by is no figure, not a negative one.
            double adds = Math.round((htmlSeconds - seconds) * 1000 / seconds) / 10.0;
            o.put("html_adds_percent", Math.max(0, adds));
            o.put("html_adds_measurable", adds > 0);
            o.put("html_kb", Files.size(page) / 1024);
            if (keepHtml != null) {
                // Kept, with the students' reports beside it, for benchmarks/class-report.sh to open in a browser.
                Files.copy(page, keepHtml, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Path reports = dir.resolve("class-reports");
                Path keptReports = keepHtml.toAbsolutePath().resolveSibling(keepHtml.getFileName().toString().replaceAll("\\.html?$", "") + "-reports");
                FileTree.delete(keptReports);
                FileTree.copy(reports, keptReports);
            }
            if (bombMb > 0) {
                // A zip of zeros that would inflate to bombMb, graded alone: how fast it is refused.
                Path bombs = Files.createDirectories(dir.resolve("bomb"));
                Path bomb = bombs.resolve("bomb.zip");
                try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bomb))) {
                    z.putNextEntry(new ZipEntry("maz/journal.csv"));
                    byte[] zeros = new byte[1 << 20];
                    for (int i = 0; i < bombMb; i++) z.write(zeros);
                    z.closeEntry();
                }
                Instant b0 = Instant.now();
                new Grader(scale, null).grade(List.of(bombs), List.of(), sink);
                o.put("bomb_zip_kb", Files.size(bomb) / 1024);
                o.put("bomb_inflated_mb", bombMb);
                o.put("bomb_refused_in_seconds", Duration.between(b0, Instant.now()).toMillis() / 1000.0);
            }
            o.put("cores", Runtime.getRuntime().availableProcessors());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(Json.write(o));
                return code;
            }
            out.println(Messages.get("grade-bench.summary", count, from.getFileName(), o.get("cores")));
            out.println(Messages.get("grade-bench.plain", seconds, o.get("ms_per_bundle")));
            out.println(adds > 0 ? Messages.get("grade-bench.html", htmlSeconds, o.get("html_kb"), adds)
                    : Messages.get("grade-bench.html.free", htmlSeconds, o.get("html_kb")));
            if (bombMb > 0) out.println(Messages.get("grade-bench.bomb.result", o.get("bomb_zip_kb"), bombMb, o.get("bomb_refused_in_seconds")));
            if (code != 0) out.println(Messages.get("grade-bench.exit", code));
            return code;
        } finally {
            FileTree.delete(dir);
        }
    }
}
