///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Messages.java common/Cli.java common/Problem.java common/Json.java common/Region.java common/Rds.java common/Evidence.java common/Folders.java
//SOURCES region/Processes.java region/ServerAccount.java region/PgBinaries.java region/PgNode.java region/WriterEndpoint.java region/RdsApi.java region/ControlPlane.java region/LocalRegion.java
//DESCRIPTION Mission step 1, terrain: the two Availability Zones the database will live in.

// Step 1 of Operation DB007: the terrain.
//
//   ./jbang maz1                 lays out the local region: one port and one data folder per AZ
//
// A Multi-AZ database needs two failure domains. Locally they are two folders and two ports on
// this machine, each playing an Availability Zone; on AWS they are two subnets of a VPC in two
// real AZs. This step also opens a fresh evidence folder for the mission (an earlier one is kept
// beside it, renamed with its time).

import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Rds;
import common.Region;
import java.io.PrintWriter;
import java.nio.file.Files;
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
import region.LocalRegion;

@Command(name = "maz1", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class maz1 implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Mixin Rds.Options rds;
    @Option(names = "--evidence", paramLabel = "DIR", descriptionKey = "option.evidence") Path evidenceDir;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz1(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz1.title"));
        if (!rds.local()) throw Problem.environment("aws.deploy.pending", "maz1");

        Evidence evidence = freshEvidence(evidenceDir);
        Region.State state = LocalRegion.prepare(Region.home(), pgBin, null, out, false);
        for (Region.NodeSpec n : state.nodes()) {
            out.println(Messages.get("maz1.az", n.az(), n.port(), Path.of(state.dataRoot(), n.az())));
        }
        out.println(Messages.get("maz1.endpoint", state.endpointPort(), state.apiPort()));
        out.println(Messages.get("maz1.notice"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", rds.target);
        observed.put("availability_zones", state.nodes().stream().map(Region.NodeSpec::az).toList());
        observed.put("ports", state.nodes().stream().map(n -> Map.of("az", n.az(), "port", n.port())).toList());
        observed.put("postgres_version", state.pgVersion());
        boolean passed = state.nodes().stream().map(Region.NodeSpec::az).distinct().count() == 2;
        evidence.step("maz1", started, passed, observed);
        out.println(Messages.get("step.evidence", evidence.dir()));
        return passed ? 0 : Problem.CHECK_FAILED;
    }

    /** A new mission starts with an empty evidence folder; the previous one is kept, renamed. */
    static Evidence freshEvidence(Path option) throws Exception {
        Path dir = Evidence.folder(option, "maz");
        if (Files.isDirectory(dir)) {
            try (var list = Files.list(dir)) {
                if (list.findAny().isPresent()) {
                    if (Files.exists(dir.resolve("agent.json")) && maz1AgentRunning(dir)) throw Problem.failed("maz1.agent.running", dir);
                    Files.move(dir, dir.resolveSibling(dir.getFileName() + "-" + Instant.now().toString().replaceAll("[:.]", "")));
                }
            }
        }
        return new Evidence(dir);
    }

    private static boolean maz1AgentRunning(Path dir) throws Exception {
        Map<?, ?> agent = common.Json.read(dir.resolve("agent.json"), Map.class);
        Object pid = agent.get("pid");
        return "running".equals(agent.get("status")) && pid instanceof Number n && ProcessHandle.of(n.longValue()).map(ProcessHandle::isAlive).orElse(false)
                && n.longValue() != ProcessHandle.current().pid();
    }

}
