///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Classroom.java aws/Deployment.java aws/Identity.java aws/Rds.java aws/Stacks.java common/Cli.java common/Evidence.java
//SOURCES common/Messages.java common/Problem.java mission/Agent.java region/LocalRegion.java region/Region.java
//DESCRIPTION Mission step 1, terrain: the two Availability Zones the database will live in.

// Step 1 of Operation DB007: the terrain.
//
//   ./jbang maz1                 lays out the local region: one port and one data folder per AZ
//   ./jbang maz1 --target aws    creates the VPC stack: two subnets in two real AZs (CloudShell, or a laptop with credentials)
//
// A Multi-AZ database needs two failure domains. Locally they are two folders and two ports on
// this machine, each playing an Availability Zone; on AWS they are two subnets of a VPC in two
// real AZs, from cloudformation/vpc-public.yaml (or vpc-private.yaml with --network private),
// created with CloudFormation through the AWS SDK: its events are shown as they come. The VPC
// costs nothing by itself; maz2 adds the database, which does. This step also opens a fresh
// evidence folder for the mission (an earlier one is kept beside it, renamed with its time).

import aws.Classroom;
import aws.Deployment;
import aws.Identity;
import aws.Rds;
import aws.Stacks;
import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import mission.Agent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.LocalRegion;
import region.Region;

@Command(name = "maz1")
public class maz1 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Deployment.Options aws;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz1(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz1.title"));
        Evidence evidence = freshEvidence(evidenceDir.path("maz"));
        if (!rds.local()) return onAws(evidence, started, out);
        Region.State state = LocalRegion.prepare(pgBin, null, out, false);
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

    /** The VPC stack: two subnets in the first two AZs of the Region, tagged with the student's name. */
    private int onAws(Evidence evidence, Instant started, PrintWriter out) throws Exception {
        Deployment before = Deployment.load();
        String student = aws.student(before, () -> Identity.of(rds).name());
        if (!aws.network.equals("public") && !aws.network.equals("private")) throw Problem.environment("aws.network.invalid", aws.network);
        if (!aws.engine.equals("postgres") && !aws.engine.equals("mysql")) throw Problem.environment("aws.engine.invalid", aws.engine);
        // A second run keeps the range chosen the first time, unless told otherwise.
        boolean same = before != null && student.equals(before.student());
        String cidr = aws.allowedCidr == null && same && before.allowedCidr() != null ? before.allowedCidr() : Deployment.allowedCidr(aws);
        out.println(Messages.get("maz1.aws.cidr", cidr));
        String className = aws.className(same ? before : null);
        String expires = aws.expires == null && same && before.expires() != null ? before.expires() : aws.expires();
        String stack;
        String role = null;
        Stacks.Info vpc;
        try (Stacks stacks = Stacks.open(rds)) {
            if (className == null) {
                stack = Deployment.vpcStack(student);
                vpc = stacks.deploy(stack, Stacks.template("vpc-" + aws.network + ".yaml"), Map.of("Student", student),
                        Deployment.tags(student, null, expires), out);
            } else {
                // In a class, the instructor's VPC ("class up") is everyone's: a student only finds it, and the role their stacks run with.
                stack = Classroom.vpcStack(className);
                vpc = stacks.find(stack);
                if (vpc == null || !vpc.status().endsWith("_COMPLETE") || vpc.status().contains("ROLLBACK")) throw Problem.environment("class.none", className, rds.region);
                Stacks.Info access = stacks.find(Classroom.accessStack(className));
                role = access == null ? null : access.outputs().get("StackRoleArn");
                out.println(Messages.get("maz1.aws.joined", className, stack, role == null ? "-" : role, expires));
            }
        }
        String az1 = vpc.outputs().get("Az1");
        String az2 = vpc.outputs().get("Az2");
        out.println(Messages.get("maz1.aws.azs", stack, az1, az2, vpc.outputs().get("VpcId")));
        Deployment d = new Deployment(rds.region, student, aws.network, aws.engine, cidr, stack, null, null, null, null, null, Instant.now().toString(),
                className, role, expires);
        if (same && before.databaseStack() != null) {
            d = d.withDatabase(before.databaseStack(), before.instance(), before.endpoint(), before.port(), before.secretArn(), d.deployedAt());
        }
        d.save();
        out.println(Messages.get("maz1.notice"));
        out.println(Messages.get("aws.cost"));
        out.println(Messages.get("aws.teardown.hint"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", "aws");
        observed.put("stack", stack);
        observed.put("class", className);
        observed.put("network", aws.network);
        observed.put("availability_zones", Arrays.asList(az1, az2));
        observed.put("allowed_cidr", cidr);
        boolean passed = az1 != null && az2 != null && !az1.equals(az2);
        evidence.step("maz1", started, passed, observed);
        out.println(Messages.get("step.evidence", evidence.dir()));
        return passed ? 0 : Problem.CHECK_FAILED;
    }

    /** A new mission starts with an empty evidence folder, unless an agent still writes into the old one. */
    static Evidence freshEvidence(Path dir) throws Exception {
        Agent.Summary agent = Files.isDirectory(dir) ? Agent.Summary.read(new Evidence(dir)) : null;
        if (agent != null && agent.running() && agent.pid() != ProcessHandle.current().pid()) throw Problem.failed("maz1.agent.running", dir);
        return Evidence.fresh(dir);
    }
}
