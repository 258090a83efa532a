package region;

//SOURCES ../common/Wait.java

import common.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The processes of one PostgreSQL server, found by their working folder: PostgreSQL sets it to
 * the data folder, and backends outlive a killed postmaster for a while, so its pid is not enough.
 */
public final class Processes {
    private Processes() {}

    public static List<ProcessHandle> in(Path dataDir) {
        List<ProcessHandle> found = new ArrayList<>();
        Path real;
        try {
            real = dataDir.toRealPath();
        } catch (IOException e) {
            return found;
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    if (Files.readSymbolicLink(p.resolve("cwd")).equals(real)) {
                        ProcessHandle.of(Long.parseLong(p.getFileName().toString())).ifPresent(found::add);
                    }
                } catch (IOException | RuntimeException ignored) {
                    // Gone meanwhile, or not ours to read.
                }
            });
        } catch (IOException ignored) {
            // No /proc (macOS): the caller's postmaster pid has to do.
        }
        return found;
    }

    /**
     * Alive and not a zombie. A killed postmaster is re-parented to PID 1, which in some
     * containers reaps late; until then the kernel still lists it, dead as it is.
     */
    public static boolean alive(long pid) {
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) return false;
        char state = state(pid);
        return state != 'Z' && state != 'X';
    }

    /** The process's state letter from /proc (R, S, T for stopped, Z for zombie...), or '?' where there is no /proc. */
    public static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        } catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    /** SIGKILL to every process of the server, stopped ones included; returns how many there were. */
    public static int killIn(Path dataDir) {
        return kill(in(dataDir));
    }

    static int kill(List<ProcessHandle> victims) {
        victims.forEach(ProcessHandle::destroyForcibly);
        // onExit() of a process that is not our child polls slowly; a short poll of our own is faster.
        Wait.within(Duration.ofSeconds(5), Duration.ofMillis(2), () -> victims.stream().noneMatch(p -> alive(p.pid())));
        return victims.size();
    }
}
