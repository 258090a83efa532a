import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Home;
import common.Json;
import common.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import mission.CrossRegion;
import mission.Journal;
import mission.Proof;
import mission.RegionLoss;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.DrRegion;
import region.LocalDrRegion;
import region.Region;

/**
 * Step 11: a read replica in another Region, the whole first Region lost, the recovery there.
 * The default delay's run is the one the shared workshop made after its mission; a second run
 * without delay loses less; the AWS path goes through the real SDK in two Regions, against the
 * local Regions' APIs for RDS and a stand-in for CloudFormation and CloudWatch.
 */
class CrossRegionTest {
    @Test
    void atTheDefaultDelayAcknowledgedWritesAreLostAndCountedOneByOne() throws Exception {
        Workshop w = Workshop.get();
        Path folder = w.home.resolve("evidence/maz11");
        RegionLoss p = Json.read(folder.resolve(RegionLoss.FILE), RegionLoss.class);
        CrossRegion.Replica replica = Json.read(folder.resolve(CrossRegion.REPLICA), CrossRegion.Replica.class);
        assertEquals(40L, replica.linkLatencyMs(), "the default latency between the two Regions");
        assertEquals("consistent", p.verdict(), w.maz11.all());
        assertTrue(p.lostWrites() >= 1, "the replica trails by the link's latency: a loss now takes writes with it\n" + w.maz11.all());
        assertEquals(p.lostWrites(), p.lostSeqs().size(), "every lost write listed by number");
        assertTrue(w.maz11.out().contains("Lost, by number: " + RegionLoss.ranges(p.lostSeqs())), w.maz11.out());
        assertEquals(0, p.lostThoughReplicated(), "nothing the replica had shown it held is lost");
        assertEquals(0, p.lostAmidKept(), "a tail is lost, not holes");

        // The lost writes are exactly the journal's acknowledged writes that the promoted replica lacks.
        List<Journal.Entry> journal = Journal.read(folder.resolve(Journal.FILE));
        Map<Long, Proof.Row> rows = Proof.readRows(folder.resolve(RegionLoss.ROWS));
        Instant disaster = Instant.parse(p.disasterAt());
        long missing = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack && !rows.containsKey(e.seq())).count();
        assertEquals(p.lostWrites(), missing);
        // The RPO is a duration, recounted here: from the first lost write's acknowledgement to the disaster, or to the last
        // lost write when the region, going dark, acknowledged it later. It follows the link: no more than its latency plus what
        // replay and a busy machine add. No lower bound holds: a writer a busy machine stalls may write nothing in the link's
        // last milliseconds.
        List<Instant> lostAt = journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack && !rows.containsKey(e.seq())).map(Journal.Entry::doneAt)
                .sorted().toList();
        Instant end = lostAt.get(lostAt.size() - 1).isAfter(disaster) ? lostAt.get(lostAt.size() - 1) : disaster;
        assertEquals(Proof.millisBetween(lostAt.get(0), end), p.rpoMs(), "the RPO, from the first lost write's acknowledgement to the disaster or the last lost write");
        assertTrue(p.rpoMs() <= 40 + 300, "RPO " + p.rpoMs() + " ms for a 40 ms link");
        assertTrue(journal.stream().filter(e -> e.outcome() == Journal.Outcome.ack && !rows.containsKey(e.seq()))
                .allMatch(e -> !e.doneAt().isBefore(disaster.minusSeconds(2))), "only the last moments before the disaster are lost");
        assertTrue(p.acknowledgedByNewInstance() > 0 && p.lostAfterPromotion() == 0, "the promoted replica took writes and kept them");
        assertTrue(journal.stream().anyMatch(e -> e.outcome() == Journal.Outcome.ack && DrRegion.AZ.equals(e.az())), "writes acknowledged in the other Region");
        assertEquals(p.rtoMs(), p.detectionMs() + p.promotionMs() + p.repointMs(), "the RTO in its three parts");

        // The report: a page of its own and a section of the mission's, the proof embedded as the grader reads it.
        String page = Files.readString(folder.resolve("report.html"));
        assertEquals(Json.line(p), Json.line(Json.read(Report.embedded(page, "db007-region-loss"), RegionLoss.class)));
        String mission = Files.readString(w.home.resolve("evidence/maz/report.html"));
        assertTrue(mission.contains("id=\"region-loss\"") && Report.embedded(mission, "db007-region-loss") != null, "the mission's report gains a section");
        CrossRegion.Disaster d = Json.read(folder.resolve(CrossRegion.DISASTER), CrossRegion.Disaster.class);
        assertEquals("dark", d.how());
        assertNotNull(d.lagBefore().newestSeq(), "the lag seen just before the disaster");
        BarePairCost cost = Json.read(folder.resolve("sync-cost.json"), BarePairCost.class);
        assertTrue(cost.far_median_ms() >= 2 * 40 && cost.far_median_ms() > 10 * cost.near_median_ms(),
                "a synchronous copy 40 ms away costs each commit a round trip: " + cost);
    }

    /** sync-cost.json as a reader of the evidence sees it. */
    record BarePairCost(long latency_ms, double near_median_ms, double far_median_ms, double near_per_second, double far_per_second) {}

    @Test
    void theGraderRecountsStepElevenFromTheBundle(@TempDir Path dir) throws Exception {
        Workshop w = Workshop.get();
        Kit.Result graded = w.kit.run("grade", w.zip.toString(), "--csv", dir.resolve("g.csv").toString(), "--junit", dir.resolve("g.xml").toString());
        assertEquals(0, graded.exit(), graded.all());
        assertTrue(graded.out().contains("[ ok  ] maz.region"), "step 11 recounted from the bundle as the student's run computed it: " + graded.out());
        assertFalse(graded.out().contains("maz11/"), "no figure of step 11 differs from the recount: " + graded.out());
    }

    @Test
    void withoutDelayTheReplicaLosesLess(@TempDir Path home) throws Exception {
        Kit kit = new Kit(home);
        try {
            kit.ok("lab", "up");
            Kit.Result r = kit.ok("maz11", "--auto", "--delay", "0");
            RegionLoss none = Json.read(home.resolve("evidence/maz11/" + RegionLoss.FILE), RegionLoss.class);
            RegionLoss forty = Json.read(Workshop.get().home.resolve("evidence/maz11/" + RegionLoss.FILE), RegionLoss.class);
            assertEquals("consistent", none.verdict(), r.all());
            assertTrue(none.rpoMs() < forty.rpoMs(), "RPO " + none.rpoMs() + " ms without delay, " + forty.rpoMs() + " ms with 40 ms");
            assertTrue(none.lostWrites() <= forty.lostWrites(), none.lostWrites() + " lost without delay, " + forty.lostWrites() + " with 40 ms");
            assertTrue(r.out().contains("Run again with --delay 0 and --delay 200"), r.out());
        } finally {
            kit.run("lab", "down", "--purge");
        }
    }

    @Test
    void onAwsTheReplicaIsMadePromotedAndDeletedThroughTheSdkInTwoRegions(@TempDir Path home) throws Exception {
        Kit kit = new Kit(home);
        FakeAws aws = null;
        try {
            kit.ok("lab", "up");
            aws = new FakeAws(Kit.password(home));
            Region.State lab = kit.state();
            aws.outputs.put("InstanceId", Region.INSTANCE_ID);
            aws.outputs.put("Endpoint", "127.0.0.1");
            aws.outputs.put("Port", Integer.toString(lab.endpointPort()));
            Map<String, String> env = new HashMap<>(aws.env());
            env.put("DB007_DB_TLS", "disable");
            env.put("DB007_DB_PASSWORD", Kit.password(home));
            String rdsApi = "http://127.0.0.1:" + lab.apiPort();
            assertEquals(0, kit.run(env, "maz1", "--target", "aws", "--region", "local", "--student", "alice", "--allowed-cidr", "203.0.113.7/32").exit());
            assertEquals(0, kit.run(env, "maz2", "--target", "aws", "--region", "local", "--rds-endpoint-url", rdsApi).exit());
            // The other Region's RDS is the local one's, reached as the SDK reaches RDS in eu-west-1.
            Home.use(home);
            String drApi = LocalDrRegion.api(LocalDrRegion.up()).toString();
            aws.replicaLag.put("local-dr/db007-dr", 0.05);
            String[] where = {"--target", "aws", "--region", "local", "--rds-endpoint-url", rdsApi, "--dr-region", "local-dr", "--dr-endpoint-url", drApi};

            Kit.Result replica = kit.run(env, "maz11", concat(new String[] {"replica", "--watch", "2"}, where));
            assertEquals(0, replica.exit(), replica.all());
            assertTrue(replica.out().contains("USD an hour") && replica.out().indexOf("USD an hour") < replica.out().indexOf("CreateDBInstanceReadReplica"),
                    "the replica's cost is said before it is made: " + replica.out());
            assertEquals("local-dr", aws.stacks.get("db007-alice-dr-vpc").region, "the replica's network in the other Region");
            assertEquals("local-dr", aws.stacks.get("db007-alice-dr-net").region);
            assertEquals(Map.of("Student", "alice", "VpcStack", "db007-alice-dr-vpc", "Engine", "postgres", "AllowedCidr", "203.0.113.7/32"),
                    aws.stacks.get("db007-alice-dr-net").parameters);
            assertTrue(aws.calls.contains("cloudwatch.GetMetricStatistics local-dr ReplicaLag"), "the lag from CloudWatch, in the replica's Region: " + aws.calls);
            List<CrossRegion.Lag> lags = List.of(Json.read(home.resolve("evidence/maz11/" + CrossRegion.LAG), CrossRegion.Lag[].class));
            assertEquals(0.05, lags.get(lags.size() - 1).cloudWatchSeconds());
            assertNotNull(lags.get(lags.size() - 1).newestSeq(), "and from the replica itself, in SQL");

            for (String part : List.of("disaster", "promote", "repoint", "proof")) {
                Kit.Result r = kit.run(env, "maz11", concat(new String[] {part}, where));
                assertEquals(0, r.exit(), part + "\n" + r.all());
            }
            CrossRegion.Disaster d = Json.read(home.resolve("evidence/maz11/" + CrossRegion.DISASTER), CrossRegion.Disaster.class);
            assertEquals("declared", d.how());
            CrossRegion.Promotion promotion = Json.read(home.resolve("evidence/maz11/" + CrossRegion.PROMOTION), CrossRegion.Promotion.class);
            assertTrue(Duration.between(Instant.parse(d.at()), Instant.parse(promotion.requestedAt())).toMillis() < 2000,
                    "on AWS the replica is promoted as it stands, at the declared disaster");
            RegionLoss p = Json.read(home.resolve("evidence/maz11/" + RegionLoss.FILE), RegionLoss.class);
            assertEquals("consistent", p.verdict());
            assertTrue(p.acknowledgedByNewInstance() > 0, "the agent wrote on the promoted instance");

            Kit.Result down = kit.run(env, "teardown", "--target", "aws", "--region", "local", "--dr-endpoint-url", drApi);
            assertEquals(0, down.exit(), down.all());
            assertTrue(down.out().contains("db007-dr in local-dr"), down.out());
            assertNull(LocalDrRegion.status(LocalDrRegion.state()).state().replica(), "the replica is deleted in its Region");
            assertFalse(aws.stacks.containsKey("db007-alice-dr-net") || aws.stacks.containsKey("db007-alice-dr-vpc"), "and its network");
        } finally {
            kit.run("lab", "down", "--purge");
            if (aws != null) aws.close();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
