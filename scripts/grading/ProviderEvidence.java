package grading;

//SOURCES ../aws/Rds.java ../common/Bundle.java ../common/Evidence.java ../common/Messages.java StudentFiles.java

import aws.Rds;
import common.Bundle;
import common.Evidence;
import common.Messages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * With read access to the class's AWS account ("grade --target aws"), RDS's own account of each
 * student's failover beside the bundle's. A student controls their own machine and can hand in a
 * history that agrees with itself; they cannot write RDS's. The instance step 7 names is asked
 * for its events (DescribeEvents keeps 14 days) and its AZs now; every difference becomes a flag
 * for the instructor, who decides: points are never taken on what AWS says alone.
 */
final class ProviderEvidence {
    private ProviderEvidence() {}

    /** Two records of one event: the same message, at the same second give or take. */
    static final Duration SAME_TIME = Duration.ofSeconds(2);
    /** Flags of one kind shown for one student, at most: the instructor needs the fact, not a page of it. */
    static final int AT_MOST = 5;

    // Long because the comparison reads as the instructor would make it: which instance, its events both ways, then its AZs.
    static List<String> flags(Path root, Rds rds) {
        List<String> flags = new ArrayList<>();
        Evidence.Step failover;
        try {
            failover = Files.isRegularFile(root.resolve("maz/steps/maz7.json")) ? StudentFiles.read(root, "maz/steps/maz7.json", Evidence.Step.class) : null;
        } catch (Exception e) {
            return List.of(Messages.get("grade.provider.unreadable", "maz/steps/maz7.json"));
        }
        Object target = failover == null ? null : failover.observed().get("target");
        Object instance = failover == null ? null : failover.observed().get("instance");
        if (!"aws".equals(target) || !(instance instanceof String id) || !id.matches("[A-Za-z][A-Za-z0-9-]{0,62}")) {
            flags.add(Messages.get("grade.provider.not-aws", target == null ? "-" : Bundle.printable(String.valueOf(target))));
            return flags;
        }
        // From the sabotage (step 5) on, when the bundle has it; the half hour before step 7 otherwise.
        Instant sabotage = stepStart(root, "maz5");
        Instant from = sabotage != null ? sabotage : Instant.parse(failover.startedAt()).minus(Duration.ofMinutes(30));
        Instant since = from.minus(Duration.ofMinutes(1));
        List<Rds.Event> theirs;
        try {
            theirs = rds.events(id, since);
        } catch (RuntimeException e) {
            return List.of(Messages.get("grade.provider.unanswered", id, Bundle.printable(String.valueOf(e.getMessage()))));
        }
        List<Rds.Event> ours = new ArrayList<>();
        try {
            if (Files.isRegularFile(root.resolve("maz/" + Rds.EVENTS))) ours.addAll(List.of(StudentFiles.read(root, "maz/" + Rds.EVENTS, Rds.Event[].class)));
        } catch (Exception e) {
            flags.add(Messages.get("grade.provider.unreadable", "maz/" + Rds.EVENTS));
        }
        if (theirs.stream().noneMatch(ProviderEvidence::failover)) flags.add(Messages.get("grade.provider.no-failover", id, since));
        int shown = 0;
        for (Rds.Event e : ours) {
            if (theirs.stream().noneMatch(t -> same(t, e)) && shown++ < AT_MOST) {
                flags.add(Messages.get("grade.provider.not-in-rds", e.time(), Bundle.printable(e.message()), id));
            }
        }
        Instant until = ours.stream().map(Rds.Event::time).max(Instant::compareTo).orElse(Instant.parse(failover.finishedAt()));
        shown = 0;
        for (Rds.Event t : theirs) {
            boolean inWindow = !t.time().isBefore(from.minus(SAME_TIME)) && !t.time().isAfter(until.plus(SAME_TIME));
            if (inWindow && failover(t) && ours.stream().noneMatch(e -> same(t, e)) && shown++ < AT_MOST) {
                flags.add(Messages.get("grade.provider.not-in-bundle", t.time(), t.message(), id));
            }
        }
        Rds.Instance now = rds.describe(id);
        Map<String, Object> order = order(root);
        if (now != null && order != null && order.get("primary_az") != null && !order.get("primary_az").equals(now.primaryAz())) {
            flags.add(Messages.get("grade.provider.az", id, now.primaryAz(), Bundle.printable(String.valueOf(order.get("primary_az")))));
        }
        return flags;
    }

    private static boolean failover(Rds.Event e) {
        return e.categories() != null && e.categories().contains("failover");
    }

    private static boolean same(Rds.Event a, Rds.Event b) {
        return a.message() != null && a.message().equals(b.message()) && b.time() != null
                && Duration.between(a.time(), b.time()).abs().compareTo(SAME_TIME) <= 0;
    }

    private static Instant stepStart(Path root, String step) {
        try {
            String file = "maz/steps/" + step + ".json";
            return Files.isRegularFile(root.resolve(file)) ? Instant.parse(StudentFiles.read(root, file, Evidence.Step.class).startedAt()) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Step 9's new order as the bundle says it, or null. */
    private static Map<String, Object> order(Path root) {
        try {
            return Files.isRegularFile(root.resolve("maz/steps/maz9.json")) ? StudentFiles.read(root, "maz/steps/maz9.json", Evidence.Step.class).observed() : null;
        } catch (Exception e) {
            return null;
        }
    }
}
