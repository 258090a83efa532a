package mission;

//SOURCES ../common/BackgroundJvm.java ../common/Evidence.java ../common/Problem.java ../common/Wait.java Agent.java Journal.java

import common.BackgroundJvm;
import common.Evidence;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The agent as a process of its own, driven through its evidence folder: started detached from
 * the terminal (the maz3 step, or resume), asked to stop by the file agent.stop, and waited for
 * until agent.json says it stopped, wherever it runs.
 */
public final class AgentProcess {
    private AgentProcess() {}

    /** An agent started in a process of its own: its pid, and its summary once it wrote. */
    public record Started(long pid, Agent.Summary summary) {}

    /**
     * Runs the agent as its own process (the maz3 step, detached from this terminal), writing into
     * that evidence folder for that long (0: until stopped), and returns once it has a write
     * acknowledged; resuming, it goes on with the run a cut-off agent left there.
     */
    public static Started start(Evidence evidence, List<String> targetArguments, double seconds, boolean resume) throws IOException {
        List<String> args = new ArrayList<>(List.of("--evidence", evidence.dir().toString(), "--duration", Double.toString(seconds)));
        args.addAll(targetArguments);
        if (resume) args.add("--resume");
        else Files.deleteIfExists(evidence.file(Agent.SUMMARY));
        long acknowledgedBefore = resume && Agent.Summary.read(evidence) != null ? Agent.Summary.read(evidence).acknowledged() : 0;
        Process p = BackgroundJvm.detached(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "maz3", args, evidence.file(Agent.LOG)).start();
        try {
            Agent.Summary s = Wait.until("the background agent's first acknowledged write", Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                if (!p.isAlive()) throw Problem.failed("maz3.background.died", evidence.file(Agent.LOG));
                Agent.Summary now = Agent.Summary.read(evidence);
                boolean writes = now != null && now.pid() == p.pid() && Files.exists(evidence.file(Journal.FILE))
                        && (resume ? now.acknowledged() > acknowledgedBefore
                                : Journal.readFrom(evidence.file(Journal.FILE), new long[1]).stream().anyMatch(e -> e.outcome() == Journal.Outcome.ack));
                return writes ? now : null;
            });
            return new Started(p.pid(), s);
        } catch (Wait.TimedOut e) {
            throw Problem.failed("maz3.background.silent", evidence.file(Agent.LOG));
        }
    }

    /** Asks the agent writing into this evidence folder to stop, without waiting for it. */
    public static void requestStop(Evidence evidence) throws IOException {
        Files.writeString(evidence.file(Agent.STOP), Instant.now().toString());
    }

    /** Asks a running agent to stop, wherever it runs, and waits until it has closed its journal. */
    public static Agent.Summary stop(Evidence evidence, Duration timeout) throws IOException, InterruptedException {
        Agent.Summary s = Agent.Summary.read(evidence);
        if (s == null) throw Problem.failed("maz3.none", evidence.dir());
        if (s.status().equals("stopped")) return s;
        requestStop(evidence);
        try {
            return Wait.until("the agent to close its journal", timeout, Duration.ofMillis(20), () -> {
                Agent.Summary now = Agent.Summary.read(evidence);
                if (now != null && now.status().equals("stopped")) return now;
                if (now != null && now.pid() != ProcessHandle.current().pid() && ProcessHandle.of(now.pid()).isEmpty()) {
                    throw Problem.failed("maz3.vanished", now.pid(), evidence.file(Agent.LOG));
                }
                return null;
            });
        } catch (Wait.TimedOut e) {
            throw Problem.failed("maz3.stop.timeout", timeout.toSeconds());
        }
    }
}
