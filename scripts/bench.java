///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Agent.java common/Cli.java common/Database.java common/Evidence.java common/Home.java common/Journal.java common/Json.java
//SOURCES common/Messages.java common/Problem.java common/Proof.java common/Rds.java common/Region.java region/LocalRegion.java region/Processes.java
//DESCRIPTION Benchmark: N planned and N crash failovers of the local region with the agent writing; RTO, lost writes and throughput.

// The kit's speed targets, measured rather than asserted in a unit test.
//
//   ./jbang bench                   5 planned and 5 crash failovers
//   ./jbang bench --failovers 10    10 of each (20 in all)
//
// The agent writes all along. Each failover's RTO is the longest time without an acknowledged
// write from its trigger to the next one; at the end every acknowledged write is checked in the
// database (lost writes must be 0). Prints a table and writes the figures as JSON.

import common.Agent;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Home;
import common.Journal;
import common.Json;
import common.Messages;
import common.Problem;
import common.Proof;
import common.Rds;
import common.Region;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import region.LocalRegion;
import region.Processes;

@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class)
public class bench implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Cli.Options cli;
    @Option(names = "--failovers", paramLabel = "N", defaultValue = "5", descriptionKey = "bench.failovers") int failovers;
    @Option(names = "--baseline", paramLabel = "SECONDS", defaultValue = "5", descriptionKey = "bench.baseline") double baseline;
    @Option(names = "--out", paramLabel = "FILE", descriptionKey = "bench.out") Path outFile;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;

    public static void main(String[] args) {
        System.exit(Cli.run(new bench(), args));
    }

    /** One failover as the agent lived it. */
    record Run(String kind, String trigger, String from, String to, Long rtoMs, long failoverMs) {}

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
        LocalRegion.up(Home.dir(), null, null, quiet, true);
        Region.State state = LocalRegion.requireState(Home.dir());
        Path dir = Home.bench().resolve(Instant.now().toString().replaceAll("[:.]", ""));
        Evidence evidence = new Evidence(dir);
        Rds.Options options = new Rds.Options();
        options.target = "local";
        options.instance = Region.INSTANCE_ID;

        Agent agent = new Agent(options, evidence, Duration.ZERO, quiet, false);
        Thread agentThread = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "agent");
        agentThread.start();
        Thread.sleep((long) (baseline * 1000));
        Instant firstTrigger = Instant.now();

        List<Instant> triggers = new ArrayList<>();
        List<String> kinds = new ArrayList<>();
        List<Long> failoverMs = new ArrayList<>();
        try (Rds api = Rds.open(options)) {
            for (int i = 0; i < 2 * failovers; i++) {
                String kind = i % 2 == 0 ? "planned" : "crash";
                Region.Status before = LocalRegion.requireHealthy(state);
                Instant t = Instant.now();
                if (kind.equals("planned")) api.rebootWithFailover();
                else Processes.killIn(Path.of(state.dataRoot(), before.primaryAz()));
                Region.Status after = LocalRegion.waitUntil(state, quiet, true, s -> !before.primaryAz().equals(s.primaryAz()) && s.healthy(),
                        Duration.ofMinutes(2), t);
                triggers.add(t);
                kinds.add(kind);
                failoverMs.add(after.events().stream().filter(e -> e.type().equals("failover-completed") && !Instant.parse(e.time()).isBefore(t))
                        .map(e -> Duration.between(t, Instant.parse(e.time())).toMillis()).findFirst().orElse(-1L));
                if (!json) out.printf(Locale.ROOT, "  %2d/%d %-8s %s -> %s%n", i + 1, 2 * failovers, kind, before.primaryAz(), after.primaryAz());
                out.flush();
                Thread.sleep(500);
            }
        } finally {
            Agent.requestStop(evidence);
            agentThread.join(30_000);
        }

        List<Journal.Entry> journal = Journal.read(evidence.file(Journal.FILE));
        Agent.Summary summary = Agent.Summary.read(evidence);
        Database.Login login = new Database.Login("postgres", "127.0.0.1", state.endpointPort(), Region.MASTER_USER, Region.password(Home.dir()), Region.DATABASE, null);
        Map<Long, Proof.Row> rows = Proof.fetchRows(login, summary.runId());
        Proof proof = Proof.compute(summary.runId(), journal, rows, firstTrigger);
        List<Journal.Entry> acks = Proof.acknowledged(journal);
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < triggers.size(); i++) {
            Instant to = i + 1 < triggers.size() ? triggers.get(i + 1) : Instant.MAX;
            Journal.Entry[] gap = Proof.longestGap(acks, triggers.get(i), to);
            runs.add(new Run(kinds.get(i), triggers.get(i).toString(), gap == null ? null : gap[0].doneAt().toString(),
                    gap == null ? null : gap[1].doneAt().toString(), gap == null ? null : Duration.between(gap[0].doneAt(), gap[1].doneAt()).toMillis(),
                    failoverMs.get(i)));
        }

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version"),
                "postgres", state.pgVersion()));
        for (String kind : List.of("planned", "crash")) {
            List<Long> rto = runs.stream().filter(r -> r.kind().equals(kind) && r.rtoMs() != null).map(Run::rtoMs).sorted().toList();
            result.put(kind, stats(rto));
        }
        result.put("failovers", runs.size());
        result.put("acknowledged_writes", proof.acknowledgedWrites());
        result.put("lost_writes", proof.lostWrites());
        result.put("corrupt_rows", proof.corruptRows());
        result.put("unknown_writes", proof.unknownWrites());
        result.put("steady_writes_per_second", proof.steadyWritesPerSecond());
        result.put("runs", runs);
        Path file = outFile != null ? outFile : dir.resolve("bench.json");
        Files.writeString(file, Json.write(result));

        if (json) {
            out.println(Json.write(result));
        } else {
            out.println();
            out.println(Messages.get("bench.header"));
            for (String kind : List.of("planned", "crash")) {
                @SuppressWarnings("unchecked") Map<String, Object> s = (Map<String, Object>) result.get(kind);
                out.printf(Locale.ROOT, "  %-8s %5s %8s %8s %8s%n", kind, s.get("count"), s.get("min_ms"), s.get("median_ms"), s.get("max_ms"));
            }
            out.println(Messages.get("bench.totals", proof.acknowledgedWrites(), proof.lostWrites(), proof.unknownWrites(), proof.corruptRows(),
                    proof.steadyWritesPerSecond()));
            out.println(Messages.get("bench.written", file));
        }
        return proof.lostWrites() == 0 && proof.corruptRows() == 0 ? 0 : Problem.CHECK_FAILED;
    }

    private static Map<String, Object> stats(List<Long> sorted) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", sorted.size());
        s.put("min_ms", sorted.isEmpty() ? null : sorted.get(0));
        s.put("median_ms", sorted.isEmpty() ? null : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2);
        s.put("max_ms", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
        return s;
    }
}
