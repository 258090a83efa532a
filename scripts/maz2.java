///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java common/Rds.java common/Evidence.java common/Folders.java
//SOURCES region/Processes.java region/ServerAccount.java region/PgBinaries.java region/PgNode.java region/WriterEndpoint.java region/RdsApi.java region/ControlPlane.java region/LocalRegion.java
//DESCRIPTION Mission step 2, the vault: a primary in AZ1 with a synchronous standby in AZ2.

// Step 2 of Operation DB007: the vault.
//
//   ./jbang maz2                 starts the primary in az1 and its synchronous standby in az2
//
// The primary takes every write; the standby receives each commit before the primary says "done"
// (synchronous replication), so an acknowledged write exists in both AZs. Locally the kit's own
// control plane runs the pair, as RDS does for a Multi-AZ instance. If an earlier mission left
// the primary in az2, this step fails over once more so the mission starts from az1.

import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Rds;
import common.Region;
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
import region.LocalRegion;

@Command(name = "maz2", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class maz2 implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Mixin Rds.Options rds;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence") Path evidenceDir;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz2(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz2.title"));
        if (!rds.local()) throw Problem.environment("aws.deploy.pending", "maz2");
        Evidence evidence = Evidence.of(evidenceDir, "maz");

        LocalRegion.Up up = LocalRegion.up(Region.home(), pgBin, null, out, false);
        Region.Status s = up.status();
        if (!"az1".equals(s.primaryAz())) {
            out.println(Messages.get("maz2.reset", s.primaryAz()));
            Region.State state = LocalRegion.requireState(Region.home());
            Instant asked = Instant.now();
            LocalRegion.requestFailover(state);
            s = LocalRegion.waitUntil(state, out, true, st -> "az1".equals(st.primaryAz()) && st.healthy(), Duration.ofMinutes(2), asked);
        }
        Rds.Instance instance;
        try (Rds api = Rds.open(rds)) {
            instance = api.describe();
        }
        out.println(Messages.get("maz2.vault", instance.primaryAz(), instance.standbyAz(), s.node(s.standbyAz()).syncState(), instance.multiAz()));
        out.println(Messages.get("maz2.notice"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("primary_az", instance.primaryAz());
        observed.put("standby_az", instance.standbyAz());
        observed.put("multi_az", instance.multiAz());
        observed.put("standby_sync_state", s.node(s.standbyAz()).syncState());
        observed.put("endpoint", instance.host() + ":" + instance.port());
        boolean passed = "az1".equals(instance.primaryAz()) && "az2".equals(instance.standbyAz()) && instance.multiAz()
                && "sync".equals(s.node(s.standbyAz()).syncState());
        evidence.step("maz2", started, passed, observed);
        out.println(Messages.get(passed ? "step.pass" : "step.fail"));
        return passed ? 0 : Problem.CHECK_FAILED;
    }
}
