import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.BackgroundJvm;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kit finds its own background JVMs by their command line (to stop a deleted lab's control
 * plane, or what a PRA site left running). A kit JVM's command line is pages long, its main class
 * after the class path: Java's own view of it stops at 4,096 characters.
 */
class BackgroundJvmTest {
    /** What the child runs: nothing but a wait, until the test kills it. */
    public static final class Idle {
        public static void main(String[] args) throws InterruptedException {
            Thread.sleep(60_000);
        }
    }

    @Test
    void aKitJvmWithAPagesLongCommandLineIsFoundByItsMainClass(@TempDir Path dir) throws Exception {
        String padding = "-Ddb007.padding=" + "x".repeat(9000);
        Process child = BackgroundJvm.child(List.of(padding), Idle.class.getName(), List.of("--marker"), dir.resolve("idle.log")).start();
        try {
            ProcessHandle h = child.toHandle();
            assertTrue(common.Wait.within(java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(20), () -> !BackgroundJvm.commandLine(h).isEmpty()));
            List<String> line = BackgroundJvm.commandLine(h);
            assertTrue(line.contains(padding) && line.contains("--marker"), "every argument, whole: " + line.size() + " words");
            assertEquals(Idle.class.getName(), line.get(line.indexOf("--marker") - 1), "the main class, after the class path");
            assertTrue(BackgroundJvm.runs(h, Idle.class.getName()));
            assertEquals(List.of(child.pid()), BackgroundJvm.running(Idle.class.getName()).stream().map(ProcessHandle::pid).toList(),
                    "found among all the machine's processes, by its home's mark and its main class");
        } finally {
            child.destroyForcibly();
            child.waitFor();
        }
    }
}
