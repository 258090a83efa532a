///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Aws.java aws/Deployment.java aws/Identity.java aws/Rds.java aws/Stacks.java common/Cli.java common/Messages.java common/Problem.java
//SOURCES mission/CrossRegion.java
//DESCRIPTION Mission on AWS: delete the database and VPC stacks, then check that nothing billable is left.

// The end of the mission on AWS: nothing may keep costing.
//
//   ./jbang teardown --target aws            the stacks maz1 and maz2 made for you
//   ./jbang teardown --target aws --student alice --region eu-west-3
//
// Deletes the database stack, then the VPC stack (in that order: the database sits in the VPC's
// subnets), showing their events. Then asks RDS itself whether the instance or a manual snapshot
// of it is left: a stack can be gone while something it made is not. Exit 0 only when nothing is.
// For the local region, ./jbang lab down --purge does the same.

import aws.Aws;
import aws.Deployment;
import aws.Identity;
import aws.Rds;
import aws.Stacks;
import common.Cli;
import common.Messages;
import common.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import mission.CrossRegion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "teardown")
public class teardown extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Deployment.Options aws;
    @Option(names = "--dr-endpoint-url", paramLabel = "URL", descriptionKey = "maz11.dr-endpoint-url") java.net.URI drEndpoint;

    public static void main(String[] args) {
        System.exit(Cli.run(new teardown(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (rds.local()) throw Problem.environment("teardown.local");
        out.println(Messages.get("teardown.title"));
        Deployment d = Deployment.load();
        String student = aws.student(d, () -> Identity.of(rds).name());
        String instance = rds.instance != null ? rds.instance : d != null && d.instance() != null ? d.instance() : "db007-" + student;
        rds.instance = instance;
        List<String> left = new ArrayList<>();
        otherRegion(student, left, out);
        // Step 10's restored instance first: it lives in the database stack's subnet group, which cannot go while it is there.
        String restored = instance + "-restored";
        try (Rds api = Rds.open(rds)) {
            if (api.describe(restored) != null) {
                out.println(Messages.get("teardown.restored", restored));
                api.delete(restored);
                api.waitDeleted(restored, Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(30));
            }
        }
        // In a class the VPC is the class's, and its instructor's to delete ("class down"): a student deletes their database only.
        boolean inClass = d != null && d.className() != null && student.equals(d.student());
        try (Stacks stacks = Stacks.open(rds)) {
            for (String stack : inClass ? List.of(Deployment.databaseStack(student)) : List.of(Deployment.databaseStack(student), Deployment.vpcStack(student))) {
                stacks.delete(stack, out);
                if (stacks.find(stack) != null) left.add("CloudFormation stack " + stack);
            }
        }
        try (Rds api = Rds.open(rds)) {
            left.addAll(api.leftovers());
            if (api.describe(restored) != null) left.add("DB instance " + restored);
        }
        if (!left.isEmpty()) {
            left.forEach(l -> out.println("  " + l));
            throw Problem.failed("teardown.left", String.join(", ", left));
        }
        if (Files.exists(Deployment.file())) {
            // Kept, renamed, as a record of what was deployed; nothing reads it any more.
            Files.move(Deployment.file(), Deployment.file().resolveSibling("deployment-" + Instant.now().toString().replaceAll("[:.]", "") + ".json"));
        }
        out.println(Messages.get("teardown.clean", student, instance));
        return 0;
    }

    /** Step 11's read replica (promoted or not) and its network, in the other Region, first: they cost too. */
    private void otherRegion(String student, List<String> left, PrintWriter out) throws Exception {
        java.nio.file.Path file = CrossRegion.onAws();
        if (!Files.exists(file)) return;
        CrossRegion.Replica r = common.Json.read(file, CrossRegion.Replica.class);
        try (Rds other = Rds.otherRegion(rds, r.region(), drEndpoint)) {
            if (other.describe(r.instance()) != null) {
                out.println(Messages.get("teardown.replica", r.instance(), r.region()));
                other.delete(r.instance());
                other.waitDeleted(r.instance(), Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(30));
            }
            if (other.describe(r.instance()) != null) left.add("DB instance " + r.instance() + " in " + r.region());
        }
        try (Stacks stacks = Stacks.open(rds, r.region())) {
            for (String stack : List.of("db007-" + student + "-dr-net", "db007-" + student + "-dr-vpc")) {
                stacks.delete(stack, out);
                if (stacks.find(stack) != null) left.add("CloudFormation stack " + stack + " in " + r.region());
            }
        }
        if (left.isEmpty()) Files.delete(file);
    }
}
