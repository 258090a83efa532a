///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Home.java common/Json.java common/Messages.java
//SOURCES common/Problem.java common/Wait.java mission/Agent.java mission/AgentProcess.java mission/Journal.java mission/Proof.java region/BarePair.java region/Faults.java
//SOURCES region/LocalRegion.java region/Region.java region/Topology.java region/Witness.java
//DESCRIPTION Benchmark: the local region through many faults with two writers; outage, unprotected window, throughput, nothing lost.

// The region's speed targets, measured rather than asserted in a unit test.
//
//   ./jbang bench                      30 faults, five of each kind
//   ./jbang bench --faults 120         at least 100 mixed faults, as the targets ask
//   ./jbang bench --kinds planned,crash
//
// First each writer alone, for the throughput: a plain writer straight to the primary, the same
// through the writer endpoint, then the agent. Then the faults, one after the other, with the
// agent and a second, independent writer (region.Witness) loading the machine. Per kind it
// prints each writer's outage (the longest time without an acknowledged write around the fault),
// how long writes were unprotected (no synchronous standby), and the floor: the control plane's
// own failover, from the fault to the promotion. At the end, every write either writer was told
// was committed must be in the database.

import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
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
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import mission.Proof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import region.BarePair;
import region.Faults;
import region.LocalRegion;
import region.Region;
import region.Topology;
import region.Witness;

@Command(name = "bench")
public class bench extends Cli.KitCommand {
    /**
     * Each writer's throughput is measured in this many turns at most, taken in alternation, each
     * of a second at least: a turn's own cost (a connection, a warm-up, the agent's start and
     * stop) is about a second and a half, which a short baseline cut into five spent mostly on.
     */
    static final int TURNS = 5;
    static final List<String> KINDS = List.of("planned", "crash", "frozen-primary", "frozen-standby", "killed-standby", "lost-in-rebuild",
            "isolate-primary", "isolate-standby", "cut", "slow");
    @Option(names = "--faults", paramLabel = "N", defaultValue = "30", descriptionKey = "bench.faults") int faults;
    @Option(names = "--kinds", paramLabel = "KIND,…", split = ",", descriptionKey = "bench.kinds") List<String> kinds = KINDS;
    @Option(names = "--baseline", paramLabel = "SECONDS", defaultValue = "10", descriptionKey = "bench.baseline") double baseline;
    @Option(names = "--out", paramLabel = "FILE", descriptionKey = "bench.out") Path outFile;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;
    @Option(names = "--bare-rounds", paramLabel = "N", defaultValue = "4", descriptionKey = "bench.bare-rounds") int bareRounds;

    public static void main(String[] args) {
        System.exit(Cli.run(new bench(), args));
    }

    /** One fault as the writers lived it. */
    record Run(String kind, String at, String recoveredAt, Long agentOutageMs, Long witnessOutageMs, Long unprotectedMs, Long floorMs) {}

    /** The writers' medians over the turns, in writes per second, and the endpoint hop's added latency. */
    record Throughput(double direct, double viaEndpoint, double agent, double hopLatencyMs) {}

    @Override
    public Integer call() throws Exception {
        for (String k : kinds) if (!KINDS.contains(k)) throw Problem.environment("bench.kind.unknown", k, String.join(", ", KINDS));
        Database.lowerDnsCache();
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
        // The figures are kept in the student's home; the region, its journal and its WAL go with the scratch home.
        Path results = Home.bench();
        if (!json) spec.commandLine().getOut().println(Messages.get("bench.scratch"));
        try (LocalRegion.Scratch scratch = LocalRegion.Scratch.up(quiet)) {
            return measure(results);
        }
    }

