///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Bundle.java common/Cli.java common/Evidence.java common/FileTree.java common/Home.java common/Json.java common/Messages.java
//SOURCES common/Problem.java common/Report.java grading/ClassReport.java mission/Agent.java mission/Journal.java mission/Mole.java mission/Proof.java
//SOURCES recovery/App.java recovery/AppLog.java recovery/Backups.java recovery/Restore.java
//DESCRIPTION The auto-grader: re-verify each student's evidence from raw data, score it, and grade a whole class.

// Grading.
//
//   ./jbang grade bundles/                                  every zip (or unpacked bundle) in the folder
//   ./jbang grade a/submission.zip b/submission.zip …       an LMS export, each in its own folder
//   ./jbang grade bundles/ --marks marks.csv --csv class.csv --junit class.xml
//
// Trusts no number a student could have typed, and no file: every bundle is unpacked into a
// scratch folder of its own, within limits, and nothing it names may reach outside it. The
// mission's RPO and RTO are recomputed from the journal against the rows, which carry the
// server's own times; the PRA backups the student restored are restored again here and counted.
// Bundles that share a run, a journal or a backup are flagged. Points come from
// solutions/scale.json, the Mission and the PRA workshop out of 20 each; what only a person can
// judge comes from --marks. One bundle that cannot be read never stops the class: it gets its
// reason, and the others are graded and written. Exits 1 when a student fails a required check.

import common.Bundle;
import common.Cli;
import common.Evidence;
import common.FileTree;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import common.Report;
import grading.ClassReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mission.Agent;
import mission.Journal;
import mission.Mole;
import mission.Proof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import recovery.App;
import recovery.AppLog;
import recovery.Backups;
import recovery.Restore;

