///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java common/Evidence.java common/Folders.java
//SOURCES recovery/Backups.java recovery/App.java recovery/LocalSite.java
//DESCRIPTION PRA workshop, PCA: kill the app (delete its pod); it comes back by itself; measure the outage and show nothing was lost.

// PRA workshop, business continuity (PCA): the pod crash.
//
//   ./jbang pra-pod-crash
//
// The app's process dies, as a pod deleted or crashed would. The supervisor (the Deployment)
// starts a new one on the same data volume. Measures how long /health went unanswered and
// checks the message count before and after: the data lives on the volume, not in the pod.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
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

@Command(name = "pra-pod-crash", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class pra_pod_crash implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence.pra") Path evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra_pod_crash(), args));
    }

    /** What the crash cost. */
    public record Crash(long countBefore, long countAfter, long unavailableMs) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("pra.crash.title"));
        Crash c = crash(LocalSite.here());
        boolean ok = c.countAfter() >= c.countBefore();
        out.println(Messages.get("pra.crash.result", c.unavailableMs(), c.countBefore(), c.countAfter()));
        out.println(Messages.get("pra.crash.notice"));
        Map<String, Object> observed = new LinkedHashMap<>(Json.toMap(c));
        Evidence.of(evidenceDir, "pra").step("pra-pod-crash", started, ok, observed);
        return ok ? 0 : Problem.CHECK_FAILED;
    }

    public static Crash crash(LocalSite site) throws Exception {
        long before = count(site);
        LocalSite.Status s = site.status();
        if (s == null || s.appPid() == null) throw Problem.failed("pra.app.not-running");
        Instant killed = Instant.now();
        ProcessHandle.of(s.appPid()).ifPresent(ProcessHandle::destroyForcibly);
        while (ProcessHandle.of(s.appPid()).map(ProcessHandle::isAlive).orElse(false)) Thread.sleep(5);
        site.waitHealthy(Duration.ofSeconds(60));
        long unavailable = Duration.between(killed, Instant.now()).toMillis();
        return new Crash(before, count(site), unavailable);
    }

    static long count(LocalSite site) throws Exception {
        return ((Number) Json.read(site.get("/count").body(), Map.class).get("count")).longValue();
    }
}