    // Long because the measure reads as the benchmark runs: throughput, the faults with both writers, then the proof.
    private int measure(Path results) throws Exception {
        PrintWriter out = json ? new PrintWriter(OutputStream.nullOutputStream()) : spec.commandLine().getOut();
        PrintWriter quiet = new PrintWriter(OutputStream.nullOutputStream());
        Region.State state = LocalRegion.requireState();
        String password = Region.password();
        String run = Instant.now().toString().replaceAll("[:.]", "");
        Path dir = Home.bench().resolve(run);
        Evidence evidence = new Evidence(dir);
        Rds.Options options = new Rds.Options();
        options.target = "local";
        options.instance = Region.INSTANCE_ID;

        Throughput throughput = throughput(state, password, options, dir, out, quiet);
        Map<String, Object> bare = bareRounds > 0 ? bareFloor(state, password, dir, out) : Map.of();

        // The faults, with the agent and the witness writing together.
        Agent agent = new Agent(options, evidence, Duration.ZERO, quiet, false).flatOut();
        Thread agentThread = start(agent);
        waitForFirstWrite(evidence);
        Witness witness = new Witness(state.endpointPort(), password, "bench_witness_" + System.currentTimeMillis());
        List<Run> runs;
        try {
            runs = faults(state, witness, out);
        } finally {
            AgentProcess.requestStop(evidence);
            agentThread.join(30_000);
        }
        long witnessLost = witness.lost();

        // The agent's outage of each fault, from its own journal; every acknowledged write looked for.
        List<Journal.Entry> journal = Journal.read(evidence.file(Journal.FILE));
        Agent.Summary summary = Agent.Summary.read(evidence);
        Database.Login login = new Database.Login("postgres", "127.0.0.1", state.endpointPort(), Region.MASTER_USER, password, Region.DATABASE, null);
        Proof proof = Proof.compute(summary.runId(), journal, Proof.fetchRows(login, summary.runId()), null);
        List<Journal.Entry> acks = Proof.acknowledged(journal);
        List<Run> measured = new ArrayList<>();
        for (Run r : runs) {
            Journal.Entry[] gap = Proof.longestGap(acks, Instant.parse(r.at()).minusMillis(200), Instant.parse(r.recoveredAt()).plusNanos(1));
            measured.add(new Run(r.kind(), r.at(), r.recoveredAt(), gap == null ? null : Duration.between(gap[0].doneAt(), gap[1].doneAt()).toMillis(),
                    r.witnessOutageMs(), r.unprotectedMs(), r.floorMs()));
        }

        Map<String, Object> result = result(state, throughput, bare, measured, proof, witness, witnessLost);
        Path file = outFile != null ? outFile : Files.createDirectories(results).resolve("bench-" + run + ".json");
        Files.writeString(file, Json.write(result));
        PrintWriter report = spec.commandLine().getOut();
        if (json) {
            report.println(Json.write(result));
        } else {
            print(report, throughput, bare, result, proof, witness, witnessLost);
            report.println(Messages.get("bench.written", file));
        }
        return proof.lostWrites() == 0 && proof.corruptRows() == 0 && witnessLost == 0 ? 0 : Problem.CHECK_FAILED;
    }

    /**
     * Throughput, one writer at a time, in turns: the disk's good and bad moments (a checkpoint)
     * fall on each writer alike, and the median of the turns is kept.
     */
    private Throughput throughput(Region.State state, String password, Rds.Options options, Path dir, PrintWriter out, PrintWriter quiet)
            throws Exception {
        out.println(Messages.get("bench.throughput", baseline));
        out.flush();
        List<Double> directRates = new ArrayList<>();
        List<Double> endpointRates = new ArrayList<>();
        List<Double> agentRates = new ArrayList<>();
        List<Double> directLatency = new ArrayList<>();
        List<Double> endpointLatency = new ArrayList<>();
        for (int turn = 1; turn <= turns(); turn++) {
            double[] d = rate(state.node(healthy(state).primaryAz()).port(), password, "bench_direct");
            double[] e = rate(state.endpointPort(), password, "bench_endpoint");
            directRates.add(d[0]);
            directLatency.add(d[1]);
            endpointRates.add(e[0]);
            endpointLatency.add(e[1]);
            agentRates.add(agentRate(options, dir.resolve("agent-" + turn), quiet));
        }
        return new Throughput(median(directRates), median(endpointRates), median(agentRates), (median(endpointLatency) - median(directLatency)) / 1000);
    }

