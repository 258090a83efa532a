///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Bundle.java common/Cli.java common/Evidence.java common/Home.java common/Messages.java common/Problem.java mission/Mole.java
//SOURCES mission/RegionLoss.java recovery/App.java recovery/Backups.java recovery/Restore.java recovery/Site.java
//DESCRIPTION Hand in: pack your evidence of both workshops into one zip with a manifest of SHA-256 hashes.

// Handing in.
//
//   ./jbang bundle --student alice            writes db007-alice.zip here
//
// Packs the evidence folders of DB007_HOME/evidence that exist (maz, pra, and the unattended
// runs pra-drill and pra5), the backups of your PRA workshop, which the grader restores itself
// (copied out of the cluster when it ran on Kubernetes), the app's log, and your written answers
// (DB007_HOME/answers, or --answers DIR: maz.md and pra.md, one "## N" heading per question),
// with a manifest: each file's SHA-256, the kit's version, your name, the time. Nothing else
// goes in: no password.

import common.Bundle;
import common.Cli;
import common.Evidence;
import common.Home;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mission.Mole;
import mission.RegionLoss;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import recovery.App;
import recovery.Backups;
import recovery.Restore;
import recovery.Site;

@Command(name = "bundle")
public class bundle extends Cli.KitCommand {
    @Option(names = "--student", paramLabel = "NAME", required = true, descriptionKey = "bundle.student") String student;
    @Option(names = "--out", paramLabel = "FILE", descriptionKey = "bundle.out") Path out;
    @Option(names = "--answers", paramLabel = "DIR", descriptionKey = "bundle.answers") Path answers;

    public static void main(String[] args) {
        System.exit(Cli.run(new bundle(), args));
    }

    @Override
    public Integer call() throws Exception {
        if (!student.matches("[A-Za-z0-9._-]{1,64}")) throw Problem.environment("bundle.student.invalid", student);
        List<Bundle.Part> parts = new ArrayList<>();
        for (String run : List.of("maz", "maz11", Site.WORKSHOP, Site.DRILL, Site.DESIGN)) parts.add(Bundle.Part.of(run, Home.evidence(run)));
        try (Site site = praSite()) {
            // The backups and their log only: a reader's leftovers (-wal, -shm) are not restore points.
            parts.add(new Bundle.Part("pra-backup", site.backupsHere(), f -> Backups.isBackup(f.getFileName().toString())
                    || f.getFileName().toString().equals(Backups.LOG)));
            parts.add(Bundle.Part.of("answers", answers != null ? answers : Home.answers()));
            parts.add(Bundle.Part.of("pra-log", site.appLog()));
        }
        if (parts.stream().noneMatch(p -> Files.isDirectory(p.path()))) throw Problem.failed("bundle.nothing", Home.dir().resolve("evidence"));
        PrintWriter say = spec.commandLine().getOut();
        List<String> warnings = unfinished(answers != null ? answers : Home.answers());
        for (String w : warnings) say.println(Messages.get("bundle.warn", w));
        Path zip = (out != null ? out : Path.of("db007-" + student + ".zip")).toAbsolutePath();
        if (Files.isDirectory(zip)) zip = zip.resolve("db007-" + student + ".zip");
        Files.createDirectories(zip.getParent());
        Bundle.Manifest m = Bundle.pack(zip, student, parts);
        say.println(Messages.get("bundle.done", zip.toAbsolutePath(), m.files().size()));
        if (!warnings.isEmpty()) say.println(Messages.get("bundle.warn.after", warnings.size()));
        return 0;
    }

    /**
     * What the texts ask for and this hand-in lacks: an answer file missing or empty, a question
     * its key has and the file does not answer, a practical task or a step not run. Said before
     * the zip is written, which it is all the same: a late hand-in is the student's call.
     */
    static List<String> unfinished(Path answersDir) throws IOException {
        List<String> lacking = new ArrayList<>();
        for (String workshop : List.of("maz", "pra")) {
            Path file = answersDir.resolve(workshop + ".md");
            Map<String, String> given = Bundle.answerSections(file);
            if (!Files.exists(file)) {
                lacking.add(Messages.get("bundle.warn.missing", file));
            } else if (given.values().stream().allMatch(String::isBlank)) {
                lacking.add(Messages.get("bundle.warn.empty", file));
            } else {
                // The questions are those the key answers: one list for the texts, the grader and this check.
                List<String> asked = new ArrayList<>(Bundle.answerSections(Home.kitFile("solutions/" + workshop + "/answers.en.md")).keySet());
                asked.removeIf(q -> !given.getOrDefault(q, "").isBlank());
                if (!asked.isEmpty()) lacking.add(Messages.get("bundle.warn.unanswered", file.getFileName(), String.join(", ", asked)));
            }
        }
        Path pra = Home.evidence(Site.WORKSHOP);
        if (!Files.exists(pra.resolve(App.Reading.FILE))) lacking.add(Messages.get("bundle.warn.task", "T1", "./jbang pra-status"));
        if (Restore.readAll(pra).stream().noneMatch(r -> Restore.ROLLBACK.equals(r.kind()))) {
            lacking.add(Messages.get("bundle.warn.task", "T2", "./jbang pra-restore --point FILE --force"));
        }
        if (!Files.exists(Home.evidence("maz").resolve(Mole.FOLDER).resolve(Mole.FILE))) lacking.add(Messages.get("bundle.warn.step", 10, "./jbang maz10"));
        if (!Files.exists(Home.evidence("maz11").resolve(RegionLoss.FILE))) lacking.add(Messages.get("bundle.warn.step", 11, "./jbang maz11"));
        return lacking;
    }

    /** Where the student's PRA workshop ran, as its deployment step recorded it. */
    private static Site praSite() throws Exception {
        Evidence.Step deploy = new Evidence(Home.evidence(Site.WORKSHOP)).step("pra-deploy");
        Site.Target where = new Site.Target();
        where.target = deploy != null && deploy.observed().get("target") instanceof String t ? t : "local";
        return where.open();
    }
}
