///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Evidence.java common/Messages.java common/Problem.java common/Wait.java mission/Journal.java
//SOURCES mission/LivePanel.java mission/LiveView.java region/Region.java
//DESCRIPTION Watch the outage happen: a live panel of the agent's writes, the region's primary and standby, its events and a stopwatch.

// The live view, on its own.
//
//   ./jbang agent --background     the agent writes (step 3)
//   ./jbang watch                  the panel, redrawn four times a second; Ctrl-C to stop watching
//   ./jbang lab failover           in another terminal: watch the bars stop, the stopwatch run, the bars come back in the other AZ
//
// Reads what the proof reads: the agent's journal (evidence/maz/journal.csv) and the region's
// status (or RDS's, with --target aws). Where the output is no terminal, or with --plain, it
// prints one line a second instead.

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
import java.util.function.Supplier;
import mission.Journal;
import mission.LivePanel;
import mission.LiveView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.Region;

@Command(name = "watch")
public class watch extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Mixin LiveView.Plain plain;
    @Option(names = "--seconds", paramLabel = "N", defaultValue = "0", descriptionKey = "watch.seconds") long seconds;

    public static void main(String[] args) {
        System.exit(Cli.run(new watch(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Evidence evidence = evidenceDir.open("maz");
        Path journal = evidence.file(Journal.FILE);
        if (!Files.exists(journal)) throw Problem.failed("watch.no-journal", journal);
        try (Rds api = rds.local() ? null : Rds.open(rds)) {
            Supplier<LivePanel.Region> region = rds.local() ? LiveView.local(Region.load()) : LiveView.rds(api);
            // RDS answers DescribeDBInstances and DescribeEvents within its API limits: every 5 s, not four times a second.
            Duration every = rds.local() ? Duration.ofMillis(250) : Duration.ofSeconds(5);
            if (LiveView.possible(plain.plain)) {
                try (LiveView view = LiveView.start(journal, region, every)) {
                    // Until --seconds, or until Ctrl-C: the view leaves the terminal clean either way.
                    Wait.pause(seconds > 0 ? Duration.ofSeconds(seconds) : Duration.ofDays(3650));
                }
                return 0;
            }
            lines(out, journal, region, seconds > 0 ? Instant.now().plusSeconds(seconds) : Instant.MAX);
        }
        return 0;
    }

    /** One line a second: what the panel would show, for a pipe, a log or CI. */
    private static void lines(PrintWriter out, Path journal, Supplier<LivePanel.Region> region, Instant end) throws Exception {
        LivePanel panel = new LivePanel();
        long[] position = {0};
        while (Instant.now().isBefore(end)) {
            Wait.pause(1000);
            var fresh = Journal.readFrom(journal, position);
            panel.add(fresh);
            panel.region(region.get());
            long acks = fresh.stream().filter(e -> e.outcome() == Journal.Outcome.ack).count();
            long misses = fresh.size() - acks;
            Long running = panel.runningMs(Instant.now());
            out.println(Messages.get("watch.line", Messages.clock(Instant.now()), acks, misses, panel.summary(),
                    running != null ? Messages.get("watch.stopwatch.running", Messages.stopwatch(running))
                            : panel.frozenMs() != null ? Messages.get("watch.stopwatch.last", Messages.stopwatch(panel.frozenMs())) : "-"));
            out.flush();
        }
    }
}
