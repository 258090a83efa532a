import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command the README shows still works as shown: each names an alias of the catalog and
 * its arguments are accepted as written; each one on the local target runs for real, here or,
 * where another test already runs it as shown, in that test (named below and checked in its
 * source), so that the suite does not run the same workshop twice.
 */
class ReadmeCommandsTest {
    static final Path README = Path.of("README.md");

    /** What the README's placeholders stand for when its arguments are parsed. */
    static final Map<String, String> PLACEHOLDERS = Map.of("FILE", "pra-20261205T100000Z.db", "NAME", "alice", "$USER", "alice");

    /**
     * Local commands another test runs as the README shows them, and which: checked below by
     * finding the command's words, as string literals, in that test's source.
     */
    static final Map<String, String> RUN_ELSEWHERE = new TreeMap<>(Map.ofEntries(
            Map.entry("mission", "MissionTest"),
            Map.entry("mission --json", "MissionTest"),
            Map.entry("maz1", "Workshop"),
            Map.entry("maz2", "Workshop"),
            Map.entry("agent --background", "Workshop"),
            Map.entry("maz4", "Workshop"),
            Map.entry("maz5", "Workshop"),
            Map.entry("maz6", "Workshop"),
            Map.entry("maz7", "Workshop"),
            Map.entry("maz8", "Workshop"),
            Map.entry("maz9", "Workshop"),
            Map.entry("maz10", "MoleTest"),
            Map.entry("maz10 --resume", "ResumeTest"),
            Map.entry("resume", "ResumeTest"),
            Map.entry("maz11 --auto", "Workshop"),
            Map.entry("lab failover", "LabFailoverTest"),
            Map.entry("lab crash", "LabCrashTest"),
            Map.entry("pra-deploy", "Workshop"),
            Map.entry("pra-copy", "Workshop"),
            Map.entry("pra-status", "Workshop"),
            Map.entry("pra-pod-crash", "Workshop"),
            Map.entry("pra-disaster", "Workshop"),
            Map.entry("pra-backups", "Workshop"),
            Map.entry("pra-backups --json", "Workshop"),
            Map.entry("pra-restore", "Workshop"),
            Map.entry("pra-restore --point FILE --force", "Workshop"),
            Map.entry("pra", "PraDrillTest"),
            Map.entry("pra --json", "Workshop"),
            Map.entry("pra5", "Workshop"),
            Map.entry("bundle --student NAME", "Workshop"),
            Map.entry("grade bundles/", "ReportsTest"),
            Map.entry("grade a/submission.zip b/submission.zip", "GradeTest"),
            Map.entry("grade bundles/ --marks marks.csv --csv class.csv --junit class.xml", "GradeTest")));

    /** The README's commands, each as written: an optional part in brackets is taken, a comment dropped, && split. */
    static List<String> commands() throws IOException {
        Set<String> found = new LinkedHashSet<>();
        Matcher m = Pattern.compile("\\./jbang ([^`#|\\n]*)").matcher(Files.readString(README));
        while (m.find()) {
            for (String part : m.group(1).split("&&")) {
                String c = part.replace("./jbang", "").replaceAll("[\\[\\]]", "").trim().replaceAll("\\s+", " ");
                if (!c.isEmpty()) found.add(c);
            }
        }
        return new ArrayList<>(found);
    }

    /** On this machine: not on AWS (a class is AWS's by nature), Kubernetes or S3. */
    static boolean local(String command) {
        return !command.contains("--target aws") && !command.contains("--target k8s") && !command.contains("s3://") && !command.startsWith("class ");
    }

    @Test
    void everyCommandNamesAnAliasAndItsArgumentsAreAccepted() throws IOException {
        List<String> commands = commands();
        assertTrue(commands.size() > 40, "the README shows " + commands.size() + " commands: " + commands);
        List<String> refused = new ArrayList<>();
        for (String c : commands) {
            List<String> words = new ArrayList<>(List.of(c.split(" ")));
            db007.Launch launch = db007.COMMANDS.get(words.get(0));
            if (launch == null) {
                refused.add(c + ": no such alias");
                continue;
            }
            List<String> args = new ArrayList<>(List.of(launch.first()));
            for (String w : words.subList(1, words.size())) args.add(PLACEHOLDERS.entrySet().stream().reduce(w, (s, e) -> s.replace(e.getKey(), e.getValue()), (a, b) -> b));
            try {
                new CommandLine(launch.command().get()).parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                refused.add(c + ": " + e.getMessage());
            }
        }
        assertEquals(List.of(), refused, "README commands the kit would refuse");
    }

