package region;

//SOURCES ../common/BackgroundJvm.java ../common/FileTree.java ../common/Home.java ../common/Http.java ../common/Json.java ../common/Ports.java ../common/Problem.java
//SOURCES ../common/Wait.java DrRegion.java LocalRegion.java Processes.java Region.java

import common.BackgroundJvm;
import common.FileTree;
import common.Home;
import common.Http;
import common.Json;
import common.Ports;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The other Region of step 11, as the kit's commands start, ask and stop it: the process that
 * plays it (DrRegion) runs beside the mission's region, on ports of its own, its data in a
 * folder of its own, so that the loss of the mission's region leaves it standing.
 */
public final class LocalDrRegion {
    private LocalDrRegion() {}

    /** The Region's state, or null when it was never started here. */
    public static DrRegion.State state() throws IOException {
        return Files.exists(DrRegion.stateFile()) ? Json.read(DrRegion.stateFile(), DrRegion.State.class) : null;
    }

    /** Its API, as the SDK reaches it with --endpoint-url. */
    public static URI api(DrRegion.State s) {
        return URI.create("http://127.0.0.1:" + s.apiPort());
    }

    /** What the running Region says; null when nothing answers. */
    public static DrRegion.Status status(DrRegion.State s) {
        try {
            Http.Reply r = Http.get(URI.create(api(s) + "/db007/status"), Duration.ofSeconds(2), Duration.ofSeconds(3));
            return r.status() == 200 ? Json.read(r.body(), DrRegion.Status.class) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Starts the other Region if it is not running, and returns once its API answers. */
    public static DrRegion.State up() throws IOException {
        Region.State source = LocalRegion.requireState();
        DrRegion.State s = state();
        if (s != null && status(s) != null) return s;
        if (s == null) {
            int[] ports = Ports.free(2);
            s = new DrRegion.State(source.ownerUid(), source.ownerUser(), ports[0], ports[1], source.dataRoot() + "-dr", null, null);
        } else {
            // Its server may have outlived the Region's own process (killed alone): it goes, and comes back from its data.
            Processes.killIn(Path.of(s.dataRoot(), DrRegion.AZ));
            for (int port : new int[] {s.apiPort(), s.port()}) if (!LocalRegion.portFree(port)) throw Problem.environment("lab.port.taken", port);
        }
        Json.writeAtomically(DrRegion.stateFile(), s);
        ProcessBuilder pb = BackgroundJvm.detached(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), DrRegion.class.getName(),
                List.of(), Home.lab().resolve("dr-region.log"));
        Process p = pb.start();
        DrRegion.State started = s;
        try {
            Wait.until("the other Region's API", Duration.ofSeconds(60), Duration.ofMillis(50), () -> {
                if (!p.isAlive()) throw Problem.environment("dr.died", Home.lab().resolve("dr-region.log"));
                return status(started) != null;
            });
        } catch (Wait.TimedOut e) {
            throw Problem.environment("dr.died", Home.lab().resolve("dr-region.log"));
        }
        return state();
    }

    /** Stops the other Region and its server; with purge, deletes its data and its records. */
    public static void down(boolean purge) throws IOException {
        DrRegion.State s = state();
        if (s == null) return;
        if (status(s) != null) {
            Http.post(URI.create(api(s) + "/db007/shutdown"), "", Duration.ofSeconds(2), Duration.ofSeconds(5));
            Long pid = s.pid();
            if (pid != null && !Wait.within(Duration.ofSeconds(40), Duration.ofMillis(20), () -> !Processes.alive(pid))) {
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        } else if (s.pid() != null) {
            ProcessHandle.of(s.pid()).filter(h -> BackgroundJvm.runs(h, DrRegion.class.getName()))
                    .ifPresent(ProcessHandle::destroyForcibly);
        }
        Processes.killIn(Path.of(s.dataRoot(), DrRegion.AZ));
        if (purge) {
            FileTree.delete(Path.of(s.dataRoot()));
            Files.deleteIfExists(DrRegion.stateFile());
            Files.deleteIfExists(Home.lab().resolve("dr-events.jsonl"));
        }
    }
}
