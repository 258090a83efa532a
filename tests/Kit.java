import common.Cli;
import common.Home;
import common.Json;
import common.Messages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import mission.Journal;
import region.Region;

/**
 * Runs the kit's commands as a student does, with their own DB007_HOME, so that tests see exit
 * codes, output and files, and the control plane runs for real: in this JVM through picocli when
 * they can, in a JVM of their own when they need a folder or a standard input.
 */
final class Kit {
    record Result(int exit, String out, String err) {
        String all() { return out + err; }
    }

    final Path home;
    /** The folder the commands run in, as the folder a student stands in; null for the test's own. */
    final Path workdir;

    Kit(Path home) {
        this(home, null);
    }

    private Kit(Path home, Path workdir) {
        this.home = home;
        this.workdir = workdir;
    }

    /** The same kit, its commands run from another folder. */
    Kit in(Path folder) {
        return new Kit(home, folder);
    }

    Result run(String mainClass, String... args) {
        return run(Map.of(), mainClass, args);
    }

    Result run(Map<String, String> env, String mainClass, String... args) {
        long started = System.nanoTime();
        // In this JVM, as the mission runs its steps, unless the command needs a folder of its own; the environment it
        // is given is this JVM's while it runs.
        boolean fork = workdir != null || FORK || !isCommand(mainClass);
        Result r = fork ? forked(env, "", mainClass, args)
                : env.isEmpty() ? inProcess(mainClass, args) : EnvironmentVariables.with(env, () -> inProcess(mainClass, args));
        // Where a test's time goes, command by command, in target/surefire-reports/<class>-output.txt.
        System.out.printf("kit: %s %s: exit %d in %d ms%s%n", mainClass, String.join(" ", args), r.exit(), (System.nanoTime() - started) / 1_000_000,
                fork ? ", own JVM" : "");
        return r;
    }

    /** In a JVM of its own, with this typed on its standard input (a command that asks reads it; none waits for more). */
    Result typing(Map<String, String> env, String input, String mainClass, String... args) {
        return forked(env, input, mainClass, args);
    }

    /** Started in a JVM of its own and left running, its output in that file: for a test that cuts it off as a session end would. */
    Process started(Path output, String mainClass, String... args) throws IOException {
        return command(Map.of(), mainClass, args).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    }

    /** A command's JVM as a student's machine would start it: this kit's home, English, and the environment given. */
    private ProcessBuilder command(Map<String, String> env, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (workdir != null) {
            pb.directory(workdir.toFile());
            // Run from elsewhere, a command finds the kit's own files as it does under the launcher.
            pb.environment().put("DB007_KIT", Path.of("").toAbsolutePath().toString());
        }
        pb.environment().put("DB007_HOME", home.toString());
        pb.environment().put("DB007_LANG", "en");
        pb.environment().putAll(env);
        return pb;
    }

