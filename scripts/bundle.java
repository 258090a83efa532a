///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Bundle.java common/Cli.java common/Home.java common/Json.java common/Messages.java common/Problem.java recovery/Site.java
//DESCRIPTION Hand in: pack your evidence of both workshops into one zip with a manifest of SHA-256 hashes.

// Handing in.
//
//   ./jbang bundle --student alice            writes db007-alice.zip here
//
// Packs DB007_HOME/evidence/maz and DB007_HOME/evidence/pra (whichever exist), the PRA backup
// volume, which the grader restores itself (copied out of the cluster when the PRA workshop ran
// on Kubernetes), the app's log, and your written answers (DB007_HOME/answers, or
// --answers DIR: pra.md with one "## N" heading per exercise), with a manifest: each file's
// SHA-256, the kit's version, your name, the time. Nothing else goes in: no password.

import common.Bundle;
import common.Home;
import common.Json;
import common.Cli;
import common.Messages;
import common.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
        Map<String, Path> folders = new LinkedHashMap<>();
        folders.put("maz", Home.evidence("maz"));
        folders.put("pra", Home.evidence("pra"));
        try (Site site = praSite()) {
            folders.put("pra-backup", site.backupsHere());
            folders.put("answers", answers != null ? answers : Home.answers());
            folders.put("pra-log", site.appLog());
        }
        if (folders.values().stream().noneMatch(Files::isDirectory)) throw Problem.failed("bundle.nothing", Home.dir().resolve("evidence"));
        Path zip = (out != null ? out : Path.of("db007-" + student + ".zip")).toAbsolutePath();
        if (Files.isDirectory(zip)) zip = zip.resolve("db007-" + student + ".zip");
        Files.createDirectories(zip.getParent());
        Bundle.Manifest m = Bundle.pack(zip, student, folders);
        spec.commandLine().getOut().println(Messages.get("bundle.done", zip.toAbsolutePath(), m.files().size()));
        return 0;
    }

    /** Where the PRA workshop ran, as its deployment step recorded it. */
    private static Site praSite() throws Exception {
        Path deploy = Home.evidence("pra").resolve("steps/pra-deploy.json");
        Path drill = Home.evidence("pra").resolve("drill.json");
        String target = "local";
        for (Path f : new Path[] {deploy, drill}) {
            if (!Files.exists(f)) continue;
            Map<?, ?> m = Json.read(f, Map.class);
            Object t = m.get("observed") instanceof Map<?, ?> o ? o.get("target") : m.get("target");
            if (t != null) target = t.toString();
        }
        Site.Target where = new Site.Target();
        where.target = target;
        return where.open();
    }
}
