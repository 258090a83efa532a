///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java common/Evidence.java common/Folders.java
//SOURCES recovery/Backups.java recovery/App.java recovery/LocalSite.java
//DESCRIPTION PRA workshop: deploy the SQLite app with its data volume, its backup volume and its backup job, and check it answers.

// PRA workshop, deployment.
//
//   ./jbang pra-deploy                    backups every minute, as in the workshop
//   ./jbang pra-deploy --backup-every 5   shorter, for a drill
//
// On this machine two folders play the volumes pra-data (the app's SQLite database) and
// pra-backup (the backups), and a supervisor plays Kubernetes: it keeps the app running, as
// a Deployment does, and runs the backup job on schedule, as a CronJob does.

import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import recovery.LocalSite;

@Command(name = "pra-deploy", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class pra_deploy implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Option(names = "--backup-every", paramLabel = "SECONDS", defaultValue = "60", descriptionKey = "pra.backup-every") int backupEvery;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence.pra") Path evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_deploy(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("pra.deploy.title"));
        LocalSite site = LocalSite.here();
        site.deploy(backupEvery);
        LocalSite.Reply greeting = site.get("/");
        LocalSite.Reply health = site.get("/health");
        boolean ok = greeting.status() == 200 && health.status() == 200;
        out.println(Messages.get("pra.deploy.done", site.url("/"), site.data(), site.backups(), backupEvery));
        out.println("  / -> " + greeting.body().trim());
        out.println("  /health -> " + health.body().trim());
        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", "local");
        observed.put("url", site.url("/"));
        observed.put("backup_every_seconds", backupEvery);
        observed.put("health", health.status());
        Evidence.of(evidenceDir, "pra").step("pra-deploy", started, ok, observed);
        out.println(Messages.get(ok ? "step.pass" : "step.fail"));
        return ok ? 0 : Problem.CHECK_FAILED;
    }
}
