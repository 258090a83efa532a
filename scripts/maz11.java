///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Aws.java aws/Deployment.java aws/MasterLogin.java aws/Rds.java aws/ReplicaLag.java aws/Stacks.java common/Cli.java common/Database.java
//SOURCES common/Evidence.java common/Json.java common/Messages.java common/Problem.java common/Wait.java mission/Agent.java mission/AgentProcess.java mission/CrossRegion.java
//SOURCES mission/Journal.java mission/Proof.java mission/RegionLoss.java mission/RegionLossReport.java region/BarePair.java region/DrRegion.java
//SOURCES region/LocalDrRegion.java region/LocalRegion.java region/Region.java
//DESCRIPTION Mission step 11, the region goes dark: a read replica in another Region, the loss of the whole first Region, the recovery there; the writes lost counted one by one.

// Step 11 of Operation DB007: the region goes dark.
//
//   ./jbang maz11 replica [--delay 40]   a read replica in another Region, asynchronous; the agent writes
//   ./jbang maz11 disaster               the whole first Region is lost at once (declared, on AWS)
//   ./jbang maz11 promote                the replica takes writes: PromoteReadReplica, timed
//   ./jbang maz11 repoint                the application moves to the replica's endpoint
//   ./jbang maz11 proof                  what was lost, write by write; RPO and RTO
//   ./jbang maz11 --auto                 all of it in one go, the kit reacting at once
//
// Multi-AZ protects against the loss of an AZ, with RPO = 0 because its standby is synchronous.
// Against the loss of a whole Region it does nothing: both AZs go together. The answer is a copy
// in another Region, kept by asynchronous replication, since a synchronous one would make every
// commit wait for a round trip between Regions. So the copy is always a little behind, and when
// the Region is lost, what it had not received is lost with it. This step measures that loss
// write by write, and the time it takes to start again in the other Region, where, unlike a
// Multi-AZ failover, the endpoint changes: the application has to move.

import aws.Aws;
import aws.Deployment;
import aws.MasterLogin;
import aws.Rds;
import aws.ReplicaLag;
import aws.Stacks;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.AgentProcess;
import mission.CrossRegion;
import mission.Journal;
import mission.Proof;
import mission.RegionLoss;
import mission.RegionLossReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.BarePair;
import region.DrRegion;
import region.LocalDrRegion;
import region.LocalRegion;
import region.Region;

@Command(name = "maz11", subcommands = {maz11.Replica.class, maz11.Disaster.class, maz11.Promote.class, maz11.Repoint.class, maz11.Prove.class,
        maz11.Down.class})
