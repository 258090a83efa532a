import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The kit as JBang builds it through ./jbang, once for the whole test run, in a JBang folder of
 * its own under target/ and with no locale at all, as a minimal container gives a new account.
 * BareMachineTest reads what that first command printed, JBang's build included; it and
 * CatalogTest then run the launcher on that build. Building it once per test class cost 20 s of
 * CPU each, and the user's own ~/.jbang kept a jar of every commit tested.
 */
final class KitBuild {
    /** The first command's exit code and everything it printed, the build's lines included. */
    record Run(int exit, String out) {}

    private static Path built;

    private KitBuild() {}

    /** JBANG_DIR for the launcher, the kit built in it; the first caller of the test run builds it, the others wait. */
    static synchronized Path jbangDir() throws Exception {
        if (built != null) return built.resolve("jbang");
        Path dir = folder();
        Files.createDirectories(dir);
        try (FileChannel lock = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock held = lock.lock()) {
            if (!Files.exists(dir.resolve("first.out"))) {
                removeOlderRuns(dir);
                Path jbang = Files.createDirectories(dir.resolve("jbang"));
                Run first = launcher(bareEnvironment(dir.resolve("home"), jbang), dir, "lab", "--lang", "fr", "--help");
                Path partial = Files.writeString(dir.resolve("first.partial"), first.exit() + "\n" + first.out());
                Files.move(partial, dir.resolve("first.out"), StandardCopyOption.ATOMIC_MOVE);
            }
        }
        built = dir;
        return dir.resolve("jbang");
    }

    /** The first command of the test run through the launcher: lab --lang fr --help, which had JBang build the kit. */
    static Run firstCommand() throws Exception {
        jbangDir();
        String recorded = Files.readString(built.resolve("first.out"));
        int newline = recorded.indexOf('\n');
        return new Run(Integer.parseInt(recorded.substring(0, newline)), recorded.substring(newline + 1));
    }

    /** What a minimal container gives a new account: a PATH and a HOME, no LANG, no LC_*; and the kit's home and JBang folder. */
    static Map<String, String> bareEnvironment(Path home, Path jbangDir) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", System.getProperty("user.home"));
        if (System.getenv("JAVA_HOME") != null) env.put("JAVA_HOME", System.getenv("JAVA_HOME"));
        env.put("DB007_HOME", home.toString());
        env.put("JBANG_DIR", jbangDir.toString());
        return env;
    }

    /** ./jbang with exactly this environment, run from that folder. */
    static Run launcher(Map<String, String> env, Path workdir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of("jbang").toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workdir.toFile()).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** Named by the Maven run, as the shared workshop is; a run from elsewhere, an IDE, gets one of its own. */
    private static Path folder() {
        String run = System.getProperty("db007.testRun", "pid" + ProcessHandle.current().pid());
        return Path.of("target").toAbsolutePath().resolve("jbang-" + run);
    }

    /** The builds of earlier test runs: a jar and JBang's bookkeeping each, of no use to this one. */
    private static void removeOlderRuns(Path mine) throws IOException {
        try (Stream<Path> runs = Files.list(mine.getParent())) {
            for (Path old : (Iterable<Path>) runs.filter(p -> p.getFileName().toString().startsWith("jbang-") && !p.equals(mine))::iterator) {
                common.FileTree.delete(old);
            }
        }
    }
}
