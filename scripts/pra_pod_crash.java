///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/Site.java
//DESCRIPTION PRA workshop, PCA: kill the app (delete its pod); it comes back by itself; measure the outage and show nothing was lost.

// PRA workshop, business continuity (PCA): the pod crash.
//
//   ./jbang pra-pod-crash                 (add --target k8s on a cluster)
//
// The app's process dies, as a pod deleted or crashed would: locally its process is killed, on
// Kubernetes its pod is deleted without a grace period. The supervisor, or the Deployment,
// starts a new one on the same data volume. Measures how long /health went unanswered and
// checks the message count before and after: the data lives on the volume, not in the pod.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import recovery.Site;

@Command(name = "pra-pod-crash")
public class pra_pod_crash extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_pod_crash(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("pra.crash.title"));
        Site.Crash c;
        String target;
        try (Site site = where.open()) {
            c = site.crashApp();
            target = site.target();
        }
        boolean ok = c.countAfter() >= c.countBefore();
        out.println(Messages.get("pra.crash.result", c.unavailableMs(), c.countBefore(), c.countAfter()));
        out.println(Messages.get("pra.crash.notice"));
        Map<String, Object> observed = new LinkedHashMap<>(Json.toMap(c));
        observed.put("target", target);
        evidenceDir.open(Site.WORKSHOP).step("pra-pod-crash", started, ok, observed);
        return ok ? 0 : Problem.CHECK_FAILED;
    }
}
