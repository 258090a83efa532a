package grading;

//SOURCES ../aws/Rds.java ../common/Bundle.java ../common/FileTree.java ../common/Messages.java ../common/Problem.java ../mission/Journal.java
//SOURCES ../mission/Proof.java ../recovery/Restore.java BundleReader.java ClassReport.java Marks.java MissionChecks.java PraChecks.java
//SOURCES ProviderEvidence.java Scale.java Student.java StudentFiles.java

import aws.Rds;
import common.Bundle;
import common.FileTree;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import mission.Journal;
import mission.Proof;
import recovery.Restore;

/**
 * Grades a class: each bundle unpacked in a scratch folder of its own and checked from its raw
 * data (MissionChecks, PraChecks), copies flagged across the class, the instructor's marks
 * applied. One bundle that cannot be read never stops the class: it gets its reason.
 */
public final class Grader {
    private final Scale scale;
    /** Where the students' own reports are copied, beside the class page; null without one. */
    private final Path reportsDir;
    private final Path pageDir;
    /** RDS, asked about each student's instance when the grader has read access to the class's account; null otherwise. */
    private Rds provider;

    /** With a class page, the students' own reports go beside it, in a folder of its name. */
    public Grader(Scale scale, Path html) throws IOException {
        this.scale = scale;
        if (html == null) {
            reportsDir = null;
            pageDir = null;
        } else {
            pageDir = html.toAbsolutePath().getParent();
            reportsDir = html.toAbsolutePath().resolveSibling(html.getFileName().toString().replaceAll("\\.html?$", "") + "-reports");
            FileTree.delete(reportsDir);
            Files.createDirectories(reportsDir);
        }
    }

    /** Each student's failover compared with RDS's own history of it (ProviderEvidence). */
    public Grader askingRds(Rds rds) {
        this.provider = rds;
        return this;
    }

    /** Every bundle of the inputs graded, copies flagged, the marks applied (a mark that fits no check is named on out). */
    public List<Student> grade(List<Path> inputs, List<Marks.Mark> marks, PrintWriter out) throws IOException {
        Path scratchRoot = Files.createTempDirectory("db007-grade");
        List<Student> students = new ArrayList<>();
        try {
            for (Path b : bundles(inputs)) students.add(gradeSafely(b, scratchRoot));
        } finally {
            FileTree.delete(scratchRoot);
        }
        flagCopies(students);
        return Marks.apply(students, marks, scale, out);
    }

    /** Each argument as given (relative to where the grader runs): a bundle, or a folder of them. */
    private static List<Path> bundles(List<Path> inputs) throws IOException {
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

    /** Grades one bundle in a scratch folder of its own, removed afterwards; whatever happens, a result. */
    Student gradeSafely(Path bundle, Path scratchRoot) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(scratchRoot, "bundle-");
            return gradeOne(bundle, scratch);
        } catch (Problem p) {
            return unreadable(bundle, StudentFiles.scrub(p.getMessage(), scratch));
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

    Student gradeOne(Path bundle, Path scratch) throws Exception {
        Path root = BundleReader.unpack(bundle, scratch.resolve("bundle"), BundleReader.Limits.CLASS);
        Bundle.Manifest manifest = StudentFiles.read(root, Bundle.MANIFEST, Bundle.Manifest.class);
        String name = manifest.student() == null || manifest.student().isBlank() ? null : manifest.student();
        List<Student.Check> checks = new ArrayList<>();
        List<String> flags = new ArrayList<>();
        checks.add(scale.check("manifest", name == null ? Messages.get("grade.file.field", Bundle.MANIFEST, "student") : manifestReason(root, manifest)));
        boolean maz = Files.isDirectory(root.resolve("maz"));
        boolean pra = Files.isDirectory(root.resolve("pra"));
        if (!maz && !pra) throw Problem.failed("grade.empty");
        String runId = null;
        String journalHash = null;
        if (maz) {
            MissionChecks m = new MissionChecks(root, scale);
            checks.addAll(m.checks(flags));
            if (provider != null) flags.addAll(ProviderEvidence.flags(root, provider));
            runId = m.runId;
            journalHash = Files.isRegularFile(root.resolve("maz/" + Journal.FILE)) ? Bundle.sha256(root.resolve("maz/" + Journal.FILE)) : null;
        }
        if (pra) checks.addAll(new PraChecks(root, scratch, scale).checks(flags));
        Set<String> backups = new LinkedHashSet<>();
        for (Path b : StudentFiles.backupFiles(root)) backups.add(Bundle.sha256(b));
        List<Student.Answer> answers = new ArrayList<>(StudentFiles.answers(root, "maz"));
        answers.addAll(StudentFiles.answers(root, "pra"));
        List<Student.Check> scrubbed = checks.stream().map(c -> new Student.Check(c.id(), c.passed(), c.points(), StudentFiles.scrub(c.reason(), scratch))).toList();
        String shown = name == null ? bundle.getFileName().toString() : name;
        return new Student(shown, bundle.toString(), scrubbed, flags, answers, new Student.Prints(runId, journalHash, backups), null,
                reportsDir == null ? List.of() : copyReports(root, shown));
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
            links.add(new ClassReport.Link(Messages.get(r[2]), pageDir.relativize(to).toString().replace('\\', '/')));
        }
        return links;
    }

    /** Bundles that share an agent run, a journal or a backup file were copied: each is flagged, naming the others. */
    static void flagCopies(List<Student> students) {
        for (Student s : students) {
            if (s.prints() == null) continue;
            Set<String> with = new LinkedHashSet<>();
            for (Student o : students) {
                if (o == s || o.prints() == null) continue;
                Student.Prints a = s.prints();
                Student.Prints b = o.prints();
                boolean same = (a.runId() != null && a.runId().equals(b.runId())) || (a.journal() != null && a.journal().equals(b.journal()))
                        || a.backups().stream().anyMatch(b.backups()::contains);
                if (same) with.add(Bundle.name(o.name()) + " (" + Bundle.printable(o.bundle()) + ")");
            }
            if (!with.isEmpty()) s.flags().add(Messages.get("grade.flag.copy", String.join(", ", with)));
        }
    }

}
