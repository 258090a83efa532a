///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Deployment.java aws/Rds.java aws/Stacks.java common/Cli.java common/Evidence.java common/Json.java common/Messages.java
//SOURCES common/Problem.java region/LocalRegion.java region/Region.java
//DESCRIPTION Mission step 2, the vault: a primary in AZ1 with a synchronous standby in AZ2.

// Step 2 of Operation DB007: the vault.
//
//   ./jbang maz2                 starts the primary in az1 and its synchronous standby in az2
//   ./jbang maz2 --target aws    creates the database stack: RDS Multi-AZ over maz1's two subnets (15 to 30 minutes)
//
// The primary takes every write; the standby receives each commit before the primary says "done"
// (synchronous replication), so an acknowledged write exists in both AZs. Locally the kit's own
// control plane runs the pair, as RDS does for a Multi-AZ instance. If an earlier mission left
// the primary in az2, this step fails over once more so the mission starts from az1. On AWS,
// cloudformation/database.yaml makes the instance (PostgreSQL, or MySQL with --engine mysql):
// Multi-AZ, encrypted, its password kept by Secrets Manager, TLS required, its port open to
// the one address range maz1 chose; RDS then says where the primary and the standby live.

import aws.Deployment;
import aws.Rds;
import aws.Stacks;
import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.LocalRegion;
import region.Region;

@Command(name = "maz2")
public class maz2 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Deployment.Options aws;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz2(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz2.title"));
        Evidence evidence = evidenceDir.open("maz");
        if (!rds.local()) return onAws(evidence, started, out);

        LocalRegion.Up up = LocalRegion.up(pgBin, null, out, false);
        Region.Status s = up.status();
        if (!"az1".equals(s.primaryAz())) {
            out.println(Messages.get("maz2.reset", s.primaryAz()));
            Region.State state = LocalRegion.requireState();
            Instant asked = Instant.now();
            LocalRegion.requestFailover(state);
            s = LocalRegion.waitUntil(state, out, true, st -> "az1".equals(st.primaryAz()) && st.healthy(), Duration.ofMinutes(2), asked);
        }
        Rds.Instance instance;
        try (Rds api = Rds.open(rds)) {
            instance = api.describe();
        }
        out.println(Messages.get("maz2.vault", instance.primaryAz(), instance.standbyAz(), Json.key(s.node(s.standbyAz()).syncState()), instance.multiAz()));
        out.println(Messages.get("maz2.notice"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("primary_az", instance.primaryAz());
        observed.put("standby_az", instance.standbyAz());
        observed.put("multi_az", instance.multiAz());
        observed.put("standby_sync_state", Json.key(s.node(s.standbyAz()).syncState()));
        observed.put("endpoint", instance.host() + ":" + instance.port());
        boolean passed = "az1".equals(instance.primaryAz()) && "az2".equals(instance.standbyAz()) && instance.multiAz()
                && s.node(s.standbyAz()).syncState() == Region.SyncState.SYNC;
        evidence.step("maz2", started, passed, observed);
        out.println(Messages.get(passed ? "step.pass" : "step.fail"));
        return passed ? 0 : Problem.CHECK_FAILED;
    }

    /** The database stack over maz1's VPC, then RDS's own account of where the pair lives. */
    private int onAws(Evidence evidence, Instant started, PrintWriter out) throws Exception {
        Deployment d = Deployment.load();
        if (d == null || d.vpcStack() == null) throw Problem.environment("aws.vpc.missing");
        String engine = spec.commandLine().getParseResult().hasMatchedOption("--engine") ? aws.engine : d.engine();
        if (!engine.equals("postgres") && !engine.equals("mysql")) throw Problem.environment("aws.engine.invalid", engine);
        String cidr = aws.allowedCidr != null ? Deployment.allowedCidr(aws) : d.allowedCidr();
        String stack = Deployment.databaseStack(d.student());
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("Student", d.student());
        parameters.put("VpcStack", d.vpcStack());
        parameters.put("Engine", engine);
        parameters.put("AllowedCidr", cidr);
        parameters.put("PubliclyAccessible", Boolean.toString(d.network().equals("public")));
        out.println(Messages.get("maz2.aws.creating", engine, cidr));
        Stacks.Info db;
        try (Stacks stacks = Stacks.open(rds)) {
            db = stacks.deploy(stack, Stacks.template("database.yaml"), parameters, d.tags(), d.stackRole(), out);
        }
        Map<String, String> o = db.outputs();
        Integer port = o.get("Port") == null ? null : Integer.valueOf(o.get("Port"));
        new Deployment(d.region(), d.student(), d.network(), engine, cidr, d.vpcStack(), stack, o.get("InstanceId"), o.get("Endpoint"), port,
                o.get("SecretArn"), Instant.now().toString(), d.className(), d.stackRole(), d.expires()).save();
        Rds.Instance instance;
        try (Rds api = Rds.open(rds)) {
            instance = api.describe();
        }
        out.println(Messages.get("maz2.aws.vault", instance.id(), instance.engine(), instance.primaryAz(), instance.standbyAz(), instance.multiAz(),
                o.get("Endpoint"), o.get("Port")));
        out.println(Messages.get("maz2.aws.notice"));
        out.println(Messages.get("aws.cost"));
        out.println(Messages.get("aws.teardown.hint"));

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", "aws");
        observed.put("stack", stack);
        observed.put("instance", instance.id());
        observed.put("engine", instance.engine());
        observed.put("primary_az", instance.primaryAz());
        observed.put("standby_az", instance.standbyAz());
        observed.put("multi_az", instance.multiAz());
        observed.put("endpoint", instance.host() + ":" + instance.port());
        boolean passed = instance.multiAz() && instance.primaryAz() != null && instance.standbyAz() != null && !instance.primaryAz().equals(instance.standbyAz());
        evidence.step("maz2", started, passed, observed);
        out.println(Messages.get(passed ? "step.pass" : "step.fail"));
        return passed ? 0 : Problem.CHECK_FAILED;
    }
}
