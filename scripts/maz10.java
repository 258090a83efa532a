///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Deployment.java aws/MasterLogin.java aws/Rds.java common/Cli.java common/Database.java common/Evidence.java common/Messages.java
//SOURCES common/Problem.java common/Wait.java mission/Agent.java mission/AgentProcess.java mission/Journal.java mission/Mole.java mission/Proof.java region/Region.java
//SOURCES region/Topology.java
//DESCRIPTION Mission step 10, the mole: a DELETE that Multi-AZ replicates at once, recovered by a point-in-time restore; RPO and RTO measured.

// Step 10 of Operation DB007: the mole.
//
//   ./jbang maz10                          the lost rows copied back from the restored instance
//   ./jbang maz10 --bring-back promote     the restored data replaces the live data instead
//   ./jbang maz10 --target aws             RDS's RestoreDBInstanceToPointInTime (15 to 30 minutes)
//
// The agent writes again, in a run of its own. Then a "mole" deletes the last seconds of its
// rows, and the step shows from SQL that the standby lost them too, within milliseconds:
// synchronous replication copies a mistake as faithfully as a write. The cure is a copy from
// before the error. The step asks RDS (or the local region, through the same API) for a new
// instance restored to the second before the error's commit, from the automated backups (a
// base backup and the archived WAL), brings the rows back, and proves from the agent's journal
// that every write acknowledged before the recovery point is back. The restored instance is a
// new instance with an endpoint of its own: it never takes the writer endpoint.

import aws.Deployment;
import aws.MasterLogin;
import aws.Rds;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.PrintWriter;
import java.io.Writer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mission.Agent;
import mission.AgentProcess;
import mission.Journal;
import mission.Mole;
import mission.Proof;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.Region;
import region.Topology;