    @Test
    void everyLocalCommandRunsHereOrInTheTestNamedForIt() throws IOException {
        List<String> notRun = new ArrayList<>();
        for (String c : commands()) {
            if (!local(c) || RAN_HERE.contains(c)) continue;
            String test = RUN_ELSEWHERE.get(c);
            if (test == null) {
                notRun.add(c + ": run nowhere");
                continue;
            }
            String source = Files.readString(Path.of("tests", test + ".java"));
            String[] words = c.split(" ");
            String alias = words[0];
            db007.Launch launch = db007.COMMANDS.get(alias);
            String className = launch.command().get().getClass().getName();
            boolean named = source.contains("\"" + alias + "\"") || source.contains("\"" + className + "\"");
            for (int i = 1; i < words.length && named; i++) {
                String w = words[i];
                named = PLACEHOLDERS.containsKey(w) || w.contains("/") || w.endsWith(".csv") || w.endsWith(".xml") || source.contains("\"" + w + "\"");
            }
            if (!named) notRun.add(c + ": not found in tests/" + test + ".java");
        }
        assertEquals(List.of(), notRun, "README commands on the local target no test runs");
    }

    /** The local commands this test runs itself, in this order, with what each must print. */
    static final Set<String> RAN_HERE = Set.of("setup", "lab up", "lab status --json", "lab isolate az1", "lab heal", "lab cut az1-az2 --blackhole",
            "lab slow az1-az2 50ms", "lab down", "lab down --purge", "agent", "maz11", "maz11 replica", "bench", "pra1", "pra4", "pra-down --purge", "help");

    @Test
    void theLocalCommandsNoOtherTestRunsWorkAsShown(@TempDir Path home) throws Exception {
        Kit kit = new Kit(home);
        try {
            assertTrue(kit.ok("setup", "--no-build").out().contains("Ready"), "setup says the machine is ready");
            assertTrue(kit.ok("db007$Help").out().contains("pra-restore"), "help lists the commands");
            // The PRA workshop's commands beside the region's, as a student may have both running: they share the home only.
            java.util.concurrent.CompletableFuture<Void> pra = java.util.concurrent.CompletableFuture.runAsync(() -> {
                // pra1 to pra4 give the facts of a deployed site.
                kit.ok("pra_deploy", "--backup-every", "2");
                assertTrue(kit.ok("pra_exercises", "1").out().contains("pra-data"));
                // Exercise 4 is the student's to reason: the facts of the run, no verdict given away.
                String four = kit.ok("pra_exercises", "4").out();
                assertTrue(four.contains("Backup files:") && !four.matches("(?s).*\\b(none|no copy|nothing of its own)\\b.*"), four);
                // The drill and exercise 5 leave sites of their own running: pra-down ends them too, lab down the region.
                kit.ok("pra", "--json");
                kit.ok("pra5", "--json");
            });
            kit.ok("lab", "up");
            assertTrue(kit.ok("lab", "status", "--json").out().contains("\"primary_az\""));
            for (String[] fault : List.of(new String[] {"isolate", "az1"}, new String[] {"cut", "az1-az2", "--blackhole"},
                    new String[] {"slow", "az1-az2", "50ms"})) {
                kit.ok("lab", fault);
                kit.ok("lab", "heal");
                kit.ok("lab", "up");
            }
            // The agent in the foreground runs until stopped, as Ctrl-C would.
            Thread foreground = new Thread(() -> kit.run("maz3", "--evidence", home.resolve("fg").toString()));
            foreground.start();
            assertTrue(common.Wait.within(java.time.Duration.ofSeconds(20), java.time.Duration.ofMillis(50),
                    () -> Files.exists(home.resolve("fg/agent.json"))), "the foreground agent writes");
            kit.ok("maz3", "stop", "--evidence", home.resolve("fg").toString());
            foreground.join(20_000);
            assertTrue(kit.ok("maz11").out().contains("maz11 replica"), "maz11 alone says what comes next");
            kit.ok("maz11", "replica");
            kit.ok("maz11", "down");
            // bench works in a scratch home of its own, which it makes this process's while it runs: the PRA commands are done first.
            pra.get(5, java.util.concurrent.TimeUnit.MINUTES);
            // bench as shown runs 30 faults for minutes: here one, which goes through the same code.
            kit.ok("bench", "--faults", "1", "--kinds", "planned", "--baseline", "1", "--bare-rounds", "1");
            String dataRoot = kit.state().dataRoot();
            kit.ok("lab", "down");
            assertTrue(kit.ok("pra_down", "--purge").out().contains("pra-drill"), "pra-down names the drill's site it stopped");
            kit.ok("lab", "down", "--purge");
            assertEquals(List.of(), processesOf(home, Path.of(dataRoot)), "no process of this home is left after both downs");
            kit.ok("lab", "up");
        } finally {
            kit.run("lab", "down", "--purge");
        }
    }

    /** Every process whose command line names this home, or that runs in a folder below it or below the lab's data. */
    static List<String> processesOf(Path home, Path dataRoot) {
        List<String> found = new ArrayList<>();
        ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid()).forEach(p -> {
            String line = p.info().commandLine().orElse("");
            String cwd;
            try {
                cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(p.pid()), "cwd")).toString();
            } catch (IOException | RuntimeException e) {
                cwd = "";
            }
            if (line.contains(home.toString()) || cwd.startsWith(home.toString()) || cwd.startsWith(dataRoot.toString())) {
                found.add(p.pid() + " " + line);
            }
        });
        return found;
    }
}
