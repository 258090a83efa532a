package region;

//SOURCES PgNode.java Processes.java Region.java

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The faults the region must live through, struck as an operator or a failing machine would:
 * processes killed, or frozen with SIGSTOP (a process that hangs, alive and silent). Used by
 * bench and by the tests; never by the control plane itself.
 */
public final class Faults {
    private Faults() {}

    /** SIGKILL to every process of the node in that AZ; returns how many. */
    public static int kill(Region.State state, String az) {
        return Processes.killIn(Path.of(state.dataRoot(), az));
    }

    /** SIGSTOP to every process of the node, the postmaster too; returns the pids, for thaw. */
    public static List<Long> freeze(Region.State state, String az) throws IOException {
        return signal(state, az, "STOP", false);
    }

    /** SIGSTOP to every process of the node but its postmaster: new connections still come, existing work hangs. */
    public static List<Long> freezeBackends(Region.State state, String az) throws IOException {
        return signal(state, az, "STOP", true);
    }

    /** SIGCONT to processes frozen before, those the control plane has not killed meanwhile. */
    public static void thaw(List<Long> pids) throws IOException {
        for (long pid : pids) if (Processes.alive(pid)) send("CONT", pid);
    }

    private static List<Long> signal(Region.State state, String az, String signal, boolean sparePostmaster) throws IOException {
        Path dataDir = Path.of(state.dataRoot(), az);
        Long postmaster = PgNode.postmasterPid(dataDir);
        List<Long> done = new ArrayList<>();
        for (ProcessHandle p : Processes.in(dataDir)) {
            if (sparePostmaster && postmaster != null && p.pid() == postmaster) continue;
            send(signal, p.pid());
            done.add(p.pid());
        }
        return done;
    }

    private static void send(String signal, long pid) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