@Command(name = "maz10")
public class maz10 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--seconds", paramLabel = "N", defaultValue = "5", descriptionKey = "maz10.seconds") int seconds;
    @Option(names = "--after", paramLabel = "SECONDS", defaultValue = "3", descriptionKey = "maz10.after") int after;
    @Option(names = "--bring-back", paramLabel = "copy|promote", defaultValue = Mole.COPY, descriptionKey = "maz10.bring-back") String choice;
    @Option(names = "--restore-before", paramLabel = "SECONDS", defaultValue = "0", descriptionKey = "maz10.restore-before") int restoreBefore;
    @Option(names = "--restore-time", paramLabel = "TIME", descriptionKey = "maz10.restore-time") Instant restoreAt;
    @Option(names = "--restored-id", paramLabel = "ID", descriptionKey = "maz10.restored-id") String restoredId;
    @Option(names = "--replace", descriptionKey = "maz10.replace") boolean replace;
    @Option(names = "--resume", descriptionKey = "maz10.resume") boolean resume;

    /** What the step had done when it asked for the restore: all a run cut off then needs to go on (--resume). */
    record Requested(String statement, long deleted, Long xid, String errorAt, String errorStartedAt, Long standbyMs, String restoreTime,
                     String target, String requestedAt, String runId, String choice) {
        static final String FILE = "restore-requested.json";
    }

    public static void main(String[] args) {
        System.exit(Cli.run(new maz10(), args));
    }

    // Long because the step reads top to bottom like the exercise: choose the time, restore, compare, keep the evidence.
    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz10.title"));
        if (!choice.equals(Mole.COPY) && !choice.equals(Mole.PROMOTE)) throw Problem.environment("maz10.choice", choice);
        Evidence mission = evidenceDir.open("maz");
        if (resume) return resume(mission, started, out);
        Evidence evidence = Evidence.fresh(mission.dir().resolve(Mole.FOLDER));
        String target = restoredId != null ? restoredId : rds.local() ? "db007-restored" : Deployment.load().instance() + "-restored";

        try (Rds api = Rds.open(rds)) {
            Rds.Instance live = api.describe();
            // A time before the window is refused now, not after the step's writing: the window only moves later.
            Rds.RestoreWindow now = restoreAt == null ? null : api.restoreWindow();
            if (now != null && restoreAt.isBefore(now.earliest())) throw Problem.failed("maz10.outside", restoreAt, now.earliest(), now.latest());
            Database.Login login = MasterLogin.of(rds, live);
            // The first restored instance is kept unless the student asks to replace it.
            if (api.describe(target) != null) {
                if (!replace) throw Problem.failed("maz10.restored.exists", target);
                out.println(Messages.get("maz10.replacing", target));
                api.delete(target);
                waitGone(api, target, lookEvery());
            }

            // ---- the agent writes, in a run of its own ----
            Agent agent = new Agent(rds, evidence, Duration.ZERO, new PrintWriter(Writer.nullWriter()), false);
            Thread writing = new Thread(() -> {
                try {
                    agent.run();
                } catch (Exception e) {
                    Thread.currentThread().getThreadGroup().uncaughtException(Thread.currentThread(), e);
                }
            }, "agent");
            writing.start();
            out.println(Messages.get("maz10.agent", seconds + 1));
            Thread.sleep((seconds + 1) * 1000L);

            // ---- the mole ----
            Error error = mole(login, agent.runId());
            out.println(Messages.get("maz10.error", error.deleted(), seconds, Messages.clock(error.at())));
            out.println("  " + error.statement());
            Long standbyMs = rds.local() ? standbyLost(login, agent.runId(), error) : null;
            out.println(standbyMs != null ? Messages.get("maz10.replicated", standbyMs) : Messages.get("maz10.replicated.rds"));
            out.println(Messages.get("maz10.writing-after", after));
            Thread.sleep(after * 1000L);
            AgentProcess.requestStop(evidence);
            writing.join(30_000);

            // ---- the recovery point: the second before the error, once the backups hold it ----
            Instant restoreTime = restoreAt != null ? restoreAt : error.at().truncatedTo(ChronoUnit.SECONDS).minusSeconds(restoreBefore);
            Rds.RestoreWindow window = waitRestorable(api, restoreTime, lookEvery(), out);
            out.println(Messages.get("maz10.window", Messages.clock(window.earliest()), Messages.clock(window.latest())));
            if (restoreTime.isBefore(window.earliest()) || restoreTime.isAfter(window.latest())) {
                throw Problem.failed("maz10.outside", restoreTime, window.earliest(), window.latest());
            }

            // ---- RestoreDBInstanceToPointInTime: a new instance ----
            Instant requested = Instant.now();
            out.println(Messages.get("maz10.restoring", target, restoreTime));
            if (!rds.local()) out.println(Messages.get("maz10.cost"));
            api.restoreToPointInTime(target, restoreTime);
            Requested asked = new Requested(error.statement(), error.deleted(), error.xid(), error.at().toString(), error.startedAt().toString(), standbyMs,
                    restoreTime.toString(), target, requested.toString(), agent.runId(), choice);
            evidence.write(Requested.FILE, asked);
            out.println(Messages.get("maz10.if-cut-off"));
            return finish(api, login, mission, evidence, asked, started, out);
        }
    }

    /** After a session that ended while RDS restored: the restore asked for is found, awaited, and the step goes on from there. */
    private int resume(Evidence mission, Instant started, PrintWriter out) throws Exception {
        Evidence evidence = new Evidence(mission.dir().resolve(Mole.FOLDER));
        if (!java.nio.file.Files.exists(evidence.file(Requested.FILE))) throw Problem.environment("maz10.resume.none", evidence.file(Requested.FILE));
        Requested asked = common.Json.read(evidence.file(Requested.FILE), Requested.class);
        try (Rds api = Rds.open(rds)) {
            if (api.describe(asked.target()) == null) throw Problem.failed("maz10.resume.gone", asked.target());
            out.println(Messages.get("maz10.resuming", asked.target(), asked.requestedAt()));
            return finish(api, MasterLogin.of(rds, api.describe()), mission, evidence, asked, started, out);
        }
    }

    // Long because the end of the step reads as the exercise's: the restored instance, the rows brought back, the proof, the figures.
    private int finish(Rds api, Database.Login login, Evidence mission, Evidence evidence, Requested asked, Instant started, PrintWriter out) throws Exception {
        String target = asked.target();
        String choice = asked.choice();
        Instant requested = Instant.parse(asked.requestedAt());
        Instant restoreTime = Instant.parse(asked.restoreTime());
        Error error = new Error(asked.statement(), asked.deleted(), asked.xid(), Instant.parse(asked.errorAt()), Instant.parse(asked.errorStartedAt()), null);
        Long standbyMs = asked.standbyMs();
        Rds.Instance restored = api.waitAvailable(target, rds.local() ? Duration.ofMillis(200) : Duration.ofSeconds(30),
                rds.local() ? Duration.ofMinutes(10) : Duration.ofHours(2),
                e -> out.println("  " + Messages.clock(e.time()) + "  " + Rds.describe(e)));
        Instant available = Instant.now();
        out.println(Messages.get("maz10.restored", target, restored.host(), restored.port(), Mole.seconds(requested, available)));

        // ---- bringing the rows back ----
        Database.Login from = MasterLogin.of(rds, restored);
        long moved = Mole.bringBack(from, login, asked.runId(), choice);
        Instant recovered = Instant.now();
        out.println(Messages.get(choice.equals(Mole.COPY) ? "maz10.copied" : "maz10.promoted", moved));

        // ---- the proof, from the journal against the live rows ----
        Map<Long, Proof.Row> rows = Proof.fetchRows(login, asked.runId());
        Proof.writeRows(evidence.file(Proof.ROWS), rows.values());
        List<Journal.Entry> journal = Journal.read(evidence.file(Journal.FILE));
        Mole.Count c = Mole.recount(journal, rows, error.at(), restoreTime);
        double rpo = Mole.seconds(restoreTime, error.at());
        boolean pass = error.deleted() > 0 && c.missingBeforeRecoveryPoint() == 0 && (choice.equals(Mole.PROMOTE) || c.lostAfterError() == 0);
        Mole m = new Mole(pass ? "pass" : "fail", choice, error.at().toString(), error.xid(), error.deleted(), standbyMs, restoreTime.toString(), target,
                restored.host() + ":" + restored.port(), requested.toString(), available.toString(), recovered.toString(), c.acknowledgedBeforeError(),
                c.backBeforeError(), c.lostBeforeError(), c.acknowledgedAfterError(), c.keptAfterError(), c.lostAfterError(), rpo,
                Mole.seconds(requested, available), Mole.seconds(requested, recovered));
        m.write(evidence);
        out.println(Messages.get("maz10.proof.before", c.acknowledgedBeforeError(), c.backBeforeError(), c.lostBeforeError()));
        out.println(Messages.get(choice.equals(Mole.COPY) ? "maz10.proof.after.copy" : "maz10.proof.after.promote", c.acknowledgedAfterError(),
                c.keptAfterError(), c.lostAfterError()));
        out.println(Messages.get("maz10.rpo", Messages.seconds(rpo), Messages.clock(restoreTime), Messages.clock(error.at())));
        out.println(Messages.get("maz10.rto", Messages.seconds(m.rtoSeconds()), Messages.seconds(m.restoreSeconds())));
        Proof failover = Proof.read(mission.dir());
        out.println(failover == null ? Messages.get("maz10.beside.none") : Messages.get("maz10.beside", failover.lostWrites()));
        out.println(Messages.get("maz10.notice", target, restored.host() + ":" + restored.port()));
        out.println(Messages.get(pass ? "step.pass" : "step.fail"));
        mission.step("maz10", started, pass, m);
        return pass ? 0 : Problem.CHECK_FAILED;
    }

    /**
     * The error: its statement, how many rows it took, its transaction and the moment it
     * committed; on PostgreSQL, the numbers of the rows it took, for the standby to be asked
     * about exactly those (null on MySQL, and once the step resumes).
     */
    record Error(String statement, long deleted, Long xid, Instant at, Instant startedAt, Long[] deletedSeqs) {}

    /**
     * The mole deletes the agent's last seconds of rows in one transaction. Its commit time comes
     * from the server itself (track_commit_timestamp on PostgreSQL); MySQL keeps none, so there it
     * is the moment the commit was acknowledged.
     */
    private Error mole(Database.Login login, String runId) throws SQLException {
        String statement = login.mysql()
                ? "DELETE FROM db007_writes WHERE run_id = ? AND sent_at > UTC_TIMESTAMP(6) - INTERVAL " + seconds + " SECOND"
                : "DELETE FROM db007_writes WHERE run_id = ? AND sent_at > now() - interval '" + seconds + " seconds'";
        try (Connection c = Database.connect(login, 5, 60, "db007-mole")) {
            c.setAutoCommit(false);
            long deleted;
            Long xid = null;
            // The moment the statement's "now" stands for: it deleted what was sent in the seconds before.
            Instant startedAt;
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(login.mysql() ? "SELECT UTC_TIMESTAMP(6)" : "SELECT now()")) {
                r.next();
                startedAt = login.mysql() ? r.getTimestamp(1).toLocalDateTime().toInstant(java.time.ZoneOffset.UTC) : r.getTimestamp(1).toInstant();
            }
            Long[] seqs = null;
            // RETURNING adds nothing to what is deleted: it names the rows, for the standby to be asked
            // about those rows and no others (a write sent just before "now" but committed after the
            // DELETE's snapshot is not deleted, and a window of time would count it).
            try (PreparedStatement d = c.prepareStatement(login.mysql() ? statement : statement + " RETURNING seq")) {
                d.setString(1, runId);
                if (login.mysql()) {
                    deleted = d.executeUpdate();
                } else {
                    List<Long> taken = new ArrayList<>();
                    try (ResultSet r = d.executeQuery()) {
                        while (r.next()) taken.add(r.getLong(1));
                    }
                    deleted = taken.size();
                    seqs = taken.toArray(Long[]::new);
                }
            }
            if (!login.mysql()) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT txid_current()")) {
                    r.next();
                    xid = r.getLong(1);
                }
            }
            c.commit();
            Instant acked = Instant.now();
            c.setAutoCommit(true);
            Instant at = acked;
            if (xid != null) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT pg_xact_commit_timestamp('" + (xid & 0xFFFFFFFFL) + "'::xid)")) {
                    if (r.next() && r.getTimestamp(1) != null) at = r.getTimestamp(1).toInstant();
                } catch (SQLException notKept) {
                    // A region made before commit times were kept (track_commit_timestamp): the acknowledgement's time stands.
                }
            }
            return new Error(statement.replace("?", "'" + runId + "'"), deleted, xid, at, startedAt, seqs);
        }
    }

    /** How long after the commit the standby no longer held the deleted rows, asked on the standby itself (local region). */
    private Long standbyLost(Database.Login login, String runId, Error error) throws Exception {
        Region.Status status = Region.status(Region.load());
        Region.Node standby = status.nodes().stream().filter(n -> n.role() == Topology.Role.STANDBY).findFirst().orElse(null);
        if (standby == null) return null;
        Database.Login onStandby = new Database.Login(login.engine(), "127.0.0.1", standby.port(), login.user(), login.password(), login.database(), null);
        try (Connection c = Database.connect(onStandby, 5, 30, "db007-mole-check");
             PreparedStatement replayed = c.prepareStatement("SELECT txid_status(?)");
             PreparedStatement q = c.prepareStatement("SELECT count(*) FROM db007_writes WHERE run_id = ? AND seq = ANY (?)")) {
            // Asked of the transaction's status, not of the rows: a query scanning the table every few
            // milliseconds pins the pages the standby's replay must clean up, and can hold that replay back.
            replayed.setLong(1, error.xid());
            Long ms = Wait.until("the standby to apply the DELETE", Duration.ofSeconds(10), Duration.ofMillis(2), () -> {
                try (ResultSet r = replayed.executeQuery()) {
                    r.next();
                    return "committed".equals(r.getString(1)) ? Math.max(0, Duration.between(error.at(), Instant.now()).toMillis()) : null;
                } catch (SQLException notYet) {
                    // "in the future": the standby has not replayed as far as this transaction's id yet.
                    if ("22023".equals(notYet.getSQLState())) return null;
                    throw notYet;
                }
            });
            // Then the rows themselves, once: none of those the mole deleted is left on the standby.
            q.setString(1, runId);
            q.setArray(2, c.createArrayOf("bigint", error.deletedSeqs()));
            try (ResultSet r = q.executeQuery()) {
                r.next();
                return r.getLong(1) == 0 ? ms : null;
            }
        } catch (Wait.TimedOut e) {
            return null;
        }
    }

    /**
     * Waits until the automated backups can restore to that time, showing how far the latest
     * restorable time lags: about five minutes on RDS, a few seconds in the local region.
     */
    private static Rds.RestoreWindow waitRestorable(Rds api, Instant time, Duration every, PrintWriter out) throws Exception {
        var seen = new Object() {
            Rds.RestoreWindow window;
            Instant said = Instant.EPOCH;
        };
        try {
            return Wait.until("the backups to reach " + time, Duration.ofMinutes(15), every, () -> {
                Rds.RestoreWindow w = seen.window = api.restoreWindow();
                if (w != null && !w.latest().isBefore(time)) return w;
                // Progress every 30 s: RDS's latest restorable time lags by about five minutes.
                if (Duration.between(seen.said, Instant.now()).toSeconds() >= 30 || seen.said.equals(Instant.EPOCH)) {
                    out.println(Messages.get("maz10.lag", w == null ? "-" : Messages.clock(w.latest()),
                            w == null ? "-" : Messages.seconds(Duration.between(w.latest(), Instant.now()).toMillis() / 1000.0)));
                    out.flush();
                    seen.said = Instant.now();
                }
                return null;
            });
        } catch (Wait.TimedOut e) {
            throw Problem.failed("maz10.not-restorable", time, seen.window == null ? "-" : seen.window.latest());
        }
    }

    /** How often to ask the API: the local region answers in a millisecond and moves in tenths of a second; RDS in minutes. */
    private Duration lookEvery() {
        return rds.local() ? Duration.ofMillis(100) : Duration.ofSeconds(1);
    }

    /** Until RDS no longer knows the instance; a deletion still under way after 30 minutes is left to teardown. */
    private static void waitGone(Rds api, String id, Duration every) {
        Wait.within(Duration.ofMinutes(30), every, () -> api.describe(id) == null);
    }
}