    private Result forked(Map<String, String> env, String input, String mainClass, String... args) {
        ProcessBuilder pb = command(env, mainClass, args);
        try {
            Path out = Files.createTempFile("kit", ".out");
            Path err = Files.createTempFile("kit", ".err");
            Path in = Files.writeString(Files.createTempFile("kit", ".in"), input, StandardCharsets.UTF_8);
            pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(in.toFile());
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", args) + " did not finish in 5 minutes");
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            Files.delete(in);
            return r;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** DB007_TEST_FORK=1 runs every command in a JVM of its own, as the kit's launcher does. */
    private static final boolean FORK = "1".equals(System.getenv("DB007_TEST_FORK"));

    /** One of the kit's picocli commands; any other main class (the backup job's, say) runs in a JVM of its own. */
    private static boolean isCommand(String mainClass) {
        try {
            return Cli.KitCommand.class.isAssignableFrom(Class.forName(mainClass));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /**
     * A command in this JVM, with picocli's own writers: no JVM to start, so a test runs its
     * commands in milliseconds rather than seconds. The home and the language are set for it, as
     * the launcher's environment would.
     */
    private Result inProcess(String mainClass, String... args) {
        Object command;
        try {
            command = Class.forName(mainClass).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no command " + mainClass, e);
        }
        Home.use(home);
        Messages.use("en");
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        int[] exit = new int[1];
        Thread t = new Thread(() -> exit[0] = Cli.execute(command, args, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true)),
                "kit-" + mainClass);
        t.start();
        try {
            t.join(TimeUnit.MINUTES.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        if (t.isAlive()) {
            t.interrupt();
            throw new AssertionError(String.join(" ", args) + " did not finish in 5 minutes:\n" + out + err);
        }
        return new Result(exit[0], out.toString(), err.toString());
    }

    /** Runs and insists on exit code 0, showing everything the command said otherwise. */
    Result ok(String mainClass, String... args) {
        Result r = run(mainClass, args);
        if (r.exit() != 0) throw new AssertionError(mainClass + " " + String.join(" ", args) + " exited " + r.exit() + "\n" + r.all());
        return r;
    }

    Region.State state() throws IOException {
        return state(home);
    }

    /** The lab's folder, state and master password in a given DB007_HOME, read as files: the kit's commands find theirs through Home. */
    static Path lab(Path home) {
        return home.resolve("lab");
    }

    static Path stateFile(Path home) {
        return lab(home).resolve("region.json");
    }

    static Region.State state(Path home) throws IOException {
        return Json.read(stateFile(home), Region.State.class);
    }

    static String password(Path home) throws IOException {
        return Files.readString(lab(home).resolve("password")).trim();
    }

    /** The region's status; lab status exits 1 while it is not healthy, and still prints it. */
    Region.Status status() throws IOException {
        Result r = run("lab", "status", "--json");
        if (r.exit() > 1) throw new AssertionError("lab status exited " + r.exit() + "\n" + r.all());
        return Json.read(r.out(), Region.Status.class);
    }

    Connection connect(int port) throws SQLException, IOException {
        Properties p = new Properties();
        p.setProperty("user", Region.MASTER_USER);
        p.setProperty("password", password(home));
        p.setProperty("connectTimeout", "5");
        p.setProperty("socketTimeout", "30");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + Region.DATABASE, p);
    }

    Connection endpoint() throws SQLException, IOException {
        return connect(state().endpointPort());
    }

    /** Brings the lab down and deletes it, whatever state the test left it in. */
    void purge() {
        run("lab", "down", "--purge");
    }

    /**
     * Waits for the agent writing into an evidence folder to have acknowledged writes in its
     * journal: a step that follows it needs some, and a fixed pause would guess how long a busy
     * machine takes to start a JVM and connect.
     */
    static void agentHasWritten(Path evidence, int writes) {
        Path journal = evidence.resolve(Journal.FILE);
        boolean written = common.Wait.within(java.time.Duration.ofSeconds(30), java.time.Duration.ofMillis(50), () -> Files.exists(journal)
                && Journal.read(journal).stream().filter(e -> e.outcome() == Journal.Outcome.ack).count() >= writes);
        if (!written) throw new AssertionError("the agent has not acknowledged " + writes + " writes in 30 s: " + journal);
    }

    /** A bundle's manifest made to agree with its files again: a careful cheat re-hashes what they changed, and the grader must catch it from the data. */
    static void rehash(Path bundle) throws Exception {
        common.Bundle.Manifest m = Json.read(bundle.resolve(common.Bundle.MANIFEST), common.Bundle.Manifest.class);
        Map<String, String> files = new java.util.TreeMap<>();
        for (String name : m.files().keySet()) files.put(name, common.Bundle.sha256(bundle.resolve(name)));
        Files.writeString(bundle.resolve(common.Bundle.MANIFEST), Json.write(new common.Bundle.Manifest(m.kit(), m.student(), m.createdAt(), files)));
    }
}
