import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import region.Topology.Phase;
import region.Topology.Role;
import region.Verdict;
import region.Verdict.Action;

/**
 * The control plane's decision, one case per row: what it saw (times in ms before "now"; null
 * when never), what the topology was meant to be, and what it must do. The real-server tests
 * (LabHangsTest, LabCrashTest) then cover each case once against PostgreSQL.
 */
class VerdictTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    /**
     * One row. frozenMs: the postmaster stopped that long; stuckMs: the health commit in flight
     * that long; answeredMs: the standby's last answer that long ago; askedMs: a question to the
     * standby unanswered that long; primaryMs: the primary's last answer on another connection
     * that long ago; primaryWalMs: the primary's WAL last moved that long ago; standbyWalMs: the
     * WAL the standby receives last moved that long ago; behind: the standby has less WAL than the
     * primary wrote. What the control plane sees, and what each server sees of the other.
     */
    record Row(String name, boolean primaryUp, Integer frozenMs, Integer stuckMs, boolean standbyUp, Integer answeredMs, Integer askedMs,
               Integer primaryMs, Integer primaryWalMs, Integer standbyWalMs, boolean behind, Phase phase, Role standbyRole, boolean synchronous,
               Action expected) {
        Row(String name, boolean primaryUp, Integer frozenMs, Integer stuckMs, boolean standbyUp, Integer answeredMs, Integer askedMs,
            Phase phase, Role standbyRole, boolean synchronous, Action expected) {
            this(name, primaryUp, frozenMs, stuckMs, standbyUp, answeredMs, askedMs, null, null, null, false, phase, standbyRole, synchronous, expected);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final List<Row> ROWS = List.of(
            new Row("all well", true, null, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("a commit a little slow", true, null, 150, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("postmaster frozen (SIGSTOP)", true, 400, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("postmaster frozen a moment", true, 100, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("backends frozen: commits stuck, standby answers", true, null, 300, true, 20, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("busy: commits wait behind a large transaction, WAL still flows", true, null, 600, true, 20, null, 400, 30, 30, true, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("slow: a commit waits on a busy disk, the primary still answers", true, null, 600, true, 20, null, 40, 400, 400, false, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("busy for too long: the standby cannot keep up", true, null, 5200, true, 20, null, 40, 30, 30, true, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("commits hung for long on a primary that still answers", true, null, 5200, true, 20, null, 40, 4000, 4000, false, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("WAL moved and the primary answered a while ago, then nothing: hung", true, null, 600, true, 20, null, 400, 400, 400, false, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("answered only before the commit got stuck: hung", true, null, 300, true, 20, null, 350, 350, 350, false, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("commits stuck, which side unknown yet", true, null, 300, true, 400, 100, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("standby frozen: commits stuck, standby silent, the primary answers", true, null, 300, true, 600, 300, 20, 20, 700, true, Phase.READY, Role.STANDBY, true,
                    Action.DROP_STANDBY),
            new Row("standby answered once after the commit got stuck, then froze", true, null, 300, false, 250, 240, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby stopped (SIGSTOP or gone)", true, null, null, false, 600, 300, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby lost before any commit waits", true, null, 50, false, 200, 100, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            // Partitions: what the control plane sees, and what each server sees of the other.
            new Row("the standby's AZ cut off: commits stuck, the standby silent to the control plane", true, null, 300, true, 600, 300, 20, 20, 700, true,
                    Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("the primary's AZ cut off: silent to the control plane, the standby answers and receives nothing", true, null, 300, true, 20, null, 400, 400, 400, false,
                    Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("replication cut: both answer, the standby has less WAL than the primary and receives nothing", true, null, 300, true, 20, null, 20, 20, 500, true,
                    Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("replication cut, and the primary writes nothing more: the standby still behind the stuck commit", true, null, 300, true, 20, null, 20, 500, 500, true,
                    Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("the control plane cut from the primary: the standby still receives its WAL, the primary serves its clients", true, null, 600, true, 20, null, 700, 700, 20, false,
                    Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("the control plane cut from the standby: commits still complete, so it still confirms them", true, null, null, true, 900, 700, 20, 20, 20, false,
                    Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("standby silent only to the control plane, no commit waiting yet", true, null, null, true, 500, 250, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("the control plane cut from both: it cannot tell, and decides nothing", true, null, 900, true, 900, 700, 900, 900, 900, false,
                    Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("a slow replication link: commits take 150 ms, nothing stuck", true, null, 150, true, 20, null, 20, 20, 20, true, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("primary lost, synchronous standby", false, null, null, true, 20, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("primary lost during a rebuild", false, null, null, true, 20, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("primary lost while the standby restarts", false, null, null, true, 20, null, Phase.REJOINING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("primary hung during a rebuild, a moment", true, null, 500, false, null, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.NONE),
            new Row("primary hung during a rebuild", true, null, 1100, false, null, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("commits wait for the standby a rebuild makes synchronous, and it is lost: the rebuild's to cure", true, null, 1100, false, null, null,
                    Phase.BUILDING_STANDBY, Role.BUILDING, true, Action.NONE),
            new Row("commits wait for the standby a rejoin makes synchronous, and it froze", true, null, 1100, true, 600, 500,
                    Phase.REJOINING_STANDBY, Role.BUILDING, true, Action.NONE),
            new Row("commits wait for the standby a rebuild makes synchronous, both answer: slow", true, null, 1100, true, 20, null, 20, 20, 20, false,
                    Phase.BUILDING_STANDBY, Role.BUILDING, true, Action.NONE),
            new Row("commits wait for the standby a rebuild makes synchronous, the primary answers nothing: hung", true, null, 1100, true, 20, null,
                    Phase.BUILDING_STANDBY, Role.BUILDING, true, Action.RESTART_PRIMARY),
            new Row("both lost", false, null, null, false, 900, 700, Phase.READY, Role.STANDBY, true, Action.RESTART_PRIMARY),
            new Row("both frozen", true, 400, 500, false, 900, 700, Phase.READY, Role.STANDBY, true, Action.RESTART_PRIMARY),
            new Row("a standby being built is not yet watched", true, null, null, false, null, 2000, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.NONE),
            new Row("a failover decides for itself", false, null, null, true, 20, null, Phase.FAILING_OVER, Role.STANDBY, false, Action.NONE),
            new Row("a region being created decides for itself", false, null, null, false, null, null, Phase.CREATING_PRIMARY, Role.DOWN, false, Action.NONE),
            new Row("a failed change is tried again", true, null, null, false, null, null, Phase.FAILED, Role.DOWN, false, Action.RESTART_PRIMARY));

    static List<Row> rows() {
        return ROWS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachCaseOfTheTableIsDecidedAsWritten(Row r) {
        Verdict.Observation o = new Verdict.Observation(NOW, r.primaryUp(), ago(r.frozenMs()), ago(r.stuckMs()), r.standbyUp(),
                ago(r.answeredMs()), ago(r.askedMs()), ago(r.primaryMs()), ago(r.primaryWalMs()), ago(r.standbyWalMs()), r.behind());
        assertEquals(r.expected(), Verdict.of(o, new Verdict.Situation(r.phase(), r.standbyRole(), r.synchronous())), r.name());
    }

    /**
     * The gate between a verdict and the topology thread, one case per row: the verdict, the
     * phase, the change pending (null for none), whether there is no rebuild to cut short (none
     * runs, or an abandon is asked already), what the
     * monitor remembers (its last cure that long ago, its last retry that long ago), and what it
     * hands on and whether it cuts a rebuild short.
     */
    record Gate(String name, Action verdict, Phase phase, Action pending, boolean nothingToAbandon, Action last, Integer lastMs, Integer retryMs,
                Action handed, boolean abandon) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Gate> gates() {
        return List.of(
                new Gate("nothing to do", Action.NONE, Phase.READY, null, false, Action.NONE, null, null, Action.NONE, false),
                new Gate("a first failover", Action.FAIL_OVER, Phase.READY, null, false, Action.NONE, null, null, Action.FAIL_OVER, false),
                new Gate("the same cure 300 ms after the first: not asked again", Action.DROP_STANDBY, Phase.READY, null, false, Action.DROP_STANDBY, 300, null, Action.NONE, false),
                new Gate("the same cure 1.2 s after the first: the first did not take, asked again", Action.DROP_STANDBY, Phase.READY, null, false, Action.DROP_STANDBY, 1200, null, Action.DROP_STANDBY, false),
                new Gate("another cure soon after: asked", Action.FAIL_OVER, Phase.READY, null, false, Action.DROP_STANDBY, 100, null, Action.FAIL_OVER, false),
                new Gate("a change under way: nothing more is asked", Action.DROP_STANDBY, Phase.READY, Action.FAIL_OVER, false, Action.NONE, null, null, Action.NONE, false),
                new Gate("primary lost during a rebuild: the rebuild is cut short, the cure queued", Action.RESTART_PRIMARY, Phase.BUILDING_STANDBY, Action.DROP_STANDBY, false, Action.DROP_STANDBY, 200, null, Action.RESTART_PRIMARY, true),
                new Gate("primary lost while a standby rejoins: the same", Action.RESTART_PRIMARY, Phase.REJOINING_STANDBY, Action.FAIL_OVER, false, Action.NONE, null, null, Action.RESTART_PRIMARY, true),
                new Gate("primary lost during a rebuild, even right after the same cure", Action.RESTART_PRIMARY, Phase.BUILDING_STANDBY, Action.RESTART_PRIMARY, false, Action.RESTART_PRIMARY, 100, null, Action.RESTART_PRIMARY, true),
                new Gate("an abandon already asked: not asked twice", Action.RESTART_PRIMARY, Phase.BUILDING_STANDBY, Action.RESTART_PRIMARY, true, Action.RESTART_PRIMARY, 100, null, Action.NONE, false),
                new Gate("a rebuild cut short, the phase still 'building' while its cure restarts the primary: nothing more", Action.RESTART_PRIMARY, Phase.BUILDING_STANDBY, Action.RESTART_PRIMARY, true, Action.RESTART_PRIMARY, 50, null, Action.NONE, false),
                new Gate("a lost standby during a rebuild does not cut it short", Action.DROP_STANDBY, Phase.BUILDING_STANDBY, Action.DROP_STANDBY, false, Action.NONE, null, null, Action.NONE, false),
                new Gate("a failed change, first retry", Action.RESTART_PRIMARY, Phase.FAILED, null, false, Action.RESTART_PRIMARY, 5000, null, Action.RESTART_PRIMARY, false),
                new Gate("a failed change, retried 200 ms ago: not yet", Action.RESTART_PRIMARY, Phase.FAILED, null, false, Action.RESTART_PRIMARY, 5000, 200, Action.NONE, false),
                new Gate("a failed change, retried 600 ms ago, cure asked 600 ms ago: still the same cure within a second", Action.RESTART_PRIMARY, Phase.FAILED, null, false, Action.RESTART_PRIMARY, 600, 600, Action.NONE, false),
                new Gate("a failed change, retried 1.1 s ago: again", Action.RESTART_PRIMARY, Phase.FAILED, null, false, Action.RESTART_PRIMARY, 1100, 1100, Action.RESTART_PRIMARY, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gates")
    void eachCaseOfTheGateIsDecidedAsWritten(Gate g) {
        Verdict.Memory m = new Verdict.Memory(g.last(), g.lastMs() == null ? Instant.EPOCH : ago(g.lastMs()), ago(g.retryMs()));
        Verdict.Gated out = Verdict.gate(g.verdict(), NOW, g.phase(), g.pending(), g.nothingToAbandon(), m);
        assertEquals(g.handed(), out.action(), g.name());
        assertEquals(g.abandon(), out.abandonRebuild(), g.name() + ": abandon");
        if (out.action() != Action.NONE) assertEquals(NOW, out.memory().lastActionAt(), "a cure handed on is remembered");
    }

    private static Instant ago(Integer ms) {
        return ms == null ? null : NOW.minusMillis(ms);
    }
}
