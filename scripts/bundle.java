///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Bundle.java common/Cli.java common/Evidence.java common/Home.java common/Messages.java common/Problem.java recovery/Backups.java
//SOURCES recovery/Site.java
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import recovery.Backups;
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
        Path zip = (out != null ? out : Path.of("db007-" + student + ".zip")).toAbsolutePath();
        if (Files.isDirectory(zip)) zip = zip.resolve("db007-" + student + ".zip");
        Files.createDirectories(zip.getParent());
        Bundle.Manifest m = Bundle.pack(zip, student, parts);
        spec.commandLine().getOut().println(Messages.get("bundle.done", zip.toAbsolutePath(), m.files().size()));
        return 0;
    }

    /** Where the student's PRA workshop ran, as its deployment step recorded it. */
    private static Site praSite() throws Exception {
        Evidence.Step deploy = new Evidence(Home.evidence(Site.WORKSHOP)).step("pra-deploy");
        Site.Target where = new Site.Target();
        where.target = deploy != null && deploy.observed().get("target") instanceof String t ? t : "local";
        return where.open();
    }
}
