///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Evidence.java common/Messages.java common/Problem.java common/Wait.java mission/Journal.java
//SOURCES mission/LiveView.java region/Region.java
//DESCRIPTION Mission step 7, reorg: wait for the standby's promotion and the agent's writes on it; show the failover events.

// Step 7 of Operation DB007: reorganisation.
//
//   ./jbang maz7
//
// Waits until the RDS API shows the primary in the other AZ and the instance available again,
// and until the agent's writes are acknowledged there. Then lists the failover events RDS
// recorded (DescribeEvents). Those events are the control plane's view: they are not the RTO;
// step 8 measures the RTO from the agent's own journal.

import aws.Rds;
import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mission.Journal;
import mission.LiveView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.Region;

@Command(name = "maz7")
public class maz7 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Mixin LiveView.Plain plain;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600", descriptionKey = "maz7.timeout") long timeout;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz7(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz7.title"));
        Evidence evidence = evidenceDir.open("maz");
        Evidence.Sabotage sabotage = evidence.sabotage();
        if (sabotage == null) throw Problem.failed("maz7.no-sabotage");
        String before = sabotage.primaryAzBefore();
        Instant requested = sabotage.requestedAt();

        Rds.Instance now;
        List<Rds.Event> events;
        try (Rds api = Rds.open(rds)) {
            // In a terminal the panel shows the reorganisation as it happens; the lines below come once it is over.
            boolean live = LiveView.possible(plain.plain) && Files.exists(evidence.file(Journal.FILE));
            now = LiveView.around(live, out, evidence.file(Journal.FILE), live ? (rds.local() ? LiveView.local(Region.load()) : LiveView.rds(api)) : () -> null,
                    rds.local() ? Duration.ofMillis(250) : Duration.ofSeconds(5), lines -> {
                        // Each new status is printed as RDS gives it, until the primary has moved and the instance is available.
                        var last = new Object() {
                            Rds.Instance now;
                            String status;
                        };
                        Wait.within(Duration.ofSeconds(timeout), Duration.ofMillis(rds.local() ? 50 : 5000), () -> {
                            last.now = api.describe();
                            if (!last.now.status().equals(last.status)) {
                                lines.println(Messages.get("maz7.status", Messages.clock(Instant.now()), last.now.status(), last.now.primaryAz()));
                                last.status = last.now.status();
                            }
                            return !before.equals(last.now.primaryAz()) && "available".equals(last.now.status());
                        });
                        if (before.equals(last.now.primaryAz())) throw Problem.failed("maz7.timeout.reached", timeout, before);
                        Journal.Entry firstOnNew = waitForWriteOn(evidence, last.now.primaryAz(), requested);
                        lines.println(Messages.get("maz7.promoted", last.now.primaryAz(), firstOnNew.seq(), Messages.clock(firstOnNew.doneAt())));
                        return last.now;
                    });
            events = api.events(requested.minusSeconds(1));
        }
        out.println(Messages.get("maz7.events"));
        for (Rds.Event e : events) out.println("  " + Messages.clock(e.time()) + "  [" + String.join(",", e.categories()) + "] " + Rds.describe(e));
        // The control plane's account of the failover beside the outage the agent lived, both measured.
        Instant eventsFrom = firstEvent(events, "failover started");
        Instant eventsTo = firstEvent(events, "failover completed");
        long agentOutageMs = longestSilence(evidence, requested);
        if (eventsFrom != null && eventsTo != null) {
            out.println(Messages.get("maz7.notice", Messages.seconds(Duration.between(eventsFrom, eventsTo).toMillis() / 1000.0),
                    Messages.seconds(agentOutageMs / 1000.0)));
        } else {
            out.println(Messages.get("maz7.notice.partial", Messages.seconds(agentOutageMs / 1000.0)));
        }

        evidence.write(Rds.EVENTS, events);
        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("target", rds.target);
        observed.put("instance", now.id());
        observed.put("primary_az_after", now.primaryAz());
        observed.put("status", now.status());
        observed.put("events", events.size());
        evidence.step("maz7", started, true, observed);
        return 0;
    }

    /** When the first event whose text says this happened, or null. */
    private static Instant firstEvent(List<Rds.Event> events, String says) {
        return events.stream().filter(e -> e.message().toLowerCase(java.util.Locale.ROOT).contains(says)).map(Rds.Event::time).findFirst().orElse(null);
    }

    /** The longest time without an acknowledged write since the sabotage, from the agent's journal. */
    private static long longestSilence(Evidence evidence, Instant since) throws Exception {
        long longest = 0;
        Instant previous = null;
        for (Journal.Entry e : Journal.readFrom(evidence.file(Journal.FILE), new long[] {0})) {
            if (e.outcome() != Journal.Outcome.ack) continue;
            if (previous != null && e.doneAt().isAfter(since)) longest = Math.max(longest, Duration.between(previous, e.doneAt()).toMillis());
            previous = e.doneAt();
        }
        return longest;
    }

    /** The first acknowledged write after the sabotage that the new primary's AZ took. */
    private static Journal.Entry waitForWriteOn(Evidence evidence, String az, Instant after) throws Exception {
        long[] position = {0};
        try {
            return Wait.until("an acknowledged write on " + az, Duration.ofSeconds(60), Duration.ofMillis(20), () -> {
                for (Journal.Entry e : Journal.readFrom(evidence.file(Journal.FILE), position)) {
                    // On RDS the server cannot say its AZ (az is empty): any write after the sabotage then counts.
                    if (e.outcome() == Journal.Outcome.ack && e.doneAt().isAfter(after) && (e.az() == null || e.az().equals(az))) return e;
                }
                return null;
            });
        } catch (Wait.TimedOut e) {
            throw Problem.failed("maz7.no-writes", az);
        }
    }

}
