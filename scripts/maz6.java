///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Evidence.java common/Messages.java common/Problem.java common/Wait.java mission/Agent.java
//SOURCES mission/Journal.java mission/LiveView.java mission/OrdinaryClient.java mission/Proof.java region/Region.java
//DESCRIPTION Mission step 6, turbulence: follow the agent through the outage, from the last write before it to the first one after.

// Step 6 of Operation DB007: turbulence.
//
//   ./jbang maz6
//
// Reads the agent's journal as it grows, from the moment of the sabotage (step 5): when the
// writes stopped, which errors the application saw and how many, and when writes came back and
// on which AZ. This is the outage the application went through, not the one the RDS console tells.

import aws.Rds;
import common.Cli;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.Journal;
import mission.LiveView;
import mission.OrdinaryClient;
import mission.Proof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.Region;

@Command(name = "maz6")
public class maz6 extends Cli.KitCommand {
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "120", descriptionKey = "maz6.timeout") long timeout;
    @Mixin Rds.Options rds;
    @Mixin LiveView.Plain plain;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz6(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz6.title"));
        Evidence evidence = evidenceDir.open("maz");
        Path journal = evidence.file(Journal.FILE);
        if (!Files.exists(journal)) throw Problem.failed("maz6.no-journal", journal);
        Evidence.Sabotage sabotage = evidence.sabotage();
        Instant since = sabotage == null ? started : sabotage.requestedAt();

        // In a terminal the panel shows the outage as it happens; the lines below come once it is over.
        boolean live = LiveView.possible(plain.plain);
        Follower f = LiveView.around(live, out, journal, live && rds.local() ? LiveView.local(Region.load()) : () -> null, Duration.ofMillis(250), lines -> {
            Follower follower = new Follower(journal, since, sabotage != null, lines);
            try {
                Wait.until("the writes to stop and come back", Duration.ofSeconds(timeout), Duration.ofMillis(20), () -> {
                    if (follower.look()) return true;
                    requireAgentAlive(evidence);
                    return false;
                });
            } catch (Wait.TimedOut e) {
                throw Problem.failed("maz6.timeout.reached", timeout, follower.recovery.lastAck() == null ? "-" : Messages.clock(follower.recovery.lastAck().doneAt()));
            }
            return follower;
        });
        List<Journal.Entry> seen = f.seen;
        Journal.Entry firstMiss = f.firstMiss;
        Journal.Entry resumed = f.recovery.resumed();
        Map<String, Integer> errors = f.errors;
        long longestRetryGapMs = f.longestRetryGapMs;
        // The figures below are the proof's own (step 8), computed the same way from the same journal.
        Proof.Outage outage = Proof.Outage.of(seen, sabotage == null ? null : sabotage.requestedAt());
        out.println(Messages.get("maz6.resumed", Messages.clock(resumed.doneAt()), resumed.seq(), resumed.az()));
        if (outage != null) {
            out.println(Messages.get("maz6.outage", outage.ms(), Messages.clock(outage.lastAck().doneAt()), outage.lastAck().seq(),
                    Messages.clock(outage.firstAck().doneAt()), outage.firstAck().seq()));
            out.println(Messages.get("maz6.missed", outage.missed(), outage.failed(), outage.unknown()));
            if (outage.firstMiss() != null) {
                out.println(Messages.get("maz6.first-miss", outage.firstMissToSuccessMs(), outage.firstMiss().seq(), Messages.clock(outage.firstMiss().sentAt())));
            }
        }
        out.println(Messages.get("maz6.notice", outage == null ? 0 : outage.missed(), longestRetryGapMs));
        Map<String, Object> ordinary = ordinary(evidence, sabotage, out);

        Map<String, Object> observed = new LinkedHashMap<>();
        observed.put("last_ack_before", outage == null ? null : Map.of("seq", outage.lastAck().seq(), "at", outage.lastAck().doneAt().toString(),
                "az", String.valueOf(outage.lastAck().az())));
        observed.put("first_error", firstMiss == null ? null : Map.of("seq", firstMiss.seq(), "at", firstMiss.doneAt().toString(), "sent_at", firstMiss.sentAt().toString()));
        observed.put("first_ack_after", outage == null ? null : Map.of("seq", outage.firstAck().seq(), "at", outage.firstAck().doneAt().toString(),
                "az", String.valueOf(outage.firstAck().az())));
        observed.put("outage_ms", outage == null ? null : outage.ms());
        observed.put("failed", outage == null ? 0 : outage.failed());
        observed.put("unknown", outage == null ? 0 : outage.unknown());
        observed.put("errors", errors);
        observed.put("longest_retry_gap_ms", longestRetryGapMs);
        if (ordinary != null) observed.put("ordinary_client", ordinary);
        evidence.step("maz6", started, true, observed);
        return 0;
    }

    /**
     * The ordinary client beside the agent (a typical pool's settings, no retry): its own outage,
     * measured the same way from its own journal, or how long it has waited so far when its write
     * still hangs on a connection the fault left silent; and why the two differ.
     */
    private static Map<String, Object> ordinary(Evidence evidence, Evidence.Sabotage sabotage, PrintWriter out) {
        Path file = evidence.file(OrdinaryClient.FILE);
        if (!Files.exists(file)) return null;
        List<Journal.Entry> entries = Journal.read(file);
        Instant since = sabotage == null ? Instant.MIN : sabotage.requestedAt();
        Journal.Entry lastAck = entries.stream().filter(e -> e.outcome() == Journal.Outcome.ack).reduce((a, b) -> b).orElse(null);
        long failed = entries.stream().filter(e -> e.outcome() != Journal.Outcome.ack && !e.sentAt().isBefore(since)).count();
        Map<String, Object> o = new LinkedHashMap<>();
        long waiting = lastAck == null ? 0 : Proof.millisBetween(lastAck.doneAt(), Instant.now());
        // Its last write before the outage is its last write so far: it is still waiting, on a connection that hangs.
        if (lastAck != null && waiting > 2 * Proof.Recovery.SILENCE.toMillis()) {
            out.println(Messages.get("maz6.ordinary.waiting", Messages.stopwatch(waiting)));
            o.put("waiting_ms", waiting);
        } else {
            Proof.Outage outage = Proof.Outage.of(entries, sabotage == null ? null : sabotage.requestedAt());
            long ms = outage == null ? 0 : outage.ms();
            out.println(Messages.get("maz6.ordinary", ms, failed));
            o.put("outage_ms", ms);
        }
        o.put("failed_not_retried", failed);
        out.println(Messages.get("maz6.ordinary.notice"));
        return o;
    }

    /**
     * Follows the journal as it grows, from the sabotage on, printing the last write before the
     * outage and each kind of error once as they come, until the first acknowledged write after it.
     */
    private static final class Follower {
        final Path journal;
        final Instant since;
        final PrintWriter out;
        final long[] position = {0};
        final List<Journal.Entry> seen = new ArrayList<>();
        final Map<String, Integer> errors = new LinkedHashMap<>();
        /** After a sabotage every fault fails over: writes are back only from another server than the one before it. */
        final Proof.Recovery recovery;
        Journal.Entry firstMiss;
        /** How long the agent left between an attempt not acknowledged and its next try: what the notice reports. */
        long longestRetryGapMs;

        Follower(Path journal, Instant since, boolean failover, PrintWriter out) {
            this.journal = journal;
            this.since = since;
            this.recovery = new Proof.Recovery(since, failover);
            this.out = out;
        }

        /**
         * Reads what the journal gained, printing the last write before the outage and each kind
         * of error once; true once writes are back and settled ({@link Proof.Recovery}). It reads
         * no further, as the proof counts no further: the same journal gives the same outage.
         */
        boolean look() throws Exception {
            for (Journal.Entry e : Journal.readFrom(journal, position)) {
                seen.add(e);
                if (!e.doneAt().isBefore(since)) {
                    Journal.Entry previousMiss = recovery.previousMiss();
                    if (previousMiss != null) longestRetryGapMs = Math.max(longestRetryGapMs, Proof.millisBetween(previousMiss.doneAt(), e.sentAt()));
                    if (e.outcome() != Journal.Outcome.ack) noticeMiss(e, recovery.lastAck());
                }
                if (recovery.take(e)) break;
            }
            out.flush();
            return recovery.settled();
        }

        private void noticeMiss(Journal.Entry e, Journal.Entry lastAck) {
            if (firstMiss == null) {
                firstMiss = e;
                out.println(Messages.get("maz6.stopped", lastAck == null ? "-" : Messages.clock(lastAck.doneAt()), lastAck == null ? 0 : lastAck.seq(),
                        lastAck == null ? "-" : lastAck.az()));
            }
            String kind = e.outcome() + ": " + (e.error() == null ? "?" : e.error());
            if (errors.merge(kind, 1, Integer::sum) == 1) {
                out.println(Messages.get("maz6.error", Messages.clock(e.doneAt()), e.seq(), Messages.clock(e.sentAt()), kind));
            }
        }
    }

    private static void requireAgentAlive(Evidence evidence) throws Exception {
        Agent.Summary agent = Agent.Summary.read(evidence);
        if (agent == null || !agent.running()) throw Problem.failed("maz6.agent.stopped");
    }

}
