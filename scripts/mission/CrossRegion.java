package mission;

//SOURCES ../common/Database.java ../common/Evidence.java ../common/Json.java RegionLoss.java

import common.Database;
import common.Evidence;
import common.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What step 11 records in its evidence folder, one record per file, and how it looks at the
 * replica. Each moment is taken by the step that lived it: the replica's creation, the lag seen
 * before the disaster, the disaster, the promotion, the agent's move.
 */
public final class CrossRegion {
    private CrossRegion() {}

    public static final String REPLICA = "replica.json";
    public static final String LAG = "lag.json";
    public static final String DISASTER = "disaster.json";
    public static final String PROMOTION = "promotion.json";
    public static final String REPOINT = "repoint.json";

    /** The replica: where it is, what it copies, how long the link's latency is (locally; null on AWS, where distance sets it). */
    public record Replica(String target, String sourceInstance, String sourceRegion, String sourceArn, String instance, String region,
                          Long linkLatencyMs, String requestedAt, String availableAt, String address, Integer port, String engine, String masterUser,
                          String secretArn) {
        /** The same replica at another address: the promoted instance's endpoint, where the agent moved. */
        public Replica at(String otherAddress, Integer otherPort) {
            return new Replica(target, sourceInstance, sourceRegion, sourceArn, instance, region, linkLatencyMs, requestedAt, availableAt, otherAddress,
                    otherPort, engine, masterUser, secretArn);
        }
    }

    /**
     * The replica's lag at one moment, as it says it: how far its replay stands behind the
     * present (now less the time of the last transaction it replayed, 0 when it has replayed all
     * it received), and the newest of this run's rows it holds; on AWS, CloudWatch's ReplicaLag
     * beside it (whole seconds, a minute's average, null when CloudWatch gave none).
     */
    public record Lag(String at, Long replayLagMs, Long newestSeq, String newestSentAt, Double cloudWatchSeconds) {}

    /** The disaster: when, how (the region went dark locally; declared on AWS), and the replica's lag just before. */
    public record Disaster(String at, String how, Lag lagBefore) {}

    /** PromoteReadReplica: when the student asked, and when the instance took writes. */
    public record Promotion(String requestedAt, String doneAt, String instance, String region) {}

    /** The agent sent to the promoted instance: when, and where. */
    public record Repoint(String at, String address, Integer port) {}

    /**
     * On AWS, the replica as step 11 made it, kept beside the deployment (DB007_HOME/aws) so that
     * teardown finds it in its Region even when the evidence folder has moved.
     */
    public static java.nio.file.Path onAws() {
        return common.Home.aws().resolve("replica.json");
    }

    /** The replica's view of its lag now, through a connection of its own; null fields where it cannot say. */
    public static Lag lagNow(Database.Login replica, String runId) throws SQLException {
        String sql = replica.mysql()
                ? "SELECT NULL, max(seq), max(sent_at) FROM db007_writes WHERE run_id = ?"
                // Replay stands behind only while received WAL waits: then its age is that of the last transaction replayed.
                : "SELECT CASE WHEN pg_last_wal_receive_lsn() IS NULL OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
                        + " ELSE (extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::bigint END,"
                        + " (SELECT max(seq) FROM db007_writes WHERE run_id = ?), (SELECT max(sent_at) FROM db007_writes WHERE run_id = ?)";
        // Five seconds to connect: the link between Regions makes SCRAM's handshake several of its round trips long.
        try (Connection c = Database.connect(replica, 5, 5, "db007-maz11"); PreparedStatement s = c.prepareStatement(sql)) {
            s.setString(1, runId);
            if (!replica.mysql()) s.setString(2, runId);
            try (ResultSet r = s.executeQuery()) {
                r.next();
                long lag = r.getLong(1);
                Long replay = r.wasNull() ? null : lag;
                long seq = r.getLong(2);
                Long newest = r.wasNull() ? null : seq;
                java.sql.Timestamp sent = r.getTimestamp(3);
                return new Lag(Instant.now().toString(), replay, newest, sent == null ? null : sent.toInstant().toString(), null);
            }
        }
    }

    public static Lag withCloudWatch(Lag l, Double seconds) {
        return new Lag(l.at(), l.replayLagMs(), l.newestSeq(), l.newestSentAt(), seconds);
    }

    /** The lag samples so far, the newest last. */
    public static List<Lag> lags(Evidence e) throws IOException {
        return Files.exists(e.file(LAG)) ? new ArrayList<>(List.of(Json.read(e.file(LAG), Lag[].class))) : new ArrayList<>();
    }

    public static void addLag(Evidence e, Lag l) throws IOException {
        List<Lag> all = lags(e);
        all.add(l);
        e.write(LAG, all);
    }

    public static <T> T read(Evidence e, String file, Class<T> type) throws IOException {
        return Files.exists(e.file(file)) ? Json.read(e.file(file), type) : null;
    }

    /** The moments the proof needs, from the records; null when the disaster has not been recorded. */
    public static RegionLoss.Moments moments(Evidence e) throws IOException {
        Disaster d = read(e, DISASTER, Disaster.class);
        if (d == null) return null;
        Promotion p = read(e, PROMOTION, Promotion.class);
        Repoint r = read(e, REPOINT, Repoint.class);
        Lag before = d.lagBefore();
        return new RegionLoss.Moments(Instant.parse(d.at()), before == null ? null : before.newestSeq(), before == null ? null : lagMs(before),
                p == null || p.requestedAt() == null ? null : Instant.parse(p.requestedAt()), p == null || p.doneAt() == null ? null : Instant.parse(p.doneAt()),
                r == null ? null : Instant.parse(r.at()));
    }

    /**
     * The lag as a duration, for the RPO to be compared with: how old the newest of this run's
     * writes the replica held was when it was asked (a loss then would have taken every write
     * after it), else the replica's own replay lag.
     */
    public static Long lagMs(Lag l) {
        if (l.newestSentAt() != null) return Math.max(0, java.time.Duration.between(Instant.parse(l.newestSentAt()), Instant.parse(l.at())).toMillis());
        return l.replayLagMs();
    }
}
