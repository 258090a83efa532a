///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Aws.java aws/Classroom.java aws/Deployment.java aws/Rds.java aws/Stacks.java common/Cli.java common/Json.java common/Messages.java
//SOURCES common/Problem.java
//DESCRIPTION The instructor's class on one AWS account: its shared VPC and its students' access, what runs for it and at what cost, and its clean-up.

// A class of students on one AWS account, run by its instructor (alias: class).
//
//   ./jbang class up CLASS               the class's VPC, and its students' policy, group and stack role
//   ./jbang class status CLASS [--json]  every student's stacks and instances: state, age, cost so far
//   ./jbang class down CLASS [--expired] [--yes]
//                                        deletes what the Class tag marks (--expired: only what is past
//                                        its Expires tag), lone instances first, the class's own stacks last
//
// Students join with "./jbang maz1 --target aws --class CLASS": their database then sits in the
// class's VPC (one VPC for the class, where one each would exhaust the Region's quota of 5), and
// their stacks run with the class's role. Each student's stacks carry the tags Student, Class and
// Expires (the end of the day, UTC, unless --expires says otherwise).

import aws.Aws;
import aws.Classroom;
import aws.Deployment;
import aws.Rds;
import aws.Stacks;
import common.Cli;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "class", subcommands = {classroom.Up.class, classroom.Status.class, classroom.Down.class})
public class classroom extends Cli.KitCommand {

    public static void main(String[] args) {
        System.exit(Cli.run(new classroom(), args));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return Problem.USAGE;
    }

    /** What every subcommand takes: the class's name, and the AWS account and Region it lives in. */
    static class OnAws {
        @Mixin Aws.Options account;
        @Parameters(index = "0", paramLabel = "CLASS", descriptionKey = "class.name") String name;
        /** The same account, as the RDS and stack clients take it: a class is on AWS, never on the local region. */
        Rds.Options rds;

        String className() {
            if (!name.matches("[a-z][a-z0-9-]{0,30}")) throw Problem.environment("aws.class.invalid", name);
            rds = Rds.Options.onAws(account);
            return name;
        }
    }