public class maz11 extends Cli.KitCommand {
    @Mixin Target target;
    @Option(names = "--auto", descriptionKey = "maz11.auto") boolean auto;
    @Option(names = "--delay", paramLabel = "MS", defaultValue = "40", descriptionKey = "maz11.delay") long delay;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz11(), args));
    }

    /** Where the step works: the mission's instance (--target, --instance…), the other Region, the evidence folder. */
    static final class Target {
        @Mixin Rds.Options rds;
        @Mixin Evidence.Folder evidenceDir;
        @Option(names = "--dr-region", paramLabel = "REGION", descriptionKey = "maz11.dr-region") String drRegion;
        @Option(names = "--dr-endpoint-url", paramLabel = "URL", descriptionKey = "maz11.dr-endpoint-url") URI drEndpoint;
        @Option(names = "--replica", paramLabel = "ID", descriptionKey = "maz11.replica-id") String replicaId;

        String drRegion() {
            if (rds.local()) return DrRegion.NAME;
            if (drRegion == null) throw Problem.environment("maz11.dr-region.missing");
            if (drRegion.equals(rds.region)) throw Problem.environment("maz11.dr-region.same", drRegion);
            return drRegion;
        }

        /** The other Region's RDS, through the SDK on both targets. */
        Rds other() throws Exception {
            URI endpoint = drEndpoint;
            if (rds.local() && endpoint == null) endpoint = LocalDrRegion.api(LocalDrRegion.up());
            return Rds.otherRegion(rds, drRegion(), endpoint);
        }

        String replicaId() throws Exception {
            return replicaId != null ? replicaId : rds.instance() + "-dr";
        }

        Evidence evidence() throws Exception {
            return evidenceDir.open("maz11");
        }

        /** The replica's lag now, in SQL, and on AWS CloudWatch's beside it. */
        CrossRegion.Lag lag(Database.Login replica, String runId) throws Exception {
            CrossRegion.Lag l = CrossRegion.lagNow(replica, runId);
            return rds.local() ? l : CrossRegion.withCloudWatch(l, ReplicaLag.latestSeconds(rds, drRegion(), null, replicaId()));
        }

        /**
         * The mission's login, at the replica's address: a replica has its source's master user and
         * password. Made from what the step recorded, since the source's Region may be gone.
         */
        Database.Login replicaLogin(CrossRegion.Replica r) throws Exception {
            return MasterLogin.of(rds, new Rds.Instance(r.instance(), "available", r.engine(), null, null, false, r.address(), r.port(), r.masterUser(),
                    r.secretArn(), null, null, false));
        }
    }

    @Override
    public Integer call() throws Exception {
        if (!auto) {
            out().println(Messages.get("maz11.where", next(target.evidence())));
            return 0;
        }
        // The whole step, the kit reacting at once: the floor of a cross-Region recovery on this machine.
        PrintWriter out = out();
        int code = Replica.make(target, delay, 3, out);
        if (code != 0) return code;
        Disaster.strike(target, out);
        Promote.promote(target, out);
        Repoint.repoint(target, out);
        return Prove.prove(target, out);
    }

    /** The next command of the step, from what its evidence folder holds. */
    static String next(Evidence e) {
        if (!Files.exists(e.file(CrossRegion.REPLICA))) return "./jbang maz11 replica";
        if (!Files.exists(e.file(CrossRegion.DISASTER))) return "./jbang maz11 disaster";
        if (!Files.exists(e.file(CrossRegion.PROMOTION))) return "./jbang maz11 promote";
        if (!Files.exists(e.file(CrossRegion.REPOINT))) return "./jbang maz11 repoint";
        if (!Files.exists(e.file(RegionLoss.FILE))) return "./jbang maz11 proof";
        return "./jbang maz11 down";
    }

    @Command(name = "replica")
    static final class Replica extends Cli.KitCommand {
        @Mixin Target target;
        @Option(names = "--delay", paramLabel = "MS", defaultValue = "40", descriptionKey = "maz11.delay") long delay;
        @Option(names = "--watch", paramLabel = "SECONDS", defaultValue = "5", descriptionKey = "maz11.watch") int watch;

        @Override
        public Integer call() throws Exception {
            return make(target, delay, watch, out());
        }

        // Long because making the replica is one sequence on each target, read in the order it happens.
        static int make(Target t, long delay, int watch, PrintWriter out) throws Exception {
            Instant started = Instant.now();
            out.println(Messages.get("maz11.title"));
            if (delay < 0 || delay > 10_000) throw Problem.environment("maz11.delay.invalid", delay);
            // A new run: the earlier one's folder is kept beside it; its agent, if it still writes, is stopped first.
            Evidence earlier = t.evidence();
            Agent.Summary running = Agent.Summary.read(earlier);
            if (running != null && running.running()) AgentProcess.stop(earlier, Duration.ofSeconds(30));
            Evidence e = Evidence.fresh(earlier.dir());
            String region = t.drRegion();
            List<String> network = null;
            if (t.rds.local()) {
                if (LocalRegion.darkSince() != null) out.println(Messages.get("maz11.region.back"));
                LocalRegion.up(null, null, out, true);
                Region.State state = LocalRegion.requireState();
                Region.post(state, "/db007/inter-region", "latency_ms=" + delay);
                out.println(Messages.get("maz11.link", delay, region));
            } else {
                out.println(Messages.get("maz11.cost", region));
                network = replicaNetwork(t, region, out);
            }
            Rds.Instance source;
            try (Rds api = Rds.open(t.rds)) {
                source = api.describe();
            }
            String id = t.replicaId();
            try (Rds other = t.other()) {
                if (other.describe(id) != null) {
                    out.println(Messages.get("maz11.replica.replacing", id, region));
                    other.delete(id);
                    other.waitDeleted(id, t.rds.local() ? Duration.ofMillis(200) : Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(30));
                }
                Instant requested = Instant.now();
                out.println(Messages.get("maz11.replica.creating", id, region, source.arn()));
                other.createReadReplica(id, source, t.rds.local() ? "local" : t.rds.region, network == null ? null : network.get(0),
                        network == null ? null : network.subList(1, 2), t.rds.local() ? Deployment.tags("local", null, null) : tagsOf());
                Rds.Instance made = other.waitAvailable(id, t.rds.local() ? Duration.ofMillis(200) : Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(60),
                        ev -> out.println("  " + Messages.clock(ev.time()) + "  " + Rds.describe(ev)));
                Instant available = Instant.now();
                CrossRegion.Replica r = new CrossRegion.Replica(t.rds.target, source.id(), t.rds.local() ? "local" : t.rds.region, source.arn(), id, region,
                        t.rds.local() ? delay : null, requested.toString(), available.toString(), made.host(), made.port(), source.engine(), source.masterUser(),
                        source.secretArn());
                e.write(CrossRegion.REPLICA, r);
                if (!t.rds.local()) Json.writeAtomically(CrossRegion.onAws(), r);
                out.println(Messages.get("maz11.replica.ready", id, Messages.seconds(Duration.between(requested, available).toMillis() / 1000.0),
                        made.host() + ":" + made.port()));
                AgentProcess.Started agent = AgentProcess.start(e, t.rds.arguments(), 0, false);
                out.println(Messages.get("maz11.agent", agent.pid(), e.file(Journal.FILE)));
                Database.Login replica = t.replicaLogin(r);
                for (int i = 0; i < watch; i++) {
                    Wait.pause(1000);
                    CrossRegion.Lag lag = t.lag(replica, agent.summary().runId());
                    CrossRegion.addLag(e, lag);
                    String seen = Messages.get("maz11.lag", Messages.clock(Instant.parse(lag.at())), lag.newestSeq() == null ? "-" : lag.newestSeq(),
                            CrossRegion.lagMs(lag) == null ? "-" : CrossRegion.lagMs(lag));
                    out.println(t.rds.local() ? seen : seen + Messages.get("maz11.lag.cloudwatch", lag.cloudWatchSeconds() == null ? "-" : lag.cloudWatchSeconds()));
                }
                e.step("maz11-replica", started, true, Json.toMap(r));
            }
            out.println(Messages.get("maz11.replica.notice", delay));
            out.println(Messages.get("maz11.next", next(e)));
            return 0;
        }

        /** On AWS: a VPC in the other Region, as maz1 made in the first, and the replica's subnet group and port; returns the group, then the port's security group. */
        private static List<String> replicaNetwork(Target t, String region, PrintWriter out) throws Exception {
            Deployment d = Deployment.load();
            if (d == null || d.student() == null) throw Problem.environment("aws.instance.unknown");
            String vpc = "db007-" + d.student() + "-dr-vpc";
            try (Stacks stacks = Stacks.open(t.rds, region)) {
                stacks.deploy(vpc, Stacks.template("vpc-" + d.network() + ".yaml"), Map.of("Student", d.student()), d.tags(), d.stackRole(), out);
                Stacks.Info net = stacks.deploy("db007-" + d.student() + "-dr-net", Stacks.template("replica-network.yaml"),
                        Map.of("Student", d.student(), "VpcStack", vpc, "Engine", d.engine(), "AllowedCidr", d.allowedCidr()), d.tags(), d.stackRole(), out);
                return List.of(net.outputs().get("SubnetGroup"), net.outputs().get("SecurityGroup"));
            }
        }

        /** The deployment's tags (student, class, expiry), which the replica carries too. */
        private static Map<String, String> tagsOf() throws Exception {
            Deployment d = Deployment.load();
            return d == null || d.student() == null ? Deployment.tags("unknown", null, null) : d.tags();
        }
    }

    @Command(name = "disaster")
    static final class Disaster extends Cli.KitCommand {
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            strike(target, out());
            return 0;
        }

        static void strike(Target t, PrintWriter out) throws Exception {
            Evidence e = t.evidence();
            CrossRegion.Replica r = CrossRegion.read(e, CrossRegion.REPLICA, CrossRegion.Replica.class);
            Agent.Summary agent = Agent.Summary.read(e);
            if (r == null || agent == null || !agent.running()) throw Problem.environment("maz11.no-replica");
            if (Files.exists(e.file(CrossRegion.DISASTER))) throw Problem.environment("maz11.disaster.done", e.file(CrossRegion.DISASTER));
            // What the replica holds just before: a loss now takes every acknowledged write after it.
            CrossRegion.Lag before;
            try {
                before = t.lag(t.replicaLogin(r), agent.runId());
                CrossRegion.addLag(e, before);
            } catch (SQLException slow) {
                // A disaster does not wait for a measurement: the lag before it is then unknown, and said so.
                before = null;
                out.println(Messages.get("maz11.lag.unknown", slow.getMessage()));
            }
            Instant at;
            if (t.rds.local()) {
                at = LocalRegion.goDark(() -> afterAnAcknowledgedWrite(e.file(Journal.FILE)));
                e.write(CrossRegion.DISASTER, new CrossRegion.Disaster(at.toString(), "dark", before));
                out.println(Messages.get("maz11.dark", Messages.clock(at)));
            } else {
                // A Region cannot be switched off: from this instant the application leaves it, and the replica is promoted as it stands.
                // The other Region's client is made first: the promotion follows the declaration at once.
                try (Rds other = t.other()) {
                    at = Instant.now();
                    e.write(Agent.ROUTE, new Agent.Route(null, null, null, null, true));
                    e.write(CrossRegion.DISASTER, new CrossRegion.Disaster(at.toString(), "declared", before));
                    Instant asked = Instant.now();
                    other.promoteReadReplica(r.instance());
                    e.write(CrossRegion.PROMOTION, new CrossRegion.Promotion(asked.toString(), null, r.instance(), r.region()));
                }
                out.println(Messages.get("maz11.declared", Messages.clock(at)));
            }
            if (before != null) {
                out.println(Messages.get("maz11.before", before.newestSeq() == null ? "-" : before.newestSeq(),
                        CrossRegion.lagMs(before) == null ? "-" : CrossRegion.lagMs(before)));
            }
            out.println(Messages.get("maz11.next", next(e)));
        }

        /**
         * Locally the Region goes dark in the middle of its traffic, just after a write it acknowledged,
         * which the replica, a link's latency behind, cannot hold yet. An agent stalled by a busy machine
         * is waited for two seconds at most; then the disaster strikes anyway.
         */
        private static void afterAnAcknowledgedWrite(java.nio.file.Path journal) throws IOException {
            long[] position = {0};
            Wait.within(Duration.ofSeconds(2), Duration.ofMillis(1), () -> {
                Instant newest = null;
                for (Journal.Entry entry : Journal.readFrom(journal, position)) if (entry.outcome() == Journal.Outcome.ack) newest = entry.doneAt();
                return newest != null && Duration.between(newest, Instant.now()).toMillis() < 10;
            });
        }
    }

    /** The replica the recovery works on, once the disaster is recorded; the step to run first otherwise. */
    static CrossRegion.Replica replicaAfterDisaster(Evidence e) throws IOException {
        CrossRegion.Replica r = CrossRegion.read(e, CrossRegion.REPLICA, CrossRegion.Replica.class);
        if (r == null || !Files.exists(e.file(CrossRegion.DISASTER))) throw Problem.environment("maz11.no-disaster");
        return r;
    }

    @Command(name = "promote")
    static final class Promote extends Cli.KitCommand {
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            promote(target, out());
            return 0;
        }

        static void promote(Target t, PrintWriter out) throws Exception {
            Evidence e = t.evidence();
            CrossRegion.Replica r = replicaAfterDisaster(e);
            CrossRegion.Promotion asked = CrossRegion.read(e, CrossRegion.PROMOTION, CrossRegion.Promotion.class);
            try (Rds other = t.other()) {
                Instant requested = asked != null ? Instant.parse(asked.requestedAt()) : Instant.now();
                if (asked == null) {
                    other.promoteReadReplica(r.instance());
                    out.println(Messages.get("maz11.promoting", r.instance(), r.region()));
                } else {
                    out.println(Messages.get("maz11.promoting.already", r.instance(), Messages.clock(requested)));
                }
                Rds.Instance done = Wait.until("the replica to take writes", Duration.ofMinutes(60), t.rds.local() ? Duration.ofMillis(20) : Aws.poll(Duration.ofSeconds(15)),
                        () -> {
                            Rds.Instance now = other.describe(r.instance());
                            return now != null && "available".equals(now.status()) && now.replicaOf() == null ? now : null;
                        });
                Instant at = Instant.now();
                e.write(CrossRegion.PROMOTION, new CrossRegion.Promotion(requested.toString(), at.toString(), r.instance(), r.region()));
                out.println(Messages.get("maz11.promoted", r.instance(), Messages.seconds(Duration.between(requested, at).toMillis() / 1000.0),
                        done.host() + ":" + done.port()));
            }
            out.println(Messages.get("maz11.next", next(e)));
        }
    }

    @Command(name = "repoint")
    static final class Repoint extends Cli.KitCommand {
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            repoint(target, out());
            return 0;
        }

        static void repoint(Target t, PrintWriter out) throws Exception {
            Evidence e = t.evidence();
            CrossRegion.Replica r = replicaAfterDisaster(e);
            Rds.Instance there;
            try (Rds other = t.other()) {
                there = other.describe(r.instance());
            }
            // The application's configuration, changed: the agent takes the new address at its next connection.
            Instant at = Instant.now();
            e.write(Agent.ROUTE, new Agent.Route(there.host(), there.port(), r.instance(), r.region(), false));
            e.write(CrossRegion.REPOINT, new CrossRegion.Repoint(at.toString(), there.host(), there.port()));
            out.println(Messages.get("maz11.repointed", there.host() + ":" + there.port()));
            Journal.Entry first;
            try {
                first = Wait.until("the agent's first write in the other Region", Duration.ofSeconds(60), Duration.ofMillis(50), () -> Journal.read(e.file(Journal.FILE))
                        .stream().filter(j -> j.outcome() == Journal.Outcome.ack && j.sentAt().isAfter(at)).findFirst().orElse(null));
            } catch (Wait.TimedOut timedOut) {
                throw Problem.failed("maz11.repoint.silent", e.file(Agent.LOG));
            }
            out.println(Messages.get("maz11.writing", first.seq(), Messages.clock(first.doneAt()), first.az() == null ? first.server() : first.az()));
            out.println(Messages.get("maz11.next", next(e)));
        }
    }

    @Command(name = "proof")
    static final class Prove extends Cli.KitCommand {
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            return prove(target, out());
        }

        static int prove(Target t, PrintWriter out) throws Exception {
            Instant started = Instant.now();
            Evidence e = t.evidence();
            CrossRegion.Replica r = CrossRegion.read(e, CrossRegion.REPLICA, CrossRegion.Replica.class);
            RegionLoss.Moments m = CrossRegion.moments(e);
            if (r == null || m == null) throw Problem.environment("maz11.no-disaster");
            Agent.Summary agent = AgentProcess.stop(e, Duration.ofSeconds(30));
            List<Journal.Entry> journal = Journal.read(e.file(Journal.FILE));
            CrossRegion.Repoint moved = CrossRegion.read(e, CrossRegion.REPOINT, CrossRegion.Repoint.class);
            Database.Login promoted = t.replicaLogin(moved == null ? r : r.at(moved.address(), moved.port()));
            Map<Long, Proof.Row> rows = Proof.fetchRows(promoted, agent.runId());
            Proof.writeRows(e.file(RegionLoss.ROWS), rows.values());
            RegionLoss proof = RegionLoss.compute(agent.runId(), journal, rows, m);
            e.write(RegionLoss.FILE, proof);

            out.println(Messages.get("maz11.proof.title"));
            out.println(Messages.get("maz11.proof.lost", proof.acknowledgedByLostRegion(), proof.lostWrites()));
            if (!proof.lostSeqs().isEmpty()) {
                out.println(Messages.get("maz11.proof.lost.list", RegionLoss.ranges(proof.lostSeqs()) + (proof.lostWrites() > proof.lostSeqs().size() ? ", …" : "")));
            }
            out.println(Messages.get("maz11.proof.rpo", proof.rpoMs(), proof.firstLostAt() == null ? "-" : Messages.clock(Instant.parse(proof.firstLostAt())),
                    Messages.clock(m.disaster()), proof.lagBeforeMs() == null ? "-" : proof.lagBeforeMs()));
            out.println(Messages.get("maz11.proof.rto", orDash(proof.rtoMs()), orDash(proof.detectionMs()), orDash(proof.promotionMs()), orDash(proof.repointMs())));
            out.println(Messages.get("maz11.proof.after", proof.acknowledgedByNewInstance(), proof.lostAfterPromotion()));
            out.println(Messages.get("maz11.proof.checks", proof.corruptRows(), proof.failedButPresent(), proof.unjournaledRows(), proof.lostThoughReplicated(),
                    proof.lostAmidKept(), proof.journalHoles(), proof.implausibleOutcomes()));
            if (r.linkLatencyMs() != null) syncCost(e, r.linkLatencyMs(), out);
            out.println(Messages.get(t.rds.local() ? "maz11.notice.local" : "maz11.notice.aws"));
            boolean consistent = proof.verdict().equals("consistent");
            out.println(Messages.get(consistent ? "maz11.proof.consistent" : "maz11.proof.inconsistent"));
            String section = RegionLossReport.section(proof, journal, r, CrossRegion.read(e, CrossRegion.PROMOTION, CrossRegion.Promotion.class), moved);
            Files.writeString(e.file(RegionLossReport.FILE), RegionLossReport.page(proof, section));
            boolean inMission = RegionLossReport.intoMissionReport(t.evidenceDir.path("maz").resolve(Proof.REPORT), section);
            out.println(Messages.get(inMission ? "maz11.report.both" : "maz11.report", e.file(RegionLossReport.FILE), t.evidenceDir.path("maz").resolve(Proof.REPORT)));
            e.step("maz11", started, consistent, Json.toMap(proof));
            out.println(Messages.get("step.evidence", e.dir()));
            return consistent ? 0 : Problem.CHECK_FAILED;
        }

        /**
         * What a synchronous copy in the other Region would cost, measured rather than said: a pair
         * of servers on this machine, the standby synchronous behind a link with the same latency,
         * against the same pair with none.
         */
        private static void syncCost(Evidence e, long latencyMs, PrintWriter out) throws Exception {
            Region.State state = Region.load();
            BarePair.CommitCost cost = BarePair.commitCost(java.nio.file.Path.of(state.dataRoot() + "-sync-cost"), state, Region.password(),
                    Duration.ofMillis(latencyMs), Duration.ofSeconds(2));
            e.write("sync-cost.json", cost);
            out.println(Messages.get("maz11.sync-cost", latencyMs, cost.nearMedianMs(), cost.farMedianMs(), cost.nearPerSecond(), cost.farPerSecond()));
        }

        private static Object orDash(Long v) {
            return v == null ? "-" : v;
        }
    }

    @Command(name = "down")
    static final class Down extends Cli.KitCommand {
        @Mixin Target target;

        @Override
        public Integer call() throws Exception {
            Evidence e = target.evidence();
            Agent.Summary agent = Agent.Summary.read(e);
            if (agent != null && agent.running()) AgentProcess.stop(e, Duration.ofSeconds(30));
            String id = target.replicaId();
            try (Rds other = target.other()) {
                if (other.describe(id) != null) {
                    other.delete(id);
                    other.waitDeleted(id, target.rds.local() ? Duration.ofMillis(200) : Aws.poll(Duration.ofSeconds(15)), Duration.ofMinutes(30));
                }
            }
            if (target.rds.local()) LocalDrRegion.down(false);
            out().println(Messages.get("maz11.down", id, target.drRegion()));
            return 0;
        }
    }
}
