///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Bundle.java common/Cli.java common/Evidence.java common/Folders.java common/Home.java common/Journal.java common/Json.java
//SOURCES common/Messages.java common/Problem.java common/Proof.java recovery/Backups.java
//DESCRIPTION The auto-grader: re-verify each student's evidence from raw data, score it, and grade a whole class.

// Grading.
//
//   ./jbang grade db007-alice.zip db007-bob.zip …      or a folder of bundles
//   ./jbang grade bundles/ --csv class.csv --junit class.xml
//
// Trusts no number a student could have typed: it checks the manifest's hashes, recomputes the
// mission's RPO and RTO from the journal and the rows, restores the PRA backups the student
// restored into a scratch folder and counts them itself. Points come from solutions/scale.json;
// what no program can judge is shown for the instructor, never scored as if checked.
// Exits 1 when any student fails a required check.

import common.Bundle;
import common.Cli;
import common.Evidence;
import common.Folders;
import common.Home;
import common.Journal;
import common.Json;
import common.Messages;
import common.Problem;
import common.Proof;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import recovery.Backups;

@Command(name = "grade", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class grade implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Parameters(paramLabel = "BUNDLE", arity = "1..*", descriptionKey = "grade.bundles") List<Path> inputs;
    @Option(names = "--scale", paramLabel = "FILE", descriptionKey = "grade.scale") Path scaleFile;
    @Option(names = "--csv", paramLabel = "FILE", defaultValue = "grades.csv", descriptionKey = "grade.csv") Path csv;
    @Option(names = "--junit", paramLabel = "FILE", defaultValue = "grades.xml", descriptionKey = "grade.junit") Path junit;
    @Option(names = "--quiet", descriptionKey = "grade.quiet") boolean quiet;

    public static void main(String[] args) {
        System.exit(Cli.run(new grade(), args));
    }

    /** One line of the scale. */
    record Rule(int points, boolean required, boolean instructor, String title, String titleFr) {
        String label() {
            return Messages.french() && titleFr != null ? titleFr : title;
        }
    }

    record Scale(Map<String, Rule> checks) {}

    /** One check's outcome for one student. */
    record Check(String id, boolean passed, int points, String reason) {}

    record Student(String name, String bundle, List<Check> checks, int score, int max, boolean failedRequired, String problem) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (scaleFile == null) scaleFile = Home.kitFile("solutions/scale.json");
        if (!Files.exists(scaleFile)) throw Problem.environment("grade.scale.missing", scaleFile);
        Scale scale = Json.read(scaleFile, Scale.class);
        List<Path> bundles = new ArrayList<>();
        for (Path in : inputs) {
            if (!Files.exists(in)) throw Problem.environment("grade.missing", in);
            boolean isBundleFolder = Files.isDirectory(in) && Files.exists(in.resolve(Bundle.MANIFEST));
            if (Files.isDirectory(in) && !isBundleFolder) {
                try (Stream<Path> list = Files.list(in)) {
                    list.filter(p -> p.toString().endsWith(".zip") || Files.exists(p.resolve(Bundle.MANIFEST))).sorted().forEach(bundles::add);
                }
            } else {
                bundles.add(in);
            }
        }
        Path scratch = Files.createTempDirectory("db007-grade");
        List<Student> students = new ArrayList<>();
        try {
            for (Path b : bundles) {
                Student s = gradeOne(b, scale, scratch);
                students.add(s);
                if (!quiet) printStudent(out, s, scale);
            }
        } finally {
            Folders.delete(scratch);
        }
        printClass(out, students);
        writeCsv(students, scale);
        writeJunit(students, scale);
        out.println(Messages.get("grade.written", csv.toAbsolutePath(), junit.toAbsolutePath()));
        return students.stream().anyMatch(Student::failedRequired) ? Problem.CHECK_FAILED : 0;
    }

    // ---- one student -------------------------------------------------------------------------

    Student gradeOne(Path bundle, Scale scale, Path scratch) {
        shownAnswers = Map.of();
        Path root;
        Bundle.Manifest manifest;
        try {
            root = Bundle.open(bundle, scratch);
            manifest = Json.read(root.resolve(Bundle.MANIFEST), Bundle.Manifest.class);
        } catch (Exception e) {
            return new Student(bundle.getFileName().toString(), bundle.toString(), List.of(), 0, max(scale), true,
                    Messages.get("grade.unreadable", e.getMessage()));
        }
        List<Check> checks = new ArrayList<>();
        String manifestReason;
        try {
            manifestReason = manifestReason(root, manifest);
        } catch (Exception e) {
            manifestReason = e.getMessage();
        }
        checks.add(check(scale, "manifest", manifestReason));
        Path maz = root.resolve("maz");
        if (Files.isDirectory(maz)) checks.addAll(mission(scale, maz));
        Path pra = root.resolve("pra");
        if (Files.isDirectory(pra)) checks.addAll(pra(scale, pra, root.resolve("pra-backup")));
        boolean failedRequired = scale.checks().entrySet().stream().filter(e -> e.getValue().required())
                .anyMatch(e -> checks.stream().noneMatch(c -> c.id().equals(e.getKey()) && c.passed())
                        && (e.getKey().startsWith("maz.") ? Files.isDirectory(maz) : e.getKey().startsWith("pra.") ? Files.isDirectory(pra) : true));
        int score = checks.stream().mapToInt(Check::points).sum();
        return new Student(manifest.student(), bundle.toString(), checks, score, max(scale), failedRequired, null);
    }

    static String manifestReason(Path root, Bundle.Manifest m) throws Exception {
        if (m.files() == null || m.files().isEmpty()) return Messages.get("grade.manifest.empty");
        for (Map.Entry<String, String> f : m.files().entrySet()) {
            Path file = root.resolve(f.getKey()).normalize();
            if (!file.startsWith(root) || !Files.exists(file)) return Messages.get("grade.manifest.missing", f.getKey());
            if (!Bundle.sha256(file).equals(f.getValue())) return Messages.get("grade.manifest.changed", f.getKey());
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (!name.equals(Bundle.MANIFEST) && !m.files().containsKey(name)) return Messages.get("grade.manifest.extra", name);
            }
        }
        return null;
    }

    // ---- the mission -------------------------------------------------------------------------

    List<Check> mission(Scale scale, Path maz) {
        List<Check> checks = new ArrayList<>();
        Evidence ev;
        try {
            ev = new Evidence(maz);
        } catch (Exception e) {
            return List.of(check(scale, "maz.steps", e.getMessage()));
        }
        // Steps: all nine, passed, started in order.
        String stepsReason = null;
        Instant previous = Instant.MIN;
        Map<String, Evidence.Step> steps = new LinkedHashMap<>();
        for (int i = 1; i <= 9 && stepsReason == null; i++) {
            try {
                Evidence.Step s = ev.step("maz" + i);
                if (s == null) stepsReason = Messages.get("grade.maz.step.missing", i);
                else if (!"pass".equals(s.verdict())) stepsReason = Messages.get("grade.maz.step.failed", i);
                else if (Instant.parse(s.startedAt()).isBefore(previous)) stepsReason = Messages.get("grade.maz.step.order", i);
                else {
                    previous = Instant.parse(s.startedAt());
                    steps.put("maz" + i, s);
                }
            } catch (Exception e) {
                stepsReason = Messages.get("grade.maz.step.unreadable", i, e.getMessage());
            }
        }
        checks.add(check(scale, "maz.steps", stepsReason));

        Evidence.Step sabotage = steps.get("maz5");
        Evidence.Step order = steps.get("maz9");
        String orderReason = sabotage == null || order == null ? Messages.get("grade.maz.order.unknown")
                : !String.valueOf(order.observed().get("primary_az")).equals(sabotage.observed().get("standby_az_before"))
                  || !String.valueOf(order.observed().get("standby_az")).equals(sabotage.observed().get("primary_az_before"))
                ? Messages.get("grade.maz.order.wrong", sabotage.observed().get("primary_az_before"), order.observed().get("primary_az"), order.observed().get("standby_az"))
                : null;
        checks.add(check(scale, "maz.order", orderReason));

        // The proof, recomputed from the raw journal and rows only.
        Proof recomputed = null;
        String journalReason = null;
        String rpoReason = null;
        try {
            List<Journal.Entry> journal = Journal.read(maz.resolve("journal.csv"));
            Map<?, ?> agent = Json.read(maz.resolve("agent.json"), Map.class);
            Map<Long, Proof.Row> rows = Proof.readRows(maz.resolve("database.csv"));
            Instant sabotageAt = sabotage == null ? null : Instant.parse(String.valueOf(sabotage.observed().get("requested_at")));
            recomputed = Proof.compute(String.valueOf(agent.get("run_id")), journal, rows, sabotageAt);
            if (recomputed.journalHoles() > 0) journalReason = Messages.get("grade.maz.holes", recomputed.journalHoles());
            if (recomputed.lostWrites() > 0 || recomputed.corruptRows() > 0 || recomputed.unjournaledRows() > 0 || recomputed.acknowledgedWrites() == 0) {
                rpoReason = Messages.get("grade.maz.rpo", recomputed.acknowledgedWrites(), recomputed.lostWrites(), recomputed.corruptRows(), recomputed.unjournaledRows());
            }
        } catch (Exception e) {
            journalReason = e.getMessage();
            rpoReason = e.getMessage();
        }
        checks.add(check(scale, "maz.journal", journalReason));
        checks.add(check(scale, "maz.rpo", rpoReason));

        String rtoReason;
        String reportReason;
        try {
            Proof claimed = Json.read(maz.resolve("proof.json"), Proof.class);
            rtoReason = recomputed == null ? Messages.get("grade.maz.rto.none")
                    : !java.util.Objects.equals(recomputed.rtoMs(), claimed.rtoMs()) ? Messages.get("grade.maz.rto.differs", claimed.rtoMs(), recomputed.rtoMs()) : null;
            Matcher m = Pattern.compile("(?s)<script type='application/json' id='db007-proof'>(.*?)</script>").matcher(Files.readString(maz.resolve("report.html")));
            if (!m.find()) reportReason = Messages.get("grade.maz.report.none");
            else {
                Proof shown = Json.read(m.group(1).replace("<\\/", "</"), Proof.class);
                reportReason = recomputed != null && shown.acknowledgedWrites() == recomputed.acknowledgedWrites() && shown.lostWrites() == recomputed.lostWrites()
                        && java.util.Objects.equals(shown.rtoMs(), recomputed.rtoMs()) ? null : Messages.get("grade.maz.report.differs");
            }
        } catch (Exception e) {
            rtoReason = e.getMessage();
            reportReason = e.getMessage();
        }
        checks.add(check(scale, "maz.rto", rtoReason));
        checks.add(check(scale, "maz.report", reportReason));
        return checks;
    }

    // ---- the PRA workshop --------------------------------------------------------------------

    List<Check> pra(Scale scale, Path pra, Path backups) {
        List<Check> checks = new ArrayList<>();
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("db007-restore");
            List<Map<?, ?>> restores = new ArrayList<>();
            if (Files.isDirectory(pra.resolve("restores"))) {
                try (Stream<Path> list = Files.list(pra.resolve("restores"))) {
                    for (Path f : (Iterable<Path>) list.sorted()::iterator) restores.add(Json.read(f, Map.class));
                }
            } else if (Files.exists(pra.resolve("restore.json"))) {
                restores.add(Json.read(pra.resolve("restore.json"), Map.class));
            }
            if (restores.isEmpty()) {
                checks.add(check(scale, "pra.restore", Messages.get("grade.pra.no-restore")));
                return checks;
            }
            // Every restore the student made, made again here: same file, same count.
            String restoreReason = null;
            List<Backups.Point> points = Backups.list(backups);
            for (Map<?, ?> r : restores) {
                String file = String.valueOf(r.get("restored_from"));
                Path target = Files.createDirectories(scratch.resolve(file + "-" + restores.indexOf(r)));
                Backups.restore(backups.resolve(file), target, false);
                Backups.Point again = Backups.check(target.resolve(Backups.DATABASE));
                long claimed = ((Number) r.get("restored_messages")).longValue();
                if (!again.valid() || again.messages() != claimed) {
                    restoreReason = Messages.get("grade.pra.restore.differs", file, claimed, again.valid() ? again.messages() : again.problem());
                }
            }
            checks.add(check(scale, "pra.restore", restoreReason));

            // RPO: acknowledged adds beyond the restored backup's last id, counted here.
            Map<?, ?> last = restores.get(restores.size() - 1);
            String rpoReason = null;
            if (Files.exists(pra.resolve("adds.csv")) && Files.exists(pra.resolve("drill.json"))) {
                Object restoredFrom = Json.read(pra.resolve("drill.json"), Map.class).get("restored_from");
                Backups.Point restored = points.stream().filter(p -> p.file().equals(restoredFrom)).findFirst().orElse(null);
                long lastId = restored == null || restored.lastId() == null ? 0 : restored.lastId();
                long lost = Files.readAllLines(pra.resolve("adds.csv")).stream().skip(1).map(l -> l.split(",", -1))
                        .filter(f -> f[4].equals("true") && !f[5].isEmpty() && Long.parseLong(f[5]) > lastId).count();
                long claimed = ((Number) Json.read(pra.resolve("drill.json"), Map.class).get("lost_messages")).longValue();
                if (lost != claimed) rpoReason = Messages.get("grade.pra.rpo.differs", claimed, lost);
            } else if (Files.exists(pra.getParent().resolve("pra-log/app.log"))) {
                rpoReason = lostFromAppLog(pra.getParent().resolve("pra-log/app.log"), restores);
            } else {
                rpoReason = Messages.get("grade.pra.rpo.none");
            }
            checks.add(check(scale, "pra.rpo", rpoReason));

            // Practical task 1: the /status answer names a backup that is really there, and valid.
            String statusReason = null;
            if (!Files.exists(pra.resolve("status.json"))) statusReason = Messages.get("grade.pra.status.none");
            else {
                Object named = Json.read(pra.resolve("status.json"), Map.class).get("last_backup_file");
                if (named == null || points.stream().noneMatch(p -> p.file().equals(named) && p.valid())) {
                    statusReason = Messages.get("grade.pra.status.differs", named);
                }
            }
            checks.add(check(scale, "pra.status", statusReason));

            // Practical task 2: a restore of a point that was not the newest valid one at the time.
            boolean chosen = restores.stream().anyMatch(r -> {
                Instant at = Instant.parse(String.valueOf(r.get("started_at")));
                String newest = points.stream().filter(p -> p.valid() && !Instant.parse(p.time()).isAfter(at)).map(Backups.Point::file).findFirst().orElse(null);
                return newest != null && !newest.equals(r.get("restored_from"));
            });
            checks.add(check(scale, "pra.point", chosen ? null : Messages.get("grade.pra.point.none")));

            // Exercise 3 can be checked against the figures; the other written answers are the instructor's to judge.
            Map<String, String> answers = answers(pra.getParent().resolve("answers/pra.md"));
            Map<?, ?> measured = restores.stream().filter(r -> r.get("rpo_seconds") != null).findFirst().orElse(last);
            checks.add(check(scale, "pra.exercise3", exercise3(answers.get("3"), measured)));
            checks.add(new Check("pra.exercises", false, 0, answers.isEmpty() ? Messages.get("grade.answers.none")
                    : Messages.get("grade.instructor", Messages.french() ? "solutions/pra/answers.fr.md" : "solutions/pra/answers.en.md")));
            shownAnswers = answers;
            checks.add(new Check("pra.readme", false, 0, Messages.get("grade.instructor.plain")));
            checks.add(new Check("pra.process", false, 0, Messages.get("grade.instructor.plain")));
        } catch (Exception e) {
            checks.add(check(scale, "pra.restore", e.getMessage()));
        } finally {
            try {
                if (scratch != null) Folders.delete(scratch);
            } catch (Exception ignored) {
                // A scratch folder left in the temporary directory harms nothing.
            }
        }
        return checks;
    }

    /**
     * The loss of each restore recounted from the app's own log: the ADD lines between the
     * previous RESTORE mark and this restore's own, beyond the restored backup's last id.
     */
    static String lostFromAppLog(Path appLog, List<Map<?, ?>> restores) throws Exception {
        List<String> lines = Files.readAllLines(appLog);
        for (Map<?, ?> r : restores) {
            if (r.get("lost_messages") == null) continue;
            Instant started = Instant.parse(String.valueOf(r.get("started_at")));
            long lastId = r.get("backup_last_id") == null ? 0 : ((Number) r.get("backup_last_id")).longValue();
            long lost = 0;
            for (String line : lines) {
                if (line.startsWith("RESTORE ")) {
                    // This restore's own mark ends the count; an earlier one starts it afresh.
                    if (!Instant.parse(line.split(" ")[1].substring(3)).isBefore(started)) break;
                    lost = 0;
                } else if (line.startsWith("ADD id=") && Long.parseLong(line.split(" ")[1].substring(3)) > lastId) {
                    lost++;
                }
            }
            long claimed = ((Number) r.get("lost_messages")).longValue();
            if (lost != claimed) return Messages.get("grade.pra.rpo.differs", claimed, lost);
        }
        return null;
    }

    /** The key points of the instructor's answers: "N. **title**" lines of solutions/pra/answers.en.md. */
    static Map<String, String> keyPoints() {
        Map<String, String> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Home.kitFile(Messages.french() ? "solutions/pra/answers.fr.md" : "solutions/pra/answers.en.md"))) {
                Matcher k = Pattern.compile("^(\\d)\\. \\*\\*(.+?)\\*\\*.*").matcher(line);
                if (k.matches()) m.put(k.group(1), k.group(2));
            }
        } catch (java.io.IOException e) {
            // Without the solutions folder, answers are shown without their key points.
        }
        return m;
    }

    /** The student's answers of the last bundle graded, shown beside the key points. */
    private Map<String, String> shownAnswers = Map.of();

    /** A Markdown file with one "## N" heading per exercise, as the exercises ask. */
    static Map<String, String> answers(Path file) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.exists(file)) return m;
        String current = null;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            Matcher h = Pattern.compile("^##\\s*(?:Exercise|Exercice)?\\s*(\\d)\\b.*").matcher(line);
            if (h.matches()) {
                if (current != null) m.put(current, text.toString().trim());
                current = h.group(1);
                text.setLength(0);
            } else if (current != null) {
                text.append(line).append('\n');
            }
        }
        if (current != null) m.put(current, text.toString().trim());
        return m;
    }

    /**
     * The RPO and RTO the student wrote for exercise 3, read as "RPO … 12.3 s" and "RTO … 4 s",
     * against the measured ones: within a tenth, or half a second.
     */
    static String exercise3(String answer, Map<?, ?> restore) {
        if (answer == null) return Messages.get("grade.exercise3.none");
        Object rpo = restore.get("rpo_seconds");
        Object rto = restore.get("rto_seconds");
        if (rpo == null || rto == null) return Messages.get("grade.pra.rpo.none");
        for (String name : new String[] {"RPO", "RTO"}) {
            double measured = ((Number) (name.equals("RPO") ? rpo : rto)).doubleValue();
            Matcher m = Pattern.compile(name + "[^0-9\\n]{0,40}?(\\d+(?:[.,]\\d+)?)\\s*s").matcher(answer);
            if (!m.find()) return Messages.get("grade.exercise3.missing", name);
            double written = Double.parseDouble(m.group(1).replace(',', '.'));
            if (Math.abs(written - measured) > Math.max(0.5, measured * 0.1)) return Messages.get("grade.exercise3.differs", name, written, measured);
        }
        return null;
    }

    // ---- scoring and output ------------------------------------------------------------------

    static Check check(Scale scale, String id, String reason) {
        Rule r = scale.checks().get(id);
        int points = r == null || reason != null ? 0 : r.points();
        return new Check(id, reason == null, points, reason);
    }

    static int max(Scale scale) {
        return scale.checks().values().stream().mapToInt(Rule::points).sum();
    }

    private void printStudent(PrintWriter out, Student s, Scale scale) {
        out.println();
        out.println(Messages.get("grade.student", s.name(), s.bundle()));
        if (s.problem() != null) {
            out.println("  " + s.problem());
            return;
        }
        for (Check c : s.checks()) {
            Rule r = scale.checks().get(c.id());
            String mark = r != null && r.instructor() ? "[instr]" : c.passed() ? "[ ok  ]" : "[FAIL ]";
            out.printf("  %s %-14s %2d/%-2d %s%s%n", mark, c.id(), c.points(), r == null ? 0 : r.points(), r == null ? c.id() : r.label(),
                    c.reason() == null ? "" : " - " + c.reason());
        }
        Map<String, String> keys = keyPoints();
        for (Map.Entry<String, String> a : shownAnswers.entrySet()) {
            if (a.getKey().equals("3")) continue;
            String text = a.getValue().replaceAll("\\s+", " ");
            out.println("    " + Messages.get("grade.answer", a.getKey(), text.length() > 240 ? text.substring(0, 240) + "…" : text));
            if (keys.containsKey(a.getKey())) out.println("      " + Messages.get("grade.key", keys.get(a.getKey())));
        }
        out.println(Messages.get("grade.score", s.score(), s.max(), s.failedRequired() ? Messages.get("grade.required.failed") : ""));
    }

    private static void printClass(PrintWriter out, List<Student> students) {
        out.println();
        out.println(Messages.get("grade.class"));
        for (Student s : students) {
            out.printf("  %-20s %3d / %-3d %s%n", s.name(), s.score(), s.max(), s.failedRequired() ? Messages.get("grade.required.failed") : "");
        }
    }

    private void writeCsv(List<Student> students, Scale scale) throws Exception {
        StringBuilder b = new StringBuilder("student,score,max,failed_required");
        for (String id : scale.checks().keySet()) b.append(',').append(id);
        b.append('\n');
        for (Student s : students) {
            b.append(s.name().replace(',', ' ')).append(',').append(s.score()).append(',').append(s.max()).append(',').append(s.failedRequired());
            for (String id : scale.checks().keySet()) {
                Check c = s.checks().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
                b.append(',').append(c == null ? "" : c.points());
            }
            b.append('\n');
        }
        Files.createDirectories(csv.toAbsolutePath().getParent());
        Files.writeString(csv, b.toString());
    }

    /** One test suite per student, one test case per check, as GitHub Classroom and LMS importers read them. */
    private void writeJunit(List<Student> students, Scale scale) throws Exception {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"db007\">\n");
        for (Student s : students) {
            long failures = s.checks().stream().filter(c -> !c.passed() && !isInstructor(scale, c)).count() + (s.problem() == null ? 0 : 1);
            x.append("  <testsuite name=\"").append(xml(s.name())).append("\" tests=\"").append(Math.max(1, s.checks().size()))
                    .append("\" failures=\"").append(failures).append("\" skipped=\"")
                    .append(s.checks().stream().filter(c -> isInstructor(scale, c)).count()).append("\">\n");
            if (s.problem() != null) {
                x.append("    <testcase name=\"bundle\"><failure message=\"").append(xml(s.problem())).append("\"/></testcase>\n");
            }
            for (Check c : s.checks()) {
                x.append("    <testcase name=\"").append(xml(c.id())).append("\" classname=\"").append(xml(s.name())).append("\">");
                if (isInstructor(scale, c)) x.append("<skipped message=\"").append(xml(String.valueOf(c.reason()))).append("\"/>");
                else if (!c.passed()) x.append("<failure message=\"").append(xml(String.valueOf(c.reason()))).append("\"/>");
                x.append("</testcase>\n");
            }
            x.append("  </testsuite>\n");
        }
        Files.createDirectories(junit.toAbsolutePath().getParent());
        Files.writeString(junit, x.append("</testsuites>\n").toString());
    }

    private static boolean isInstructor(Scale scale, Check c) {
        Rule r = scale.checks().get(c.id());
        return r != null && r.instructor();
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
