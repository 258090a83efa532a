package aws;

//SOURCES Rds.java Stacks.java

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A class on one AWS account. The instructor deploys the class's own stacks once: its VPC, which
 * every student's database then sits in, and its access (cloudformation/class-access.yaml: the
 * students' policy, their group, and the role their stacks run with). Everything of the class,
 * the students' stacks and the instances RDS made for them, carries the Class tag: this is how
 * "class status" finds it and "class down" deletes it.
 */
public final class Classroom {
    private Classroom() {}

    public static String vpcStack(String className) {
        return "db007-class-" + className + "-vpc";
    }

    public static String accessStack(String className) {
        return "db007-class-" + className + "-access";
    }

    /** The Student tag of the class's own stacks; Deployment refuses it as a student's name. */
    public static String owner(String className) {
        return "class-" + className;
    }

    /**
     * The on-demand prices the kit quotes (db.t3.micro with 20 GB of gp3 in us-east-1, from the
     * RDS pricing page, in USD an hour; most other Regions cost a little more); null for a class
     * of instance the kit does not create. Stacks and VPCs cost nothing by themselves.
     */
    static Double usdPerHour(String instanceClass, boolean multiAz) {
        if (!"db.t3.micro".equals(instanceClass)) return null;
        return multiAz ? 0.04 : 0.02;
    }

    /**
     * One thing the class tag marks: a stack, or an instance. An instance a stack made is deleted
     * with its stack ("stack" names it); one made outside a stack (a point-in-time restore, a
     * replica) is deleted on its own, and first, since it sits in a stack's subnets.
     */
    public record Item(String kind, String name, String student, String status, String created, String expires, Double usdPerHour, String stack) {
        public static final String STACK = "stack";
        public static final String INSTANCE = "instance";

        public boolean expired(Instant now) {
            return expires != null && Instant.parse(expires).isBefore(now);
        }

        public Duration age(Instant now) {
            return created == null ? null : Duration.between(Instant.parse(created), now);
        }

        /** What it has cost since it was created, at the price above; null when unknown. */
        public Double usdSoFar(Instant now) {
            Duration age = age(now);
            return usdPerHour == null || age == null ? null : usdPerHour * age.toMillis() / 3_600_000.0;
        }

        /** The class's own stacks go last: every student's database depends on its VPC. */
        boolean classOwn() {
            return kind.equals(STACK) && name.startsWith("db007-class-");
        }
    }

    /** Everything the class tag marks in this Region, in the order "class down" deletes it. */
    public static List<Item> list(Stacks stacks, Rds rds, String className) {
        List<Item> all = new ArrayList<>();
        for (Rds.Tagged i : rds.tagged("Class", className)) {
            all.add(new Item(Item.INSTANCE, i.id(), i.tags().get("Student"), i.status(), i.created() == null ? null : i.created().toString(),
                    i.tags().get("Expires"), usdPerHour(i.instanceClass(), i.multiAz()), i.tags().get("aws:cloudformation:stack-name")));
        }
        for (Stacks.Info s : stacks.tagged("Class", className)) {
            all.add(new Item(Item.STACK, s.name(), s.tags().get("Student"), s.status(), s.created() == null ? null : s.created().toString(),
                    s.tags().get("Expires"), null, null));
        }
        all.sort(Comparator.comparingInt(Classroom::deletionOrder).thenComparing(Item::name));
        return all;
    }

    /** Lone instances, then the students' stacks (a database before the network it uses), then the class's VPC, then its access. */
    static int deletionOrder(Item i) {
        if (i.kind().equals(Item.INSTANCE)) return i.stack() == null ? 0 : 1;
        if (i.classOwn()) return i.name().endsWith("-access") ? 5 : 4;
        return i.name().endsWith("-vpc") ? 3 : 2;
    }

    /** The class's stacks and lone instances that "class down" deletes: all of them, or only those past their expiry. */
    public static List<Item> toDelete(List<Item> all, boolean expiredOnly, Instant now) {
        List<Item> chosen = new ArrayList<>();
        for (Item i : all) {
            if (i.kind().equals(Item.INSTANCE) && i.stack() != null) continue;
            if (expiredOnly && !i.expired(now)) continue;
            chosen.add(i);
        }
        // The class's own stacks only once nothing of its students is left: their databases sit in its VPC.
        boolean studentsLeft = all.stream().anyMatch(i -> !i.classOwn() && (i.kind().equals(Item.STACK) || i.stack() == null) && !chosen.contains(i));
        if (studentsLeft) chosen.removeIf(Item::classOwn);
        return chosen;
    }

    /** For the table: the stacks' statuses and instances' as AWS gives them, a cost only where one is known. */
    public static Map<String, Object> summary(List<Item> all, Instant now) {
        double cost = all.stream().map(i -> i.usdSoFar(now)).filter(c -> c != null).mapToDouble(Double::doubleValue).sum();
        double hourly = all.stream().filter(i -> i.kind().equals(Item.INSTANCE) && i.usdPerHour() != null && !i.status().equals("deleting"))
                .mapToDouble(Item::usdPerHour).sum();
        long students = all.stream().map(Item::student).filter(s -> s != null && !s.startsWith("class-")).distinct().count();
        return Map.of("students", students, "usd_so_far", Math.round(cost * 100) / 100.0, "usd_per_hour_now", Math.round(hourly * 100) / 100.0);
    }
}
