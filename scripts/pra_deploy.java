///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Messages.java common/Problem.java recovery/Site.java
//DESCRIPTION PRA workshop: deploy the SQLite app with its data volume, its backup volume and its backup job, and check it answers.

// PRA workshop, deployment.
//
//   ./jbang pra-deploy                    backups every minute, as in the workshop
//   ./jbang pra-deploy --backup-every 5   shorter, for a drill
//   ./jbang pra-deploy --target k8s       on the cluster of the current kubeconfig context
//   ./jbang pra-deploy --no-traffic       without the app's users
//
// Locally two folders play the volumes pra-data (the app's SQLite database) and pra-backup
// (the backups), and a supervisor plays Kubernetes: it keeps the app running, as a Deployment
// does, and runs the backup job on schedule, as a CronJob does. On Kubernetes the manifests of
// k8s/ are applied as they are: namespace pra, two PVCs, Deployment, Service, CronJob, and the
// users' Deployment. The users (recovery.Traffic) add a message every second, so that the
// disaster strikes an app in use and loses what came after the newest backup, as it would.

import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.Site;

@Command(name = "pra-deploy")
public class pra_deploy extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Option(names = "--backup-every", paramLabel = "SECONDS", defaultValue = "60", descriptionKey = "pra.backup-every") int backupEvery;
    @Option(names = "--no-traffic", descriptionKey = "pra.deploy.no-traffic") boolean noTraffic;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_deploy(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("pra.deploy.title"));
        try (Site site = where.open()) {
            site.deploy(backupEvery, !noTraffic);
            if (site.target().equals("k8s") && backupEvery < 60) out.println(Messages.get("pra.k8s.minute"));
            return check(site, started, out);
        }
    }

    private int check(Site site, Instant started, PrintWriter out) throws Exception {
        Site.Reply greeting = site.get("/");
        Site.Reply health = site.get("/health");
        boolean ok = greeting.status() == 200 && health.status() == 200;
        out.println(Messages.get("pra.deploy.done", site.url("/"), site.dataVolume(), site.backupVolume(), site.backupEvery()));
        out.println("  / -> " + greeting.body().trim());
        out.println("  /health -> " + health.body().trim());
        out.println(noTraffic ? Messages.get("pra.deploy.no-users") : Messages.get("pra.deploy.users", site.trafficJournal()));
        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", site.target());
        observed.put("url", site.url("/"));
        observed.put("backup_every_seconds", site.backupEvery());
        observed.put("health", health.status());
        observed.put("traffic", !noTraffic);
        evidenceDir.open(Site.WORKSHOP).step("pra-deploy", started, ok, observed);
        out.println(Messages.get(ok ? "step.pass" : "step.fail"));
        return ok ? 0 : Problem.CHECK_FAILED;
    }
}
