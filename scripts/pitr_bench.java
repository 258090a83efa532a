///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/MasterLogin.java aws/Rds.java common/Cli.java common/Database.java common/Home.java common/Json.java common/Messages.java common/Problem.java
//SOURCES common/Wait.java mission/Agent.java mission/Mole.java region/LocalRegion.java
//DESCRIPTION Benchmark of step 10's recovery on the local region: a point-in-time restore and the rows copied back, for 10 k, 100 k and 1 M rows.

// How long the logical recovery of step 10 takes as the data grows.
//
//   ./jbang pitr-bench                       10 000, 100 000 and 1 000 000 rows (needs about 1 GB free)
//   ./jbang pitr-bench --rows 10000,50000
//
// For each size, on a local region of its own (in a scratch home, deleted at the end with its
// archived WAL, several times the rows' size; the student's own region is not touched): the rows
// are written in one transaction; a mole
// deletes them all; a new instance is restored to the moment just after they were written
// (RestoreDBInstanceToPointInTime, through the region's RDS API); the rows are copied back into
// the live database; the restored instance is deleted. Prints the restore's time, the copy's,
// and their sum, the recovery's RTO once the mistake is noticed.

import aws.MasterLogin;
import aws.Rds;
import common.Cli;
import common.Database;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.Mole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.LocalRegion;

@Command(name = "pitr-bench")
public class pitr_bench extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Option(names = "--rows", paramLabel = "N,N,…", split = ",", defaultValue = "10000,100000,1000000", descriptionKey = "pitr-bench.rows") List<Long> sizes;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;

    public static void main(String[] args) {
        System.exit(Cli.run(new pitr_bench(), args));
    }

    @Override
    public Integer call() throws Exception {
        if (!rds.local()) throw Problem.environment("pitr-bench.local-only");
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        if (!json) out.println(Messages.get("bench.scratch"));
        // Taken before the scratch home becomes this process's: the figures stay in the student's.
        Path figures = Home.bench().resolve("pitr-bench-" + Instant.now().toString().replaceAll("[:.]", "") + ".json");
        try (LocalRegion.Scratch scratch = LocalRegion.Scratch.up(new PrintWriter(java.io.OutputStream.nullOutputStream()));
             Rds api = Rds.open(rds)) {
            Database.Login live = MasterLogin.of(rds, api.describe());
            if (!json) out.println(Messages.get("pitr-bench.header"));
            for (long n : sizes) {
                String runId = "pitr-bench-" + n + "-" + Instant.now().toEpochMilli();
                String target = "pitr-bench-" + n;
                if (api.describe(target) != null) api.delete(target);
                Instant written = write(live, runId, n);
                // Just after the rows' commit: the restore keeps them, and nothing that came after.
                Instant point = written.plusMillis(1);
                Thread.sleep(20);
                delete(live, runId);
                waitRestorable(api, point);
                Instant t0 = Instant.now();
                api.restoreToPointInTime(target, point);
                Rds.Instance restored = api.waitAvailable(target, Duration.ofMillis(200), Duration.ofMinutes(30), e -> { });
                Instant t1 = Instant.now();
                long back = Mole.bringBack(MasterLogin.of(rds, restored), live, runId, Mole.COPY);
                Instant t2 = Instant.now();
                long present = count(live, runId);
                api.delete(target);
                delete(live, runId);
                if (present != n) throw Problem.failed("pitr-bench.short", n, present);
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("rows", n);
                r.put("restore_seconds", Mole.seconds(t0, t1));
                r.put("copy_seconds", Mole.seconds(t1, t2));
                r.put("rto_seconds", Mole.seconds(t0, t2));
                r.put("rows_copied", back);
                results.add(r);
                if (!json) out.println(Messages.get("pitr-bench.row", n, Messages.seconds(Mole.seconds(t0, t1)), Messages.seconds(Mole.seconds(t1, t2)),
                        Messages.seconds(Mole.seconds(t0, t2))));
                out.flush();
            }
        }
        String written = Json.write(Map.of("runs", results, "cores", Runtime.getRuntime().availableProcessors()));
        Files.createDirectories(figures.getParent());
        Files.writeString(figures, written);
        out.println(json ? written : Messages.get("bench.written", figures));
        return 0;
    }

    /** N rows in one transaction, shaped as the agent's; returns its commit's time, as the server kept it. */
    private static Instant write(Database.Login live, String runId, long n) throws Exception {
        try (Connection c = Database.connect(live, 10, 3600, "db007-pitr-bench")) {
            Agent.createTable(c, live);
            c.setAutoCommit(false);
            long xid;
            try (PreparedStatement s = c.prepareStatement("INSERT INTO db007_writes (run_id, seq, sent_at, payload, checksum) "
                    + "SELECT ?, g, clock_timestamp(), 'db007 ' || ? || ' #' || g, md5(g::text) FROM generate_series(1, ?) g")) {
                s.setString(1, runId);
                s.setString(2, runId);
                s.setLong(3, n);
                s.executeUpdate();
            }
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT txid_current()")) {
                r.next();
                xid = r.getLong(1);
            }
            c.commit();
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_xact_commit_timestamp('" + (xid & 0xFFFFFFFFL) + "'::xid)")) {
                r.next();
                return r.getTimestamp(1).toInstant();
            }
        }
    }

    private static void delete(Database.Login live, String runId) throws Exception {
        try (Connection c = Database.connect(live, 10, 3600, "db007-pitr-bench"); PreparedStatement d = c.prepareStatement("DELETE FROM db007_writes WHERE run_id = ?")) {
            d.setString(1, runId);
            d.executeUpdate();
        }
    }

    private static long count(Database.Login live, String runId) throws Exception {
        try (Connection c = Database.connect(live, 10, 600, "db007-pitr-bench"); PreparedStatement q = c.prepareStatement("SELECT count(*) FROM db007_writes WHERE run_id = ?")) {
            q.setString(1, runId);
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static void waitRestorable(Rds api, Instant point) {
        try {
            Wait.until("the backups to reach " + point, Duration.ofMinutes(5), Duration.ofMillis(250), () -> {
                Rds.RestoreWindow w = api.restoreWindow();
                return w != null && !w.latest().isBefore(point);
            });
        } catch (Wait.TimedOut e) {
            throw Problem.failed("maz10.not-restorable", point, "-");
        }
    }
}