    @Command(name = "up")
    static class Up extends Cli.KitCommand {
        @Mixin OnAws where;
        @Option(names = "--network", paramLabel = "public|private", defaultValue = "public", descriptionKey = "aws.network") String network;
        @Option(names = "--expires", paramLabel = "WHEN", descriptionKey = "aws.expires") String expires;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String name = where.className();
            if (!network.equals("public") && !network.equals("private")) throw Problem.environment("aws.network.invalid", network);
            Deployment.Options o = new Deployment.Options();
            o.expires = expires;
            Map<String, String> tags = Deployment.tags(Classroom.owner(name), name, o.expires());
            out.println(Messages.get("class.up.title", name));
            try (Stacks stacks = Stacks.open(where.rds)) {
                Stacks.Info access = stacks.deploy(Classroom.accessStack(name), Stacks.template("class-access.yaml"), Map.of("ClassName", name), tags, out);
                Stacks.Info vpc = stacks.deploy(Classroom.vpcStack(name), Stacks.template("vpc-" + network + ".yaml"), Map.of("Student", Classroom.owner(name)), tags, out);
                out.println(Messages.get("class.up.done", name, vpc.outputs().get("Az1"), vpc.outputs().get("Az2"), access.outputs().get("Group"), tags.get("Expires")));
            }
            out.println(Messages.get("class.up.next", name));
            return 0;
        }
    }

    @Command(name = "status")
    static class Status extends Cli.KitCommand {
        @Mixin OnAws where;
        @Option(names = "--json", descriptionKey = "option.json") boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String name = where.className();
            Instant now = Instant.now();
            List<Classroom.Item> all;
            try (Stacks stacks = Stacks.open(where.rds); Rds rds = Rds.account(where.rds)) {
                all = Classroom.list(stacks, rds, name);
            }
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("class", name);
                o.put("at", now.toString());
                o.putAll(Classroom.summary(all, now));
                List<Map<String, Object>> items = new ArrayList<>();
                for (Classroom.Item i : all) {
                    Map<String, Object> m = new LinkedHashMap<>(Json.toMap(i));
                    m.put("age_seconds", i.age(now) == null ? null : i.age(now).toSeconds());
                    m.put("usd_so_far", i.usdSoFar(now) == null ? null : Math.round(i.usdSoFar(now) * 100) / 100.0);
                    m.put("expired", i.expired(now));
                    items.add(m);
                }
                o.put("items", items);
                out.println(Json.write(o));
                return 0;
            }
            print(out, name, all, now);
            return 0;
        }

        static void print(PrintWriter out, String name, List<Classroom.Item> all, Instant now) {
            out.println(Messages.get("class.status.title", name));
            if (all.isEmpty()) {
                out.println(Messages.get("class.status.empty", name));
                return;
            }
            out.printf("  %-16s %-9s %-34s %-22s %8s %9s  %s%n", Messages.get("class.col.student"), Messages.get("class.col.kind"), Messages.get("class.col.name"),
                    Messages.get("class.col.status"), Messages.get("class.col.age"), Messages.get("class.col.cost"), Messages.get("class.col.expires"));
            for (Classroom.Item i : all) {
                Duration age = i.age(now);
                Double usd = i.usdSoFar(now);
                out.printf("  %-16s %-9s %-34s %-22s %8s %9s  %s%s%n", i.student() == null ? "-" : i.student(), i.kind(), i.name(), i.status(),
                        age == null ? "-" : age.toHours() + "h" + String.format("%02d", age.toMinutesPart()), usd == null ? "-" : String.format(java.util.Locale.ROOT, "%.2f", usd),
                        i.expires() == null ? "-" : i.expires(), i.expired(now) ? " " + Messages.get("class.expired") : "");
            }
            Map<String, Object> s = Classroom.summary(all, now);
            out.println(Messages.get("class.status.total", s.get("students"), s.get("usd_so_far"), s.get("usd_per_hour_now")));
        }
    }

    @Command(name = "down")
    static class Down extends Cli.KitCommand {
        @Mixin OnAws where;
        @Option(names = "--expired", descriptionKey = "class.down.expired") boolean expiredOnly;
        @Option(names = "--yes", descriptionKey = "class.down.yes") boolean yes;

        // Long because the clean-up reads in the order it runs: list, confirm, delete each in turn, then say what is left.
        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            String name = where.className();
            Instant now = Instant.now();
            try (Stacks stacks = Stacks.open(where.rds); Rds rds = Rds.account(where.rds)) {
                List<Classroom.Item> chosen = Classroom.toDelete(Classroom.list(stacks, rds, name), expiredOnly, now);
                if (chosen.isEmpty()) {
                    out.println(Messages.get(expiredOnly ? "class.down.nothing-expired" : "class.down.nothing", name));
                    return 0;
                }
                out.println(Messages.get("class.down.list", chosen.size(), name));
                for (Classroom.Item i : chosen) out.println("  " + i.kind() + "  " + i.name() + "  (" + (i.student() == null ? "-" : i.student()) + ", " + i.status() + ")");
                if (!yes && !confirmed(out)) {
                    out.println(Messages.get("class.down.cancelled"));
                    return Problem.CHECK_FAILED;
                }
                for (Classroom.Item i : chosen) {
                    if (i.kind().equals(Classroom.Item.INSTANCE)) {
                        out.println(Messages.get("class.down.instance", i.name()));
                        rds.delete(i.name());
                        rds.waitDeleted(i.name(), aws.Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(30));
                    } else {
                        stacks.delete(i.name(), true, out);
                    }
                }
                List<Classroom.Item> left = Classroom.toDelete(Classroom.list(stacks, rds, name), expiredOnly, Instant.now());
                left.removeIf(i -> !chosen.stream().map(Classroom.Item::name).toList().contains(i.name()));
                if (!left.isEmpty()) {
                    left.forEach(i -> out.println("  " + i.kind() + "  " + i.name() + "  " + i.status()));
                    throw Problem.failed("class.down.left", left.size());
                }
                List<Classroom.Item> rest = Classroom.list(stacks, rds, name);
                out.println(rest.isEmpty() ? Messages.get("class.down.clean", name) : Messages.get("class.down.kept", rest.size(), name));
                return 0;
            }
        }

        /** Asks on the terminal; no answer (a script, a closed input) is a no. */
        private static boolean confirmed(PrintWriter out) {
            out.print(Messages.get("class.down.confirm"));
            out.flush();
            try {
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                return line != null && (line.trim().equalsIgnoreCase("yes") || line.trim().equalsIgnoreCase("oui"));
            } catch (java.io.IOException e) {
                return false;
            }
        }
    }
}