    /** The faults one after the other, each measured by the witness as it happens. */
    private List<Run> faults(Region.State state, Witness witness, PrintWriter out) throws Exception {
        List<Run> runs = new ArrayList<>();
        out.println(Messages.get("bench.faults.run", faults, String.join(", ", kinds)));
        for (int i = 0; i < faults; i++) {
            String kind = kinds.get(i % kinds.size());
            Region.Status before = healthy(state);
            Instant at = Instant.now();
            Region.Status after = strike(kind, state, before);
            Instant recovered = Instant.now();
            Witness.Stall w = witness.longest(at.minusMillis(200), recovered);
            Region.Window unprotected = after.unprotectedAfter(at);
            Run r = new Run(kind, at.toString(), recovered.toString(), null, w == null ? null : w.length().toMillis(),
                    unprotected == null ? null : unprotected.millis(), floor(kind, after, at));
            runs.add(r);
            out.println("  " + Messages.get("bench.round", i + 1, faults, kind, before.primaryAz(), after.primaryAz(),
                    orDash(r.witnessOutageMs()), orDash(r.unprotectedMs())));
            out.flush();
            Thread.sleep(300);
        }
        return runs;
    }

    /** What bench.json holds; --json prints the same. */
    private Map<String, Object> result(Region.State state, Throughput t, Map<String, Object> bare, List<Run> measured, Proof proof, Witness witness,
            long witnessLost) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("machine", Map.of("cores", Runtime.getRuntime().availableProcessors(), "java", System.getProperty("java.version"), "postgres", state.pgVersion()));
        Map<String, Object> throughput = new LinkedHashMap<>();
        throughput.put("plain_writer_to_primary", round(t.direct()));
        throughput.put("plain_writer_through_endpoint", round(t.viaEndpoint()));
        throughput.put("agent_through_endpoint", round(t.agent()));
        throughput.put("agent_over_plain_to_primary", Math.round(t.agent() / t.direct() * 100) / 100.0);
        throughput.put("endpoint_over_plain_to_primary", Math.round(t.viaEndpoint() / t.direct() * 100) / 100.0);
        throughput.put("endpoint_hop_added_median_latency_ms", Math.round(t.hopLatencyMs() * 1000) / 1000.0);
        result.put("writes_per_second", throughput);
        result.put("bare_pair_outage_ms", bare);
        Map<String, Object> perKind = new LinkedHashMap<>();
        for (String kind : kinds) {
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("agent_outage_ms", stats(measured, kind, Run::agentOutageMs));
            k.put("witness_outage_ms", stats(measured, kind, Run::witnessOutageMs));
            k.put("unprotected_ms", stats(measured, kind, Run::unprotectedMs));
            k.put("control_plane_ms", stats(measured, kind, Run::floorMs));
            perKind.put(kind, k);
        }
        result.put("kinds", perKind);
        result.put("faults", measured.size());
        result.put("agent", Map.of("acknowledged", proof.acknowledgedWrites(), "lost", proof.lostWrites(), "unknown", proof.unknownWrites(),
                "corrupt", proof.corruptRows()));
        result.put("witness", Map.of("acknowledged", witness.acknowledgedCount(), "lost", witnessLost));
        result.put("runs", measured);
        return result;
    }

    /** The human summary: a line per kind, the throughput, the region against the bare pair, the totals. */
    private void print(PrintWriter report, Throughput t, Map<String, Object> bare, Map<String, Object> result, Proof proof, Witness witness,
            long witnessLost) {
        @SuppressWarnings("unchecked") Map<String, Object> perKind = (Map<String, Object>) result.get("kinds");
        report.println();
        report.println(Messages.get("bench.header"));
        for (String kind : kinds) {
            @SuppressWarnings("unchecked") Map<String, Object> k = (Map<String, Object>) perKind.get(kind);
            report.printf(Locale.ROOT, "  %-16s %5s   %s   %s   %s   %8s%n", kind, ((Map<?, ?>) k.get("agent_outage_ms")).get("count"),
                    triple(k.get("agent_outage_ms")), triple(k.get("witness_outage_ms")), triple(k.get("unprotected_ms")),
                    orDash(((Map<?, ?>) k.get("control_plane_ms")).get("median")));
        }
        // A hop cheaper than the noise between turns is said so, not printed as a negative cost.
        String hop = t.hopLatencyMs() > 0 ? Messages.get("bench.hop", t.hopLatencyMs()) : Messages.get("bench.hop.none", t.hopLatencyMs());
        report.println(Messages.get("bench.throughput.result", round(t.direct()), round(t.viaEndpoint()), t.viaEndpoint() / t.direct(), hop,
                round(t.agent()), t.agent() / t.direct()));
        // The region's failover against a bare pair failed over by hand, by the same client in this same run.
        for (String kind : List.of("planned", "crash")) {
            Object regionMedian = ((Map<?, ?>) ((Map<?, ?>) perKind.getOrDefault(kind, Map.of("witness_outage_ms", Map.of()))).get("witness_outage_ms")).get("median");
            if (regionMedian instanceof Number r && bare.get(kind) instanceof Number b && b.doubleValue() > 0) {
                report.println(Messages.get("bench.ratio", kind, r.longValue(), b.longValue(), r.doubleValue() / b.doubleValue()));
            }
        }
        report.println(Messages.get("bench.totals", proof.acknowledgedWrites(), proof.lostWrites(), proof.unknownWrites(), proof.corruptRows(),
                witness.acknowledgedCount(), witnessLost));
    }

    /** Strikes one fault and returns once the region is whole again, as that fault should leave it. */
    // Long because each kind of fault is one case, struck and awaited side by side: the kinds read as a list.
    private static Region.Status strike(String kind, Region.State state, Region.Status before) throws Exception {
        String primary = before.primaryAz();
        String standby = before.standbyAz();
        Instant at = Instant.now();
        Predicate<Region.Status> moved = s -> !primary.equals(s.primaryAz()) && s.healthy();
        Predicate<Region.Status> stayed = s -> primary.equals(s.primaryAz()) && s.healthy() && s.unprotectedAfter(at) != null;
        List<Long> frozen = List.of();
        try {
            switch (kind) {
                case "planned" -> {
                    LocalRegion.requestFailover(state);
                    return waitFor(state, moved);
                }
                case "crash" -> {
                    Faults.kill(state, primary);
                    return waitFor(state, moved);
                }
                case "frozen-primary" -> {
                    frozen = Faults.freezeBackends(state, primary);
                    return waitFor(state, moved);
                }
                case "frozen-standby" -> {
                    frozen = Faults.freeze(state, standby);
                    return waitFor(state, stayed);
                }
                case "killed-standby" -> {
                    Faults.kill(state, standby);
                    return waitFor(state, stayed);
                }
                case "isolate-primary" -> {
                    // The primary's AZ cut off: the other side takes over; healed once it has.
                    LocalRegion.fault(state, "isolate", primary, null, 0);
                    waitFor(state, s -> !primary.equals(s.primaryAz()));
                    LocalRegion.fault(state, "heal", "", null, 0);
                    return waitFor(state, Region.Status::healthy);
                }
                case "isolate-standby", "cut" -> {
                    // The standby cut off, or replication alone: writes go on without it; healed once they do.
                    if (kind.equals("cut")) LocalRegion.fault(state, "cut", String.join("-", List.of(primary, standby).stream().sorted().toList()), "reset", 0);
                    else LocalRegion.fault(state, "isolate", standby, null, 0);
                    waitFor(state, s -> s.unprotectedAfter(at) != null || s.firstEvent(Region.EventType.STANDBY_LOST, at) != null);
                    LocalRegion.fault(state, "heal", "", null, 0);
                    return waitFor(state, Region.Status::healthy);
                }
                case "slow" -> {
                    // Replication 50 ms slower each way for two seconds: commits slow down, nothing is cured.
                    LocalRegion.fault(state, "slow", String.join("-", List.of(primary, standby).stream().sorted().toList()), null, 50);
                    Thread.sleep(2000);
                    LocalRegion.fault(state, "heal", "", null, 0);
                    return waitFor(state, Region.Status::healthy);
                }
                default -> {
                    // The primary is lost, and the new one too while it copies itself to a new standby.
                    Faults.kill(state, primary);
                    waitFor(state, s -> standby.equals(s.primaryAz()) && s.phase() == Topology.Phase.BUILDING_STANDBY);
                    Faults.kill(state, standby);
                    return waitFor(state, s -> standby.equals(s.primaryAz()) && s.healthy()
                            && s.events().stream().anyMatch(e -> e.type() == Region.EventType.NODE_STARTED && !Instant.parse(e.time()).isBefore(at)));
                }
            }
        } finally {
            Faults.thaw(frozen);
        }
    }

    /** The control plane's own part: from the fault (or the planned request) to the promotion of the standby. */
    private static Long floor(String kind, Region.Status after, Instant at) {
        if (kind.equals("isolate-standby") || kind.equals("cut")) {
            // From the fault to writes no longer waiting for the standby: the control plane's decision and its work.
            Instant fault = after.firstEvent(Region.EventType.NETWORK_FAULT, at);
            Instant cured = after.firstEvent(Region.EventType.STANDBY_LOST, at);
            return fault == null || cured == null ? null : Duration.between(fault, cured).toMillis();
        }
        if (kind.equals("isolate-primary")) {
            Instant fault = after.firstEvent(Region.EventType.NETWORK_FAULT, at);
            Instant to = after.firstEvent(Region.EventType.FAILOVER_COMPLETED, at);
            return fault == null || to == null ? null : Duration.between(fault, to).toMillis();
        }
        if (!List.of("planned", "crash", "frozen-primary").contains(kind)) return null;
        Instant from = kind.equals("planned") ? after.firstEvent(Region.EventType.FAILOVER_STARTED, at) : at;
        Instant to = after.firstEvent(Region.EventType.FAILOVER_COMPLETED, at);
        return from == null || to == null ? null : Duration.between(from, to).toMillis();
    }


    private static Region.Status healthy(Region.State state) throws InterruptedException {
        return waitFor(state, Region.Status::healthy);
    }

    private static Region.Status waitFor(Region.State state, Predicate<Region.Status> condition) {
        try {
            return Wait.until("the region", Duration.ofSeconds(120), Duration.ofMillis(50), () -> {
                Region.Status s = Region.status(state);
                return s != null && condition.test(s) ? s : null;
            });
        } catch (Wait.TimedOut e) {
            Region.Status s = Region.status(state);
            throw Problem.failed("bench.stuck", s == null ? "-" : s.phase().key());
        }
    }

    /** Acknowledged writes per second of a plain writer alone for a turn, after a quarter second of warm-up, and their median latency in microseconds. */
    private double[] rate(int port, String password, String table) throws Exception {
        Witness w = new Witness(port, password, table + "_" + System.currentTimeMillis());
        try {
            Thread.sleep(250);
            Instant from = Instant.now();
            Thread.sleep(turnMillis());
            Instant to = Instant.now();
            Long latency = w.medianLatencyMicros(from, to);
            return new double[] {w.acknowledgedBetween(from, to) * 1000.0 / Duration.between(from, to).toMillis(), latency == null ? 0 : latency};
        } finally {
            w.close();
        }
    }

    /**
     * The floor, measured: a bare pair of servers (no control plane, no relay) failed over by hand,
     * planned and crash, written to by the same client as the region's witness, on the same
     * machine in the same run. Each round a new pair; the median outage per kind.
     */
    private Map<String, Object> bareFloor(Region.State state, String password, Path dir, PrintWriter out) throws Exception {
        Map<String, Object> floors = new LinkedHashMap<>();
        for (String kind : List.of("planned", "crash")) {
            List<Long> outages = new ArrayList<>();
            for (int round = 1; round <= bareRounds; round++) {
                // Beside the lab's own data: the server account can reach it there, as root starts it.
                try (BarePair pair = BarePair.create(Path.of(state.dataRoot(), "bare"), state, password)) {
                    java.util.concurrent.atomic.AtomicInteger port = new java.util.concurrent.atomic.AtomicInteger(pair.primaryPort());
                    Witness w = new Witness(port::get, password, "bench_bare");
                    // A second writer, as the agent writes beside the witness on the region: the same load on both.
                    Witness load = new Witness(port::get, password, "bench_bare_load");
                    Thread.sleep(500);
                    Instant at = Instant.now();
                    if (kind.equals("planned")) pair.failOverPlanned();
                    else pair.failOverCrash();
                    port.set(pair.standbyPort());
                    Thread.sleep(1000);
                    Witness.Stall stall = w.longest(at.minusMillis(200), Instant.now());
                    w.close();
                    load.close();
                    if (stall != null) outages.add(stall.length().toMillis());
                }
            }
            outages.sort(null);
            floors.put(kind, outages.isEmpty() ? null : outages.get(outages.size() / 2));
            out.printf(Locale.ROOT, "  bare %-8s %s ms (median of %d)%n", kind, floors.get(kind), outages.size());
            out.flush();
        }
        return floors;
    }

    /** The same for the agent, in an evidence folder of its own. */
    private double agentRate(Rds.Options options, Path folder, PrintWriter quiet) throws Exception {
        Evidence evidence = new Evidence(folder);
        Thread t = start(new Agent(options, evidence, Duration.ZERO, quiet, false).flatOut());
        waitForFirstWrite(evidence);
        Thread.sleep(250);
        Instant from = Instant.now();
        Thread.sleep(turnMillis());
        Instant to = Instant.now();
        AgentProcess.requestStop(evidence);
        t.join(30_000);
        long acks = Journal.read(evidence.file(Journal.FILE)).stream()
                .filter(e -> e.outcome() == Journal.Outcome.ack && !e.doneAt().isBefore(from) && e.doneAt().isBefore(to)).count();
        return acks * 1000.0 / Duration.between(from, to).toMillis();
    }

    private int turns() {
        return (int) Math.max(1, Math.min(TURNS, Math.floor(baseline)));
    }

    private long turnMillis() {
        return (long) (baseline * 1000 / turns());
    }

    private static Thread start(Agent agent) {
        Thread t = new Thread(() -> {
            try {
                agent.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "agent");
        t.start();
        return t;
    }

    private static void waitForFirstWrite(Evidence evidence) throws Exception {
        try {
            Wait.until("the agent's first write", Duration.ofSeconds(30), Duration.ofMillis(20),
                    () -> Files.exists(evidence.file(Journal.FILE)) && Files.size(evidence.file(Journal.FILE)) > Journal.HEADER.length() + 1);
        } catch (Wait.TimedOut e) {
            throw Problem.failed("bench.stuck", "agent");
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2) : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    }

    private static Map<String, Object> stats(List<Run> runs, String kind, Function<Run, Long> value) {
        List<Long> sorted = runs.stream().filter(r -> r.kind().equals(kind)).map(value).filter(Objects::nonNull).sorted().toList();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", sorted.size());
        s.put("min", sorted.isEmpty() ? null : sorted.get(0));
        s.put("median", sorted.isEmpty() ? null : sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2);
        s.put("max", sorted.isEmpty() ? null : sorted.get(sorted.size() - 1));
        return s;
    }

    private static String triple(Object stats) {
        Map<?, ?> s = (Map<?, ?>) stats;
        return String.format(Locale.ROOT, "%5s %6s %5s", orDash(s.get("min")), orDash(s.get("median")), orDash(s.get("max")));
    }

    private static String orDash(Object o) {
        return o == null ? "-" : o.toString();
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