@Command(name = "grade")
public class grade extends Cli.KitCommand {
    @Parameters(paramLabel = "BUNDLE", arity = "1..*", descriptionKey = "grade.bundles") List<Path> inputs;
    @Option(names = "--scale", paramLabel = "FILE", descriptionKey = "grade.scale") Path scaleFile;
    @Option(names = "--marks", paramLabel = "FILE", descriptionKey = "grade.marks") Path marksFile;
    @Option(names = "--csv", paramLabel = "FILE", defaultValue = "grades.csv", descriptionKey = "grade.csv") Path csv;
    @Option(names = "--junit", paramLabel = "FILE", defaultValue = "grades.xml", descriptionKey = "grade.junit") Path junit;
    @Option(names = "--quiet", descriptionKey = "grade.quiet") boolean quiet;
    @Option(names = "--html", paramLabel = "FILE", descriptionKey = "grade.html") Path html;
    /** Where the class report's copies of the students' own reports go: beside it, in a folder of its name. */
    private Path reportsDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new grade(), args));
    }

    /** One line of the scale. Checks named "maz.*" count for the Mission, "pra.*" for the PRA workshop. */
    record Rule(int points, boolean required, boolean instructor, String title, String titleFr) {
        String label() {
            return Messages.french() && titleFr != null ? titleFr : title;
        }
    }

    record Scale(Map<String, Rule> checks) {
        int max(String workshop) {
            return checks.entrySet().stream().filter(e -> e.getKey().startsWith(workshop + ".")).mapToInt(e -> e.getValue().points()).sum();
        }
    }

    /**
     * One check's outcome for one student. For a check only a person can judge, passed is null
     * until the instructor's marks give its points, with their comment as the reason.
     */
    record Check(String id, Boolean passed, int points, String reason) {}

    /** A written answer, in full, beside the key's text for it. */
    record Answer(String workshop, String id, String text, String key) {}

    /** What a bundle shares with another if it was copied: its agent's run, its journal, its backups. */
    record Prints(String runId, String journal, Set<String> backups) {}

    record Student(String name, String bundle, List<Check> checks, List<String> flags, List<Answer> answers, Prints prints, String problem,
                   List<ClassReport.Link> reports) {
        int score(String workshop) {
            return checks.stream().filter(c -> c.id().startsWith(workshop + ".")).mapToInt(Check::points).sum();
        }

        int total() {
            return score("maz") + score("pra");
        }

        boolean failedRequired(Scale scale) {
            return problem != null || checks.stream().anyMatch(c -> Boolean.FALSE.equals(c.passed())
                    && scale.checks().containsKey(c.id()) && scale.checks().get(c.id()).required());
        }
    }

    /** An instructor's mark, from --marks: student,check,points,comment. */
    record Mark(int line, String student, String check, int points, String comment) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Scale scale = scale();
        List<Mark> marks = marksFile == null ? List.of() : marks(marksFile);
        List<Path> bundles = bundles();
        if (html != null) {
            reportsDir = html.toAbsolutePath().resolveSibling(html.getFileName().toString().replaceAll("\\.html?$", "") + "-reports");
            FileTree.delete(reportsDir);
            Files.createDirectories(reportsDir);
        }
        Path scratchRoot = Files.createTempDirectory("db007-grade");
        List<Student> students = new ArrayList<>();
        try {
            for (Path b : bundles) students.add(gradeSafely(b, scale, scratchRoot));
        } finally {
            FileTree.delete(scratchRoot);
        }
        flagCopies(students);
        students = applyMarks(students, marks, scale, out);
        if (!quiet) for (Student s : students) printStudent(out, s, scale);
        printClass(out, students, scale);
        writeCsv(students, scale);
        writeJunit(students, scale);
        out.println(Messages.get("grade.written", csv.toAbsolutePath(), junit.toAbsolutePath()));
        if (html != null) {
            writeHtml(students, scale);
            out.println(Messages.get("grade.written.html", html.toAbsolutePath()));
        }
        return students.stream().anyMatch(s -> s.failedRequired(scale)) ? Problem.CHECK_FAILED : 0;
    }

    private Scale scale() throws IOException {
        Path file = scaleFile != null ? scaleFile : Home.kitFile("solutions/scale.json");
        if (!Files.exists(file)) throw Problem.environment("grade.scale.missing", file);
        Scale scale;
        try {
            scale = Json.read(file, Scale.class);
        } catch (IOException e) {
            throw Problem.environment("grade.scale.unreadable", file, plain(e));
        }
        if (scale.checks() == null || scale.checks().values().stream().anyMatch(Objects::isNull)) throw Problem.environment("grade.scale.unreadable", file, "checks");
        return scale;
    }

    /** Each argument as given (relative to where the grader runs): a bundle, or a folder of them. */
    private List<Path> bundles() throws IOException {
        List<Path> bundles = new ArrayList<>();
        for (Path in : inputs) {
            if (!Files.exists(in, LinkOption.NOFOLLOW_LINKS)) throw Problem.environment("grade.missing", in);
            boolean isBundleFolder = Files.isDirectory(in, LinkOption.NOFOLLOW_LINKS) && Files.exists(in.resolve(Bundle.MANIFEST), LinkOption.NOFOLLOW_LINKS);
            if (Files.isDirectory(in, LinkOption.NOFOLLOW_LINKS) && !isBundleFolder) {
                try (Stream<Path> list = Files.list(in)) {
                    list.filter(p -> p.toString().endsWith(".zip") || Files.exists(p.resolve(Bundle.MANIFEST), LinkOption.NOFOLLOW_LINKS))
                            .sorted().forEach(bundles::add);
                }
            } else {
                bundles.add(in);
            }
        }
        return bundles;
    }

    // ---- the class report --------------------------------------------------------------------

    /**
     * The student's mission report and PRA report (the workshop's, else the drill's), copied out
     * of the bundle before its scratch folder goes, under a folder name made only of safe letters.
     */
    private List<ClassReport.Link> copyReports(Path root, String student) throws IOException {
        List<ClassReport.Link> links = new ArrayList<>();
        Path folder;
        synchronized (this) {
            String safe = student.replaceAll("[^A-Za-z0-9._-]", "_");
            int n = 1;
            while (Files.exists(reportsDir.resolve(safe + (n == 1 ? "" : "-" + n)))) n++;
            folder = Files.createDirectories(reportsDir.resolve(safe + (n == 1 ? "" : "-" + n)));
        }
        String[][] reports = {{"maz/" + Proof.REPORT, "mission.html", "class.report.mission"},
                {"pra/" + Restore.REPORT, "pra.html", "class.report.pra"}, {"pra-drill/" + Restore.REPORT, "pra.html", "class.report.pra"}};
        for (String[] r : reports) {
            Path from = root.resolve(r[0]);
            Path to = folder.resolve(r[1]);
            if (Files.exists(to) || !Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS)) continue;
            Files.copy(from, to);
            links.add(new ClassReport.Link(Messages.get(r[2]), html.toAbsolutePath().getParent().relativize(to).toString().replace('\\', '/')));
        }
        return links;
    }

    private void writeHtml(List<Student> students, Scale scale) throws IOException {
        List<ClassReport.Column> columns = new ArrayList<>();
        for (Map.Entry<String, Rule> c : scale.checks().entrySet()) {
            if (!c.getKey().equals("manifest")) columns.add(new ClassReport.Column(c.getKey(), c.getValue().label(), c.getValue().points(), c.getValue().instructor()));
        }
        List<ClassReport.Row> rows = new ArrayList<>();
        for (Student s : students) {
            List<ClassReport.Cell> cells = new ArrayList<>();
            for (Check c : s.checks()) {
                Rule rule = scale.checks().get(c.id());
                String status = c.passed() == null ? (rule != null && rule.instructor() && c.points() > 0 ? "marked" : "instructor")
                        : c.passed() ? "pass" : "fail";
                cells.add(new ClassReport.Cell(c.id(), status, c.points(), c.reason()));
            }
            List<ClassReport.Answer> answers = s.answers().stream().map(a -> new ClassReport.Answer(a.workshop(), a.id(), a.text())).toList();
            rows.add(new ClassReport.Row(Bundle.name(s.name()), Bundle.printable(s.bundle()), s.score("maz"), s.score("pra"), s.total(), s.failedRequired(scale), s.flags(), cells,
                    answers, s.reports(), s.problem()));
        }
        Map<String, Map<String, String>> keys = new LinkedHashMap<>();
        for (String workshop : List.of("maz", "pra")) keys.put(workshop, keys(workshop));
        Files.createDirectories(html.toAbsolutePath().getParent());
        Files.writeString(html, ClassReport.html(columns, rows, keys, scale.max("maz"), scale.max("pra"), Instant.now()), StandardCharsets.UTF_8);
    }

    // ---- one student -------------------------------------------------------------------------

    /** Grades one bundle in a scratch folder of its own, removed afterwards; whatever happens, a result. */
    Student gradeSafely(Path bundle, Scale scale, Path scratchRoot) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(scratchRoot, "bundle-");
            return gradeOne(bundle, scale, scratch);
        } catch (Problem p) {
            return unreadable(bundle, scrub(p.getMessage(), scratch));
        } catch (Exception | StackOverflowError e) {
            return unreadable(bundle, Messages.get("grade.unexpected", e.getClass().getSimpleName()));
        } finally {
            try {
                if (scratch != null) FileTree.delete(scratch);
            } catch (IOException ignored) {
                // The whole scratch root is deleted at the end anyway.
            }
        }
    }

    private static Student unreadable(Path bundle, String reason) {
        return new Student(bundle.getFileName().toString(), bundle.toString(), List.of(), List.of(), List.of(), null,
                Messages.get("grade.unreadable", reason), List.of());
    }

    Student gradeOne(Path bundle, Scale scale, Path scratch) throws Exception {
        Path root = Bundle.unpack(bundle, scratch.resolve("bundle"), Bundle.Limits.CLASS);
        Bundle.Manifest manifest = read(root, Bundle.MANIFEST, Bundle.Manifest.class);
        String name = manifest.student() == null || manifest.student().isBlank() ? null : manifest.student();
        List<Check> checks = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        checks.add(check(scale, "manifest", name == null ? Messages.get("grade.file.field", Bundle.MANIFEST, "student") : manifestReason(root, manifest)));
        boolean maz = Files.isDirectory(root.resolve("maz"));
        boolean pra = Files.isDirectory(root.resolve("pra"));
        if (!maz && !pra) throw Problem.failed("grade.empty");
        String runId = null;
        String journalHash = null;
        if (maz) {
            Mission m = new Mission(root, scale);
            checks.addAll(m.checks(flags));
            runId = m.runId;
            journalHash = Files.isRegularFile(root.resolve("maz/" + Journal.FILE)) ? Bundle.sha256(root.resolve("maz/" + Journal.FILE)) : null;
        }
        if (pra) checks.addAll(new Pra(root, scratch, scale).checks(flags));
        Set<String> backups = new LinkedHashSet<>();
        for (Path b : backupFiles(root)) backups.add(Bundle.sha256(b));
        List<Answer> answers = new ArrayList<>(answers(root, "maz"));
        answers.addAll(answers(root, "pra"));
        List<Check> scrubbed = checks.stream().map(c -> new Check(c.id(), c.passed(), c.points(), scrub(c.reason(), scratch))).toList();
        String shown = name == null ? bundle.getFileName().toString() : name;
        return new Student(shown, bundle.toString(), scrubbed, flags, answers, new Prints(runId, journalHash, backups), null,
                html == null ? List.of() : copyReports(root, shown));
    }

    static String manifestReason(Path root, Bundle.Manifest m) throws IOException {
        if (m.files() == null || m.files().isEmpty()) return Messages.get("grade.manifest.empty");
        for (Map.Entry<String, String> f : m.files().entrySet()) {
            Path file = root.resolve(f.getKey()).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return Messages.get("grade.manifest.missing", Bundle.printable(f.getKey()));
            if (!Bundle.sha256(file).equals(f.getValue())) return Messages.get("grade.manifest.changed", Bundle.printable(f.getKey()));
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(f).toString().replace('\\', '/');
                if (!name.equals(Bundle.MANIFEST) && !m.files().containsKey(name)) return Messages.get("grade.manifest.extra", Bundle.printable(name));
            }
        }
        return null;
    }

    // ---- the mission -------------------------------------------------------------------------

    /** The mission's checks, from the raw journal and rows; the figures the student reported are compared, never used. */
    static final class Mission {
        final Path root;
        final Scale scale;
        String runId;

        Mission(Path root, Scale scale) {
            this.root = root;
            this.scale = scale;
        }

        List<Check> checks(List<String> flags) {
            List<Check> checks = new ArrayList<>();
            // Steps: all nine, passed, started in order.
            Map<Integer, Evidence.Step> steps = new TreeMap<>();
            String stepsReason = null;
            Instant previous = Instant.MIN;
            for (int i = 1; i <= 9 && stepsReason == null; i++) {
                String file = "maz/steps/maz" + i + ".json";
                try {
                    if (!Files.exists(root.resolve(file))) {
                        stepsReason = Messages.get("grade.maz.step.missing", i);
                        break;
                    }
                    Evidence.Step s = read(root, file, Evidence.Step.class);
                    Instant started = time(file, "started_at", s.startedAt());
                    if (!"pass".equals(s.verdict())) stepsReason = Messages.get("grade.maz.step.failed", i);
                    else if (started.isBefore(previous)) stepsReason = Messages.get("grade.maz.step.order", i);
                    else {
                        previous = started;
                        steps.put(i, s);
                    }
                } catch (Problem p) {
                    stepsReason = p.getMessage();
                }
            }
            checks.add(check(scale, "maz.steps", stepsReason));

            Evidence.Sabotage sabotage = null;
            String orderReason;
            try {
                sabotage = steps.containsKey(5) ? observed(steps.get(5), 5, Evidence.Sabotage.class) : null;
                Evidence.NewOrder order = steps.containsKey(9) ? observed(steps.get(9), 9, Evidence.NewOrder.class) : null;
                orderReason = sabotage == null || order == null ? Messages.get("grade.maz.order.unknown")
                        : !Objects.equals(order.primaryAz(), sabotage.standbyAzBefore()) || !Objects.equals(order.standbyAz(), sabotage.primaryAzBefore())
                        ? Messages.get("grade.maz.order.wrong", sabotage.primaryAzBefore(), order.primaryAz(), order.standbyAz()) : null;
            } catch (Problem p) {
                orderReason = p.getMessage();
            }
            checks.add(check(scale, "maz.order", orderReason));

            // The proof, recomputed from the raw journal and rows only.
            Proof recomputed = null;
            String journalReason = null;
            String rpoReason = null;
            try {
                List<Journal.Entry> journal = Journal.read(root.resolve("maz/" + Journal.FILE));
                Agent.Summary agent = read(root, "maz/" + Agent.SUMMARY, Agent.Summary.class);
                runId = require("maz/" + Agent.SUMMARY, "run_id", agent.runId());
                Map<Long, Proof.Row> rows = Proof.readRows(root.resolve("maz/" + Proof.ROWS));
                recomputed = Proof.compute(runId, journal, rows, sabotage == null ? null : sabotage.requestedAt());
                if (recomputed.journalHoles() > 0) journalReason = Messages.get("grade.maz.holes", recomputed.journalHoles());
                if (recomputed.lostWrites() > 0 || recomputed.corruptRows() > 0 || recomputed.unjournaledRows() > 0 || recomputed.acknowledgedWrites() == 0) {
                    rpoReason = Messages.get("grade.maz.rpo", recomputed.acknowledgedWrites(), recomputed.lostWrites(), recomputed.corruptRows(),
                            recomputed.unjournaledRows());
                }
                if (recomputed.implausibleUnknowns() > 0) {
                    String said = Messages.get("grade.maz.unknowns", recomputed.implausibleUnknowns(), recomputed.implausibleSeqs());
                    rpoReason = rpoReason == null ? said : rpoReason + " " + said;
                    flags.add(Messages.get("grade.flag.unknowns", recomputed.implausibleUnknowns()));
                }
            } catch (Problem p) {
                journalReason = p.getMessage();
                rpoReason = p.getMessage();
            }
            checks.add(check(scale, "maz.journal", journalReason));
            checks.add(check(scale, "maz.rpo", rpoReason));

            String rtoReason;
            String reportReason;
            try {
                Proof claimed = read(root, "maz/" + Proof.FILE, Proof.class);
                if (recomputed == null) rtoReason = Messages.get("grade.maz.rto.none");
                else if (recomputed.rowsOffClock() > 0 || recomputed.rowsOutOfOrder() > 0) {
                    rtoReason = Messages.get("grade.maz.clock", recomputed.rowsOffClock(), recomputed.rowsOutOfOrder());
                    flags.add(Messages.get("grade.flag.clock", recomputed.rowsOffClock() + recomputed.rowsOutOfOrder()));
                } else if (!Objects.equals(recomputed.rtoMs(), claimed.rtoMs())) {
                    rtoReason = Messages.get("grade.maz.rto.differs", claimed.rtoMs(), recomputed.rtoMs());
                } else {
                    rtoReason = null;
                }
                reportReason = reportReason(recomputed);
            } catch (Problem p) {
                rtoReason = p.getMessage();
                reportReason = p.getMessage();
            }
            checks.add(check(scale, "maz.rto", rtoReason));
            checks.add(check(scale, "maz.report", reportReason));
            if (recomputed != null) flagClaims(flags, recomputed, sabotage);
            if (Files.isRegularFile(root.resolve("maz/" + Mole.FOLDER + "/" + Mole.FILE), LinkOption.NOFOLLOW_LINKS)) checks.add(check(scale, "maz.mole", moleReason(flags)));
            // The mission's written answers are the instructor's to judge, beside the keys.
            boolean answered = Files.isRegularFile(root.resolve("answers/maz.md"), LinkOption.NOFOLLOW_LINKS);
            checks.add(new Check("maz.questions", null, 0, answered ? Messages.get("grade.instructor.plain") : Messages.get("grade.answers.none.maz")));
            return checks;
        }

        /**
         * Step 10 recounted from its own journal and the rows after the recovery: what came back,
         * what was lost before and after the error, and the RPO from the two times the step kept.
         */
        private String moleReason(List<String> flags) {
            String folder = "maz/" + Mole.FOLDER + "/";
            try {
                Mole claimed = read(root, folder + Mole.FILE, Mole.class);
                if (claimed.errorAt() == null || claimed.restoreTime() == null) return Messages.get("grade.file.field", folder + Mole.FILE, "error_at, restore_time");
                Instant errorAt = Instant.parse(claimed.errorAt());
                Instant point = Instant.parse(claimed.restoreTime());
                if (point.isAfter(errorAt)) return Messages.get("grade.maz.mole.after", claimed.restoreTime(), claimed.errorAt());
                List<Journal.Entry> journal = Journal.read(root.resolve(folder + Journal.FILE));
                Map<Long, Proof.Row> rows = Proof.readRows(root.resolve(folder + Proof.ROWS));
                Mole.Count c = Mole.recount(journal, rows, errorAt, point);
                if (c.missingBeforeRecoveryPoint() > 0) return Messages.get("grade.maz.mole.missing", c.missingBeforeRecoveryPoint());
                boolean same = c.acknowledgedBeforeError() == claimed.acknowledgedBeforeError() && c.backBeforeError() == claimed.backBeforeError()
                        && c.lostBeforeError() == claimed.lostBeforeError() && c.acknowledgedAfterError() == claimed.acknowledgedAfterError()
                        && c.keptAfterError() == claimed.keptAfterError() && c.lostAfterError() == claimed.lostAfterError();
                if (!same) flags.add(Messages.get("grade.flag.claim", folder + Mole.FILE, "lost_before_error", claimed.lostBeforeError(), c.lostBeforeError()));
                if (!same) return Messages.get("grade.maz.mole.differs", claimed.backBeforeError(), claimed.lostBeforeError(), claimed.lostAfterError(),
                        c.backBeforeError(), c.lostBeforeError(), c.lostAfterError());
                double rpo = Mole.seconds(point, errorAt);
                if (Math.abs(rpo - claimed.rpoSeconds()) > 0.001) {
                    flags.add(Messages.get("grade.flag.claim", folder + Mole.FILE, "rpo_seconds", claimed.rpoSeconds(), rpo));
                    return Messages.get("grade.pra.rpo-seconds.differs", claimed.rpoSeconds(), rpo);
                }
                return null;
            } catch (Problem p) {
                return p.getMessage();
            } catch (RuntimeException e) {
                return Messages.get("grade.file.malformed", folder, plain(e));
            }
        }

        /**
         * Every figure the student's files state that the recount does not give, flagged for the
         * instructor: proof.json, the step files, the report's visible text. The score never uses
         * them; a flag says that someone, or something, changed them. An RTO shorter than the
         * region's own recorded failover (no primary from its start to the promotion) is flagged too.
         */
        private void flagClaims(List<String> flags, Proof recomputed, Evidence.Sabotage sabotage) {
            Map<String, Object> truth = Json.toMap(recomputed);
            List<Journal.Entry> journal = Journal.read(root.resolve("maz/" + Journal.FILE));
            Proof.Outage outage = Proof.Outage.of(journal, sabotage == null ? null : sabotage.requestedAt());
            truth.put("missed", outage == null ? null : outage.missed());
            List<String> figures = List.of("acknowledged_writes", "lost_writes", "corrupt_rows", "unknown_writes", "failed_writes", "journal_holes",
                    "unjournaled_rows", "rto_ms", "first_error_to_success_ms");
            for (String file : List.of("maz/" + Proof.FILE, "maz/steps/maz8.json")) {
                Map<?, ?> claimed = readMap(file);
                if (claimed != null && file.endsWith("maz8.json")) claimed = claimed.get("observed") instanceof Map<?, ?> o ? o : null;
                if (claimed == null) continue;
                for (String f : figures) flagIfDiffers(flags, file, f, claimed.get(f), truth.get(f));
            }
            Map<?, ?> step6 = readMap("maz/steps/maz6.json");
            if (step6 != null && step6.get("observed") instanceof Map<?, ?> o && o.get("first_ack_after") instanceof Map<?, ?> after && after.get("at") instanceof String at) {
                // Step 6 saw the journal up to the first write after the outage: recounted on that much.
                Instant until = time("maz/steps/maz6.json", "first_ack_after.at", at);
                Proof.Outage seen = Proof.Outage.of(journal.stream().filter(e -> !e.doneAt().isAfter(until)).toList(),
                        sabotage == null ? null : sabotage.requestedAt());
                flagIfDiffers(flags, "maz/steps/maz6.json", "outage_ms", o.get("outage_ms"), seen == null ? null : seen.ms());
            }
            String html = readText("maz/" + Proof.REPORT);
            if (html != null) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-figure=\"([a-z_]+)\">([^<]*)<").matcher(html);
                while (m.find()) {
                    java.util.regex.Matcher n = java.util.regex.Pattern.compile("-?\\d+").matcher(m.group(2));
                    flagIfDiffers(flags, "maz/" + Proof.REPORT, m.group(1), n.find() ? Long.valueOf(n.group()) : null, truth.get(m.group(1)));
                }
            }
            Long floor = failoverFloor();
            if (floor != null && recomputed.rtoMs() != null && recomputed.rtoMs() < floor - 50) {
                flags.add(Messages.get("grade.flag.rto-floor", recomputed.rtoMs(), floor));
            }
        }

        /** How long the region recorded no primary at the failover: from its start to the promotion; null if events.json does not say. */
        private Long failoverFloor() {
            try {
                // events.json as step 7 writes it (Rds.Event): a time and RDS's message for each event.
                Map<?, ?>[] events = read(root, "maz/events.json", Map[].class);
                Instant started = null;
                for (Map<?, ?> e : events) {
                    if (e == null || !(e.get("time") instanceof String t) || !(e.get("message") instanceof String message)) continue;
                    Instant at = Instant.parse(t);
                    if (started == null && message.startsWith("Multi-AZ instance failover started")) started = at;
                    else if (started != null && message.matches("The standby in \\S+ was promoted to primary.*")) return Duration.between(started, at).toMillis();
                }
            } catch (RuntimeException e) {
                // No events, or unreadable ones: the steps' checks say so.
            }
            return null;
        }

        private static void flagIfDiffers(List<String> flags, String file, String figure, Object claimed, Object recounted) {
            Long c = claimed instanceof Number n ? Long.valueOf(n.longValue()) : null;
            Long r = recounted instanceof Number n ? Long.valueOf(n.longValue()) : null;
            if (claimed != null && !(claimed instanceof Number)) {
                flags.add(Messages.get("grade.flag.claim", file, figure, Bundle.printable(String.valueOf(claimed)), r == null ? "-" : r));
            } else if (!Objects.equals(c, r)) {
                flags.add(Messages.get("grade.flag.claim", file, figure, c == null ? "-" : c, r == null ? "-" : r));
            }
        }

        private Map<?, ?> readMap(String file) {
            try {
                return read(root, file, Map.class);
            } catch (Problem e) {
                return null;
            }
        }

        private String readText(String file) {
            try {
                return Files.isRegularFile(root.resolve(file), LinkOption.NOFOLLOW_LINKS) ? Files.readString(root.resolve(file)) : null;
            } catch (IOException e) {
                return null;
            }
        }

        private String reportReason(Proof recomputed) {
            String file = "maz/" + Proof.REPORT;
            if (!Files.isRegularFile(root.resolve(file))) return Messages.get("grade.file.missing", file);
            try {
                String embedded = Report.embedded(Files.readString(root.resolve(file)), "db007-proof");
                if (embedded == null) return Messages.get("grade.maz.report.none");
                Proof shown = Json.read(embedded, Proof.class);
                return recomputed != null && shown.acknowledgedWrites() == recomputed.acknowledgedWrites() && shown.lostWrites() == recomputed.lostWrites()
                        && Objects.equals(shown.rtoMs(), recomputed.rtoMs()) ? null : Messages.get("grade.maz.report.differs");
            } catch (IOException | IllegalArgumentException e) {
                return Messages.get("grade.file.malformed", file, plain(e));
            }
        }

        private static <T> T observed(Evidence.Step step, int n, Class<T> type) {
            try {
                return step.observed(type);
            } catch (IllegalArgumentException e) {
                throw Problem.failed("grade.file.malformed", "maz/steps/maz" + n + ".json", plain(e));
            }
        }
    }

    // ---- the PRA workshop --------------------------------------------------------------------

    /** The PRA checks: every restore made again from the bundle's own backups, the loss recounted. */
    static final class Pra {
        final Path root;
        final Path scratch;
        final Scale scale;

        Pra(Path root, Path scratch, Scale scale) {
            this.root = root;
            this.scratch = scratch;
            this.scale = scale;
        }

        List<Check> checks(List<String> flags) throws IOException {
            List<Check> checks = new ArrayList<>();
            List<Restore.Result> restores;
            try {
                restores = Restore.readAll(root.resolve("pra"));
            } catch (IOException e) {
                checks.add(check(scale, "pra.restore", Messages.get("grade.file.malformed", "pra/" + Restore.ALL, plain(e))));
                return checks;
            }
            if (restores.isEmpty()) {
                checks.add(check(scale, "pra.restore", Messages.get("grade.pra.no-restore")));
                return checks;
            }
            // The backups the bundle really holds, each checked here: a name in a student's file is only a name.
            Map<String, Backups.Point> points = new LinkedHashMap<>();
            for (Path b : backupFiles(root)) points.put(b.getFileName().toString(), Backups.check(b));

            // Every restore the student made, made again here: same file, same count.
            String restoreReason = null;
            for (Restore.Result r : restores) {
                String reason = restoredAgain(r, points);
                if (reason != null) restoreReason = reason;
            }
            checks.add(check(scale, "pra.restore", restoreReason));

            checks.add(check(scale, "pra.rpo", rpoReason(restores, flags)));
            checks.add(check(scale, "pra.status", statusReason(points)));
            checks.add(check(scale, "pra.point", pointReason(restores, points, flags)));

            // Exercise 3 is checked against the figures; the other written answers are the instructor's to judge.
            Map<String, String> answers = sections(root.resolve("answers/pra.md"));
            Restore.Result measured = restores.stream().filter(r -> Restore.DISASTER.equals(r.kind()) && r.rpoSeconds() != null).findFirst()
                    .orElse(restores.get(restores.size() - 1));
            checks.add(check(scale, "pra.exercise3", exercise3(answers.get("3"), measured)));
            checks.add(new Check("pra.exercises", null, 0, answers.isEmpty() ? Messages.get("grade.answers.none") : Messages.get("grade.instructor.plain")));
            checks.add(new Check("pra.readme", null, 0, Messages.get("grade.instructor.plain")));
            checks.add(new Check("pra.process", null, 0, Messages.get("grade.instructor.plain")));
            return checks;
        }

        /** The restore made again into this bundle's scratch folder, from the backup it names if the bundle holds it. */
        private String restoredAgain(Restore.Result r, Map<String, Backups.Point> points) throws IOException {
            String file = "pra/" + Restore.ALL;
            if (r.restoredFrom() == null) return Messages.get("grade.file.field", file, "restored_from");
            if (r.startedAt() == null) return Messages.get("grade.file.field", file, "started_at");
            if (!points.containsKey(r.restoredFrom())) return Messages.get("grade.pra.not-a-backup", Bundle.shortText(r.restoredFrom()));
            Path target = Files.createTempDirectory(scratch, "restore-");
            try {
                Backups.restore(root.resolve("pra-backup").resolve(r.restoredFrom()), target, false);
                Backups.Point again = Backups.check(target.resolve(Backups.DATABASE));
                if (!again.valid() || again.messages() != r.restoredMessages()) {
                    return Messages.get("grade.pra.restore.differs", r.restoredFrom(), r.restoredMessages(), again.valid() ? again.messages() : again.problem());
                }
                return null;
            } catch (Problem p) {
                return p.getMessage();
            } catch (SQLException e) {
                return Messages.get("grade.pra.restore.differs", r.restoredFrom(), r.restoredMessages(), plain(e));
            } finally {
                FileTree.delete(target);
            }
        }

        /**
         * Each restore's loss, RPO and RTO recounted from raw data alone: the app's log (its ADD
         * lines, the disaster and restore marks) and the backups in the bundle, with the
         * definitions the restore used (Restore.lost, the loss moment minus the backup's time,
         * the loss moment to the first write the restored app accepted).
         */
        private String rpoReason(List<Restore.Result> restores, List<String> flags) throws IOException {
            Path log = root.resolve("pra-log/" + AppLog.FILE);
            if (!Files.isRegularFile(log)) return Messages.get("grade.pra.rpo.none");
            List<AppLog.Timeline> timelines;
            try {
                timelines = AppLog.read(log);
            } catch (IllegalArgumentException e) {
                return Messages.get("grade.file.malformed", "pra-log/" + AppLog.FILE, Bundle.printable(e.getMessage()));
            }
            for (Restore.Result r : restores) {
                String reason = recounted(r, timelines, flags);
                if (reason != null) return reason;
            }
            return null;
        }

        private String recounted(Restore.Result r, List<AppLog.Timeline> timelines, List<String> flags) throws IOException {
            Instant started = Instant.parse(r.startedAt());
            // The restore's own mark: its backup, written after it began and before the app answered again.
            int k = -1;
            for (int i = 1; i < timelines.size(); i++) {
                AppLog.Timeline t = timelines.get(i);
                if (t.restoredFrom().equals(r.restoredFrom()) && !t.restoredAt().isBefore(started)
                        && (r.healthyAt() == null || !t.restoredAt().isAfter(Instant.parse(r.healthyAt())))) {
                    k = i;
                    break;
                }
            }
            if (k < 0) return Messages.get("grade.pra.log.no-restore", Bundle.shortText(r.restoredFrom()), r.startedAt());
            AppLog.Timeline before = timelines.get(k - 1);
            AppLog.Timeline after = timelines.get(k);
            Path backups = root.resolve("pra-backup");
            if (before.restoredFrom() != null && !Files.isRegularFile(backups.resolve(before.restoredFrom()))) {
                return Messages.get("grade.pra.not-a-backup", Bundle.shortText(before.restoredFrom()));
            }
            Set<AppLog.Ack> startedFrom = before.restoredFrom() == null ? Set.of() : Backups.rows(backups.resolve(before.restoredFrom()));
            long lost = Restore.lost(startedFrom, before, Backups.rows(backups.resolve(r.restoredFrom())));
            if (r.lostMessages() == null || lost != r.lostMessages()) {
                flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "lost_messages", r.lostMessages(), lost));
                return Messages.get("grade.pra.rpo.differs", r.lostMessages(), lost);
            }

            String lossAt;
            if (Restore.DISASTER.equals(r.kind())) {
                if (before.disasterAt() == null) return r.disasterAt() == null ? null : Messages.get("grade.pra.log.no-disaster", r.disasterAt());
                lossAt = before.disasterAt().toString();
                if (r.disasterAt() == null || !Instant.parse(r.disasterAt()).equals(before.disasterAt())) {
                    return Messages.get("grade.pra.log.disaster-differs", r.disasterAt(), lossAt);
                }
            } else {
                lossAt = r.startedAt();
            }
            double rpo = Restore.seconds(Backups.timeOf(Path.of(r.restoredFrom())).toString(), lossAt);
            if (r.rpoSeconds() == null || Math.abs(rpo - r.rpoSeconds()) > 0.01) {
                flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "rpo_seconds", r.rpoSeconds(), rpo));
                return Messages.get("grade.pra.rpo-seconds.differs", r.rpoSeconds(), rpo);
            }
            // The first write after the restore is the kit's own check message: its ADD line gives the time it was accepted.
            AppLog.Ack first = after.acks().isEmpty() ? null : after.acks().get(0);
            if (first == null || r.checkMessageId() == null || first.id() != r.checkMessageId()) return Messages.get("grade.pra.log.no-first-add", r.checkMessageId());
            double rto = Restore.seconds(lossAt, first.at());
            if (r.rtoSeconds() == null || Math.abs(rto - r.rtoSeconds()) > 0.01) {
                flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "rto_seconds", r.rtoSeconds(), rto));
                return Messages.get("grade.pra.rto.differs", r.rtoSeconds(), rto);
            }
            return null;
        }

        /**
         * Practical task 1: a reading of /status that names a backup the bundle holds, valid and
         * taken before the reading, with the age the reading's own time gives it.
         */
        private String statusReason(Map<String, Backups.Point> points) throws IOException {
            if (!Files.isRegularFile(root.resolve("pra/" + App.Reading.FILE))) return Messages.get("grade.pra.status.none");
            App.Reading[] readings = read(root, "pra/" + App.Reading.FILE, App.Reading[].class);
            String reason = Messages.get("grade.pra.status.none");
            for (App.Reading r : readings) {
                if (!r.answered()) continue;
                Backups.Point p = r.lastBackupFile() == null ? null : points.get(r.lastBackupFile());
                if (p == null || !p.valid()) {
                    reason = Messages.get("grade.pra.status.differs", Bundle.shortText(String.valueOf(r.lastBackupFile())));
                    continue;
                }
                long age = Duration.between(Instant.parse(p.time()), Instant.parse(r.readAt())).toSeconds();
                if (age < 0 || r.backupAgeSeconds() == null || Math.abs(age - r.backupAgeSeconds()) > 2) {
                    reason = Messages.get("grade.pra.status.age", Bundle.shortText(r.lastBackupFile()), r.backupAgeSeconds(), age);
                    continue;
                }
                return null;
            }
            return reason;
        }

        /**
         * Practical task 2: a restore of a point the student chose, older than the newest valid one
         * when the restore began. The point must have existed then, and holds what the restore says.
         */
        private String pointReason(List<Restore.Result> restores, Map<String, Backups.Point> points, List<String> flags) {
            for (Restore.Result r : restores) {
                if (r.restoredFrom() == null || r.startedAt() == null || !points.containsKey(r.restoredFrom())) continue;
                Backups.Point p = points.get(r.restoredFrom());
                Instant started;
                try {
                    started = Instant.parse(r.startedAt());
                } catch (RuntimeException e) {
                    continue;
                }
                boolean existed = !Backups.timeOf(Path.of(r.restoredFrom())).isAfter(started);
                if (!existed && !flags.contains(Messages.get("grade.flag.point"))) flags.add(Messages.get("grade.flag.point"));
                boolean older = !r.restoredFrom().equals(newestBefore(points, r.startedAt()));
                boolean holds = p.valid() && Objects.equals(p.messages(), r.restoredMessages()) && p.time().equals(r.backupTime());
                if (existed && older && holds) return null;
            }
            return Messages.get("grade.pra.point.none");
        }

        private static String newestBefore(Map<String, Backups.Point> points, String startedAt) {
            Instant at = Instant.parse(startedAt);
            return points.values().stream().filter(p -> p.valid() && !Instant.parse(p.time()).isAfter(at))
                    .max(Comparator.comparing(Backups.Point::time)).map(Backups.Point::file).orElse("");
        }
    }

    /**
     * The RPO and RTO the student wrote for exercise 3, read as "RPO … 12.3 s" and "RTO … 4 s",
     * against the measured ones: within a tenth, or half a second.
     */
    static String exercise3(String answer, Restore.Result measured) {
        if (answer == null) return Messages.get("grade.exercise3.none");
        if (measured.rpoSeconds() == null || measured.rtoSeconds() == null) return Messages.get("grade.pra.rpo.none");
        for (String name : new String[] {"RPO", "RTO"}) {
            double value = name.equals("RPO") ? measured.rpoSeconds() : measured.rtoSeconds();
            Matcher m = Pattern.compile(name + "[^0-9\\n]{0,40}?(\\d+(?:[.,]\\d+)?)\\s*s").matcher(answer);
            if (!m.find()) return Messages.get("grade.exercise3.missing", name);
            double written = Double.parseDouble(m.group(1).replace(',', '.'));
            if (Math.abs(written - value) > Math.max(0.5, value * 0.1)) return Messages.get("grade.exercise3.differs", name, written, value);
        }
        return null;
    }

    /** The backup files the bundle holds: only names the backup job writes, only plain files. */
    static List<Path> backupFiles(Path root) throws IOException {
        Path dir = root.resolve("pra-backup");
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return List.of();
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Backups.isBackup(f.getFileName().toString())).sorted().toList();
        }
    }

    // ---- written answers ---------------------------------------------------------------------

    /** A student's answers (answers/maz.md, answers/pra.md), each beside the key's full text for it. */
    static List<Answer> answers(Path root, String workshop) throws IOException {
        Map<String, String> given = sections(root.resolve("answers/" + workshop + ".md"));
        Map<String, String> keys = keys(workshop);
        List<Answer> answers = new ArrayList<>();
        for (Map.Entry<String, String> a : given.entrySet()) answers.add(new Answer(workshop, a.getKey(), a.getValue(), keys.get(a.getKey())));
        return answers;
    }

    /** The instructor's key, in the same shape as the answers: solutions/<workshop>/answers.<lang>.md. */
    static Map<String, String> keys(String workshop) {
        try {
            return sections(Home.kitFile("solutions/" + workshop + "/answers." + (Messages.french() ? "fr" : "en") + ".md"));
        } catch (Problem | IOException e) {
            // Without the kit's solutions, answers are shown without their keys.
            return Map.of();
        }
    }

    /** A Markdown file cut at its "## N" headings: N (a number, or T1, T2 for the practical tasks) and its text. */
    static Map<String, String> sections(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return m;
        String current = null;
        StringBuilder text = new StringBuilder();
        Pattern heading = Pattern.compile("^##\\s*(?:Exercise|Exercice|Question|Task|Tâche|TP)?\\s*([0-9]+|T[0-9]+)\\b.*");
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher h = heading.matcher(line);
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

    // ---- copies, marks -----------------------------------------------------------------------

    /** Bundles that share an agent run, a journal or a backup file were copied: each is flagged, naming the others. */
    static void flagCopies(List<Student> students) {
        for (Student s : students) {
            if (s.prints() == null) continue;
            Set<String> with = new LinkedHashSet<>();
            for (Student o : students) {
                if (o == s || o.prints() == null) continue;
                Prints a = s.prints();
                Prints b = o.prints();
                boolean same = (a.runId() != null && a.runId().equals(b.runId())) || (a.journal() != null && a.journal().equals(b.journal()))
                        || a.backups().stream().anyMatch(b.backups()::contains);
                if (same) with.add(Bundle.name(o.name()) + " (" + Bundle.printable(o.bundle()) + ")");
            }
            if (!with.isEmpty()) s.flags().add(Messages.get("grade.flag.copy", String.join(", ", with)));
        }
    }

    /** marks.csv: student,check,points,comment, with a header line; quotes as spreadsheets write them. */
    static List<Mark> marks(Path file) throws IOException {
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
    static List<Student> applyMarks(List<Student> students, List<Mark> marks, Scale scale, PrintWriter out) {
        List<Student> marked = new ArrayList<>();
        for (Mark m : marks) {
            Rule rule = scale.checks().get(m.check());
            if (students.stream().noneMatch(s -> s.name().equals(m.student()))) out.println(Messages.get("grade.marks.no-student", m.line(), Bundle.name(m.student())));
            else if (rule == null || !rule.instructor()) out.println(Messages.get("grade.marks.not-instructor", m.line(), Bundle.shortText(m.check())));
            else if (m.points() < 0 || m.points() > rule.points()) out.println(Messages.get("grade.marks.points", m.line(), m.points(), rule.points()));
        }
        for (Student s : students) {
            List<Check> checks = new ArrayList<>();
            for (Check c : s.checks()) {
                Rule rule = scale.checks().get(c.id());
                Mark m = marks.stream().filter(x -> x.student().equals(s.name()) && x.check().equals(c.id()) && rule != null && rule.instructor()
                        && x.points() >= 0 && x.points() <= rule.points()).reduce((a, b) -> b).orElse(null);
                checks.add(m == null ? c : new Check(c.id(), true, m.points(), m.comment().isEmpty() ? null : Messages.get("grade.marks.comment", m.comment())));
            }
            marked.add(new Student(s.name(), s.bundle(), checks, s.flags(), s.answers(), s.prints(), s.problem(), s.reports()));
        }
        return marked;
    }

    // ---- output ------------------------------------------------------------------------------

    static Check check(Scale scale, String id, String reason) {
        Rule r = scale.checks().get(id);
        int points = r == null || reason != null ? 0 : r.points();
        return new Check(id, reason == null, points, reason);
    }

    private void printStudent(PrintWriter out, Student s, Scale scale) {
        out.println();
        out.println(Messages.get("grade.student", Bundle.name(s.name()), Bundle.printable(s.bundle())));
        if (s.problem() != null) {
            out.println("  " + Bundle.printable(s.problem()));
            return;
        }
        for (Check c : s.checks()) {
            Rule r = scale.checks().get(c.id());
            String mark = c.passed() == null ? "[instr]" : c.passed() ? "[ ok  ]" : "[FAIL ]";
            String got = c.passed() == null ? " -" : String.format("%2d", c.points());
            out.printf("  %s %-14s %s/%-2d %s%s%n", mark, c.id(), got, r == null ? 0 : r.points(), r == null ? c.id() : r.label(),
                    c.reason() == null ? "" : " - " + Bundle.printable(c.reason()));
        }
        for (String flag : s.flags()) out.println("  " + Messages.get("grade.flag", Bundle.printable(flag)));
        out.println(Messages.get("grade.score", s.score("maz"), scale.max("maz"), s.score("pra"), scale.max("pra"), s.total(),
                scale.max("maz") + scale.max("pra"), s.failedRequired(scale) ? Messages.get("grade.required.failed") : ""));
        for (Answer a : s.answers()) {
            out.println("  " + Messages.get("grade.answer", Messages.get("grade.workshop." + a.workshop()), a.id()));
            for (String line : a.text().split("\n")) out.println("      " + Bundle.printable(line));
            if (a.key() != null) {
                out.println("    " + Messages.get("grade.key"));
                for (String line : a.key().split("\n")) out.println("      " + line);
            }
        }
    }

    private static void printClass(PrintWriter out, List<Student> students, Scale scale) {
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

    private void writeCsv(List<Student> students, Scale scale) throws IOException {
        StringBuilder b = new StringBuilder("student,bundle,mission,pra,total,max,failed_required,flags");
        for (String id : scale.checks().keySet()) b.append(',').append(id);
        b.append('\n');
        for (Student s : students) {
            b.append(cell(Bundle.name(s.name()))).append(',').append(cell(s.bundle())).append(',').append(s.score("maz")).append(',').append(s.score("pra"))
                    .append(',').append(s.total()).append(',').append(scale.max("maz") + scale.max("pra")).append(',').append(s.failedRequired(scale))
                    .append(',').append(cell(String.join("; ", s.problem() == null ? s.flags() : List.of(s.problem()))));
            for (String id : scale.checks().keySet()) {
                Check c = s.checks().stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
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
    private void writeJunit(List<Student> students, Scale scale) throws IOException {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"db007\">\n");
        for (Student s : students) {
            long failures = s.checks().stream().filter(c -> Boolean.FALSE.equals(c.passed())).count() + (s.problem() == null ? 0 : 1);
            x.append("  <testsuite name=\"").append(xml(Bundle.name(s.name()))).append("\" tests=\"").append(Math.max(1, s.checks().size()))
                    .append("\" failures=\"").append(failures).append("\" skipped=\"")
                    .append(s.checks().stream().filter(c -> c.passed() == null).count()).append("\">\n");
            if (s.problem() != null) {
                x.append("    <testcase name=\"bundle\"><failure message=\"").append(xml(s.problem())).append("\"/></testcase>\n");
            }
            for (Check c : s.checks()) {
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

    // ---- reading a student's files -----------------------------------------------------------

    /** A JSON file of the bundle as a record; missing or malformed, a reason naming it as the student knows it. */
    static <T> T read(Path root, String file, Class<T> type) {
        Path f = root.resolve(file);
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) throw Problem.failed("grade.file.missing", file);
        try {
            return Json.read(Files.readString(f, StandardCharsets.UTF_8), type);
        } catch (IOException | IllegalArgumentException e) {
            throw Problem.failed("grade.file.malformed", file, plain(e));
        }
    }

    static <T> T require(String file, String field, T value) {
        if (value == null || (value instanceof String s && s.isBlank())) throw Problem.failed("grade.file.field", file, field);
        return value;
    }

    static Instant time(String file, String field, String value) {
        require(file, field, value);
        try {
            return Instant.parse(value);
        } catch (RuntimeException e) {
            throw Problem.failed("grade.file.malformed", file, field + " \"" + Bundle.printable(value) + "\"");
        }
    }

    /** An exception's message without Java's class names, for a student to read. */
    static String plain(Exception e) {
        if (e instanceof java.nio.charset.CharacterCodingException) return Messages.get("grade.not-utf8");
        if (e instanceof java.io.EOFException) return Messages.get("grade.cut-short");
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return Bundle.printable(m.replaceAll("(?:[a-z0-9_]+\\.)+[A-Z]\\w*(?:Exception|Error): ?", "").replaceAll("not valid JSON for \\w+: ", ""));
    }

    /** A reason never shows where the grader unpacked the bundle. */
    private static String scrub(String reason, Path scratch) {
        if (reason == null || scratch == null) return reason;
        return reason.replace(scratch.resolve("bundle").toAbsolutePath() + "/", "").replace(scratch.toAbsolutePath().toString(), "");
    }
}
