import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import mission.Agent;
import mission.Mole;
import mission.Proof;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CloudShell session that ends mid-mission kills what it ran. Here the agent and the control
 * plane are killed outright (SIGKILL) while the agent writes; "resume" brings both back, the
 * agent going on with the same run and journal; the failover that follows is proved as usual,
 * and the proof shows the time the agent was away without counting it as an outage.
 */
class ResumeTest {
    Kit kit;

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.run("maz3", "stop");
            kit.purge();
        }
    }

    @Test
    void aMissionCutOffByASessionEndGoesOnAfterResumeAndItsProofShowsTheTimeAway(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("maz1");
        kit.ok("maz2");
        kit.ok("maz3", "--background");
        Kit.agentHasWritten(home.resolve("evidence/maz"), 20);
        long agentPid = Agent.Summary.read(new common.Evidence(home.resolve("evidence/maz"))).pid();
        long planePid = kit.state().controlPlanePid();
        for (long pid : new long[] {agentPid, planePid}) {
            ProcessHandle p = ProcessHandle.of(pid).orElseThrow();
            p.destroyForcibly();
            p.onExit().get();
        }
        // Long enough for the proof to see a time away, as a reconnection would leave.
        Thread.sleep(1500);

        Kit.Result resumed = kit.ok("resume");
        assertTrue(resumed.out().contains("Agent resumed in the background"), resumed.out());
        assertTrue(resumed.out().contains("Next step of the mission: ./jbang maz4"), "it says where the mission stands: " + resumed.out());
        kit.ok("maz4");
        kit.ok("maz5");
        kit.ok("maz7");
        Kit.Result proved = kit.ok("maz8");
        assertTrue(proved.out().contains("PROOF HOLDS"), proved.all());
        assertTrue(proved.out().contains("The agent was away from"), "the time away is shown: " + proved.out());

        Proof p = Proof.read(home.resolve("evidence/maz"));
        assertEquals(1, p.agentAway().size(), p.toString());
        Proof.Away away = p.agentAway().get(0);
        assertTrue(away.ms() >= 1500, "the agent was away while the session was: " + away);
        assertTrue(p.rtoMs() < away.ms(), "the time away is not the RTO: " + p.rtoMs() + " ms");
        assertEquals(0, p.journalHoles());
        assertEquals(0, p.unjournaledRows());
        Map<?, ?> summary = Json.read(home.resolve("evidence/maz/agent.json"), Map.class);
        assertEquals(p.runId(), summary.get("run_id"), "one run, before and after");
    }

    /** A region step 11 made go dark is not brought back by a resume: that is the student's decision, and the step's lesson. */
    @Test
    void aRegionStep11MadeGoDarkStaysDarkAfterResume(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        kit.ok("maz11", "replica", "--watch", "1");
        kit.ok("maz11", "disaster");
        Kit.Result resumed = kit.ok("resume");
        assertTrue(resumed.out().contains("(step 11's disaster) and stays so"), resumed.out());
        assertTrue(java.nio.file.Files.exists(home.resolve("lab/dark.json")), "still dark");
        Kit.Result status = kit.run("lab", "status");
        assertEquals(2, status.exit(), "nothing of the dark region answers: " + status.all());
        kit.ok("maz11", "down");
    }

    /**
     * A session that ends while RDS restores (15 to 30 minutes there) kills step 10 mid-wait:
     * "maz10 --resume" finds the restore it had asked for, waits for it, brings the rows back
     * and proves it, as an uncut run would.
     */
    @Test
    void aStep10CutOffWhileItsRestoreRunsGoesOnWithResume(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        Path output = Files.createTempFile(home, "maz10", ".out");
        Path asked = home.resolve("evidence/maz/mole/restore-requested.json");
        Files.deleteIfExists(asked);
        Process cut = kit.started(output, "maz10", "--replace", "--seconds", "2", "--after", "1");
        assertTrue(common.Wait.within(Duration.ofSeconds(90), Duration.ofMillis(10), () -> Files.exists(asked) || !cut.isAlive()),
                Files.readString(output));
        cut.destroyForcibly();
        cut.waitFor();
        assertTrue(Files.exists(asked), "the restore was asked for before the cut: " + Files.readString(output));

        Kit.Result resumed = kit.ok("maz10", "--resume");
        assertTrue(resumed.out().contains("Resuming: the restore of db007-restored"), resumed.out());
        Mole m = Mole.read(home.resolve("evidence/maz/mole"));
        assertEquals("pass", m.verdict(), resumed.all());
        assertEquals(m.acknowledgedBeforeError() - m.lostBeforeError(), m.backBeforeError(), "what came before the recovery point is back: " + resumed.out());
        assertEquals(Json.read(asked, Map.class).get("restore_time"), m.restoreTime(), "the restore the cut run asked for, not a new one");
    }

    /**
     * lab down ends the lab's background agent with it, and says how to go on: left running, it
     * would knock on a region that is gone several times a second until the session ends. Once
     * the lab is up again, the agent goes on with the same run.
     */
    @Test
    void labDownStopsTheHomesAgentWhichGoesOnWithTheSameRunAfterward(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        kit.ok("maz3", "--background");
        common.Evidence evidence = new common.Evidence(home.resolve("evidence/maz"));
        Agent.Summary before = Agent.Summary.read(evidence);
        Kit.Result down = kit.ok("lab", "down");
        assertTrue(down.out().contains("The agent writing to it (pid " + before.pid()), down.out());
        assertTrue(common.Wait.within(Duration.ofSeconds(10), Duration.ofMillis(20), () -> ProcessHandle.of(before.pid()).isEmpty()), "the agent is gone");
        assertEquals("stopped", Agent.Summary.read(evidence).status());
        assertTrue(down.out().contains("\"./jbang agent --background --resume\""), down.out());
        kit.ok("lab", "up");
        kit.ok("maz3", "--background", "--resume");
        Agent.Summary after = Agent.Summary.read(evidence);
        assertTrue(after.running(), after.toString());
        assertEquals(before.runId(), after.runId(), "the same run goes on");
    }
}
