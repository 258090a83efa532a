import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
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
     * that long ago; walMs: WAL last moved that long ago.
     */
    record Row(String name, boolean primaryUp, Integer frozenMs, Integer stuckMs, boolean standbyUp, Integer answeredMs, Integer askedMs,
               Integer primaryMs, Integer walMs, Phase phase, Role standbyRole, boolean synchronous, Action expected) {
        Row(String name, boolean primaryUp, Integer frozenMs, Integer stuckMs, boolean standbyUp, Integer answeredMs, Integer askedMs,
            Phase phase, Role standbyRole, boolean synchronous, Action expected) {
            this(name, primaryUp, frozenMs, stuckMs, standbyUp, answeredMs, askedMs, null, null, phase, standbyRole, synchronous, expected);
        }
    }

    static final List<Row> ROWS = List.of(
            new Row("all well", true, null, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("a commit a little slow", true, null, 150, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("postmaster frozen (SIGSTOP)", true, 400, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("postmaster frozen a moment", true, 100, null, true, 30, null, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("backends frozen: commits stuck, standby answers", true, null, 300, true, 20, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("busy: commits wait behind a large transaction, WAL still flows", true, null, 600, true, 20, null, 400, 30, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("slow: a commit waits on a busy disk, the primary still answers", true, null, 600, true, 20, null, 40, 400, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("busy for too long: the standby cannot keep up", true, null, 5200, true, 20, null, 40, 30, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("commits hung for long on a primary that still answers", true, null, 5200, true, 20, null, 40, 4000, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("WAL moved and the primary answered a while ago, then nothing: hung", true, null, 600, true, 20, null, 400, 400, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("answered only before the commit got stuck: hung", true, null, 300, true, 20, null, 350, 350, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("commits stuck, which side unknown yet", true, null, 300, true, 400, 100, Phase.READY, Role.STANDBY, true, Action.NONE),
            new Row("standby frozen: commits stuck, standby silent", true, null, 300, true, 600, 300, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby answered once after the commit got stuck, then froze", true, null, 300, false, 250, 240, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby stopped (SIGSTOP or gone)", true, null, null, false, 600, 300, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby lost before any commit waits", true, null, 50, false, 200, 100, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("standby silent, no commit waiting yet", true, null, null, true, 500, 250, Phase.READY, Role.STANDBY, true, Action.DROP_STANDBY),
            new Row("primary lost, synchronous standby", false, null, null, true, 20, null, Phase.READY, Role.STANDBY, true, Action.FAIL_OVER),
            new Row("primary lost during a rebuild", false, null, null, true, 20, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("primary lost while the standby restarts", false, null, null, true, 20, null, Phase.REJOINING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("primary hung during a rebuild, a moment", true, null, 500, false, null, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.NONE),
            new Row("primary hung during a rebuild", true, null, 1100, false, null, null, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.RESTART_PRIMARY),
            new Row("both lost", false, null, null, false, 900, 700, Phase.READY, Role.STANDBY, true, Action.RESTART_PRIMARY),
            new Row("both frozen", true, 400, 500, false, 900, 700, Phase.READY, Role.STANDBY, true, Action.RESTART_PRIMARY),
            new Row("a standby being built is not yet watched", true, null, null, false, null, 2000, Phase.BUILDING_STANDBY, Role.BUILDING, false, Action.NONE),
            new Row("a failover decides for itself", false, null, null, true, 20, null, Phase.FAILING_OVER, Role.STANDBY, false, Action.NONE),
            new Row("a region being created decides for itself", false, null, null, false, null, null, Phase.CREATING_PRIMARY, Role.DOWN, false, Action.NONE),
            new Row("a failed change is tried again", true, null, null, false, null, null, Phase.FAILED, Role.DOWN, false, Action.RESTART_PRIMARY));

    @Test
    void eachCaseOfTheTableIsDecidedAsWritten() {
        for (Row r : ROWS) {
            Verdict.Observation o = new Verdict.Observation(NOW, r.primaryUp(), ago(r.frozenMs()), ago(r.stuckMs()), r.standbyUp(),
                    ago(r.answeredMs()), ago(r.askedMs()), ago(r.primaryMs()), ago(r.walMs()));
            assertEquals(r.expected(), Verdict.of(o, new Verdict.Situation(r.phase(), r.standbyRole(), r.synchronous())), r.name());
        }
    }

    private static Instant ago(Integer ms) {
        return ms == null ? null : NOW.minusMillis(ms);
    }
}
