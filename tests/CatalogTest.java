import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog and the launcher, for real: every alias runs through ./jbang on the kit as JBang
 * built it (KitBuild) and answers --help, exactly as a student's commands would run.
 */
class CatalogTest {
    record Run(int exit, String out) {}

    /**
     * Every alias runs the kit's one build with its own name, which the launcher relies on to
     * start any alias from one remembered command; db007 knows exactly the catalog's aliases.
     */
    @Test
    void everyAliasRunsItsOwnCommandFromTheKitsBuild() throws IOException {
        JsonObject aliases = aliases();
        assertTrue(aliases.size() > 0);
        for (Map.Entry<String, com.google.gson.JsonElement> alias : aliases.entrySet()) {
            JsonObject a = alias.getValue().getAsJsonObject();
            assertEquals("scripts/db007.java", a.get("script-ref").getAsString(), alias.getKey());
            assertEquals(List.of(alias.getKey()), new com.google.gson.Gson().fromJson(a.get("arguments"), List.class), alias.getKey());
            assertTrue(a.has("description") && !a.get("description").getAsString().isBlank(), alias.getKey() + " has no description");
        }
        assertEquals(new java.util.TreeSet<>(aliases.keySet()), db007.COMMANDS.keySet());
    }

    /**
     * A step is not a library: what two steps share lives in common/, region/ or recovery/. Only
     * a whole-workshop orchestrator (mission) and the grader's bench source other scripts, and
     * db007.java, which is the catalog's one build of them all.
     */
    @Test
    void noScriptSourcesAnotherButTheOrchestrators() throws IOException {
        Set<String> mayCompose = Set.of("mission", "db007");
        try (var files = Files.list(Path.of("scripts"))) {
            for (Path script : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String name = script.getFileName().toString().replace(".java", "");
                if (mayCompose.contains(name)) continue;
                for (String line : Files.readAllLines(script)) {
                    if (!line.startsWith("//SOURCES ")) continue;
                    for (String source : line.substring("//SOURCES ".length()).trim().split("\\s+")) {
                        assertTrue(source.contains("/"), name + " sources the script " + source + ": move what they share to a package (common/, mission/, region/, recovery/, grading/, aws/)");
                    }
                }
            }
        }
    }

    /** Each command is a script of its own: the file, its class and (hyphens aside) its name agree. */
    @Test
    void everyScriptOpensAsAJBangScriptAndDeclaresItsClass() throws IOException {
        try (var files = Files.list(Path.of("scripts"))) {
            for (Path script : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                String source = Files.readString(script);
                String className = script.getFileName().toString().replace(".java", "");
                assertTrue(source.contains("class " + className + " "), script + " declares class " + className);
                assertTrue(source.startsWith("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n//JAVA 17+\n//SOURCES "), script + " opens with the jbang line, //JAVA and //SOURCES");
                assertTrue(source.contains("\n//DESCRIPTION "), script + " has a //DESCRIPTION");
                if (!className.equals("db007")) {
                    assertTrue(Files.readString(Path.of("scripts/db007.java")).contains(className + "::new"),
                            className + " is reachable from db007");
                }
            }
        }
    }

    /** Every alias answers --help from the kit's one build, as db007 dispatches it (in this JVM: the dispatch is the launcher's). */
    @Test
    void everyAliasAnswersHelpFromTheKitsBuild(@TempDir Path home) throws IOException {
        List<String> failures = new ArrayList<>();
        // In English, as the launcher's environment says here: a command run before in this JVM may have asked for --lang fr.
        common.Messages.use("en");
        // In a home of its own: the home a command run before in this JVM used is deleted, and a command makes its home if missing.
        common.Home.use(home);
        for (String alias : aliases().keySet()) {
            db007.Launch launch = db007.COMMANDS.get(alias);
            List<String> args = new ArrayList<>(List.of(launch.first()));
            args.add("--help");
            java.io.StringWriter out = new java.io.StringWriter();
            int exit = common.Cli.execute(launch.command().get(), args.toArray(String[]::new), new java.io.PrintWriter(out), new java.io.PrintWriter(out));
            if (exit != 0 || !out.toString().contains("Usage:")) failures.add(alias + " exited " + exit + ":\n" + out);
        }
        assertEquals(List.of(), failures);
    }

    /**
     * Every command's and subcommand's help, in both languages, as picocli renders it from the
     * messages: no placeholder left unformatted. picocli looks an option's description up under
     * "command.key" before "key", so a message of the command's own under that name (maz1's
     * "maz1.aws.class", said once the class is joined) became --class's help.
     */
    @Test
    void noHelpShowsAMessageMeantForLater() {
        List<String> failures = new ArrayList<>();
        try {
            for (String lang : List.of("en", "fr")) {
                common.Messages.use(lang);
                for (Map.Entry<String, db007.Launch> c : db007.COMMANDS.entrySet()) {
                    List<picocli.CommandLine> all = new ArrayList<>(List.of(common.Cli.commandLine(c.getValue().command().get())));
                    for (int i = 0; i < all.size(); i++) {
                        picocli.CommandLine cl = all.get(i);
                        all.addAll(cl.getSubcommands().values());
                        String help = cl.getUsageMessage(picocli.CommandLine.Help.Ansi.OFF);
                        if (help.matches("(?s).*%[-0-9.]*[sdf].*")) failures.add(lang + " " + cl.getCommandSpec().qualifiedName() + ":\n" + help);
                        List<picocli.CommandLine.Model.ArgSpec> args = new ArrayList<>(cl.getCommandSpec().options());
                        args.addAll(cl.getCommandSpec().positionalParameters());
                        for (picocli.CommandLine.Model.ArgSpec a : args) {
                            String shadow = cl.getCommandSpec().qualifiedName(".") + "." + a.descriptionKey();
                            if (!a.descriptionKey().isEmpty() && common.Messages.bundle().containsKey(shadow)) failures.add(shadow + " shadows " + a.descriptionKey());
                        }
                    }
                }
            }
        } finally {
            common.Messages.use("en");
        }
        assertEquals(List.of(), failures);
    }

    /** Through JBang and the launcher for real: a plain alias, one with a hyphen, one whose catalog entry adds an argument. */
    @Test
    void aliasesBuildWithJBangAndAnswerHelpThroughTheLauncher(@TempDir Path home) throws Exception {
        List<String> failures = new ArrayList<>();
        for (String alias : List.of("maz5", "pra-restore", "pra3")) {
            Run r = jbang(home, Map.of(), alias, "--help");
            if (r.exit() != 0 || !r.out().contains("Usage:")) failures.add(alias + " exited " + r.exit() + ":\n" + r.out());
        }
        assertEquals(List.of(), failures);
    }

    @Test
    void anAliasRunsForRealThroughTheLauncher(@TempDir Path home) throws Exception {
        Run r = jbang(home, Map.of(), "lab", "status");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("no lab in " + home), r.out());
    }

    /** The pin is the newest JBang on Maven Central; the one pinned before it still runs the kit the same way. */
    @Test
    void theLauncherRunsTheKitWithTheOlderJBangToo(@TempDir Path home) throws Exception {
        Run r = jbang(home, Map.of("DB007_JBANG_VERSION", "0.127.18"), "lab", "status");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("no lab in " + home), r.out());
        Run help = jbang(home, Map.of("DB007_JBANG_VERSION", "0.127.18"), "pra1", "--help");
        assertEquals(0, help.exit(), help.out());
        assertTrue(help.out().contains("Usage:"), help.out());
    }

    /** The SDK and Fabric8 log through SLF4J: a missing or mismatched binding prints warnings at the student. */
    @Test
    void theAwsAndKubernetesClientsSayNothingOfTheirLogging(@TempDir Path home) throws Exception {
        Run aws = jbang(home, Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test"), "maz4", "--target", "aws", "--instance", "x",
                "--region", "local", "--rds-endpoint-url", "http://127.0.0.1:1");
        assertEquals(2, aws.exit(), aws.out());
        Run k8s = jbang(home, Map.of("KUBECONFIG", home.resolve("none").toString()), "pra-backups", "--target", "k8s");
        assertEquals(2, k8s.exit(), k8s.out());
        assertTrue(k8s.out().contains("no Kubernetes cluster"), k8s.out());
        for (Run r : List.of(aws, k8s)) assertFalse(r.out().contains("SLF4J"), r.out());
    }

    @Test
    void theLauncherRefusesAJavaOlderThan17AndSaysWhatToDo(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("jdk11/bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho '    java.specification.version = 11' >&2\necho 'openjdk version \"11.0.2\"' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = jbang(dir, Map.of("JAVA_HOME", dir.resolve("jdk11").toString()), "lab", "--help");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("Java 11") && r.out().contains("Java 17 or later"), r.out());
    }

    /**
     * Each new remembered command sweeps out those of checkouts since deleted and of builds since
     * cleared, with their class-data archives (about 5 MB each), and leaves those still of use.
     * In a cache of its own that borrows the real one's JBang, so that the sweep runs on what is planted here.
     */
    @Test
    void aNewRememberedCommandSweepsOutThoseThatServeNoOne(@TempDir Path dir) throws Exception {
        KitBuild.jbangDir();
        String version = java.util.regex.Pattern.compile("DB007_JBANG_VERSION:-([0-9.]+)").matcher(Files.readString(Path.of("jbang"))).results()
                .findFirst().orElseThrow().group(1);
        Path ownCache = dir.resolve("cache");
        Path versioned = Files.createDirectories(ownCache.resolve("jbang-" + version));
        // The kit finds the cache by the launcher's own rule.
        Files.createSymbolicLink(versioned.resolve("lib"), common.Home.cache().resolve("jbang-" + version).resolve("lib"));
        Files.createFile(versioned.resolve("ready"));
        Path commands = Files.createDirectories(versioned.resolve("commands"));
        Path live = Files.createDirectories(dir.resolve("live"));
        Files.writeString(live.resolve("jbang-catalog.json"), "{}");
        Path jar = Files.writeString(dir.resolve("kit.jar"), "a jar");
        String context = "java 0.0.0 ";
        java.util.function.BiFunction<String, String, String> memo = (classpath, checkout) ->
                context + "\njava -Dx=1 -classpath " + classpath + ":/elsewhere.jar Main\n" + (checkout == null ? "" : checkout + "\n");
        Map<String, String> planted = new java.util.LinkedHashMap<>();
        planted.put("kit_live", memo.apply(jar.toString(), live.toString()));
        planted.put("kit_live.jsa", "archive");
        planted.put("kit_gone", memo.apply(jar.toString(), dir.resolve("deleted-clone").toString()));
        planted.put("kit_gone.jsa", "archive");
        planted.put("kit_cleared", memo.apply(dir.resolve("cleared.jar").toString(), live.toString()));
        planted.put("kit_cleared.jsa", "archive");
        planted.put("kit_older_format", memo.apply(jar.toString(), null));
        planted.put("kit_orphan.jsa", "archive");
        planted.put("kit_live.jsa.partial-" + ProcessHandle.current().pid(), "being written");
        planted.put("kit_live.jsa.partial-999999999", "left by a killed launcher");
        for (Map.Entry<String, String> f : planted.entrySet()) Files.writeString(commands.resolve(f.getKey()), f.getValue());

        Run r;
        try {
            r = jbang(dir, Map.of("DB007_CACHE", ownCache.toString()), "lab", "status");
        } finally {
            // The link, not the real cache it points to, which JUnit would warn it leaves alone.
            Files.delete(versioned.resolve("lib"));
        }
        assertEquals(2, r.exit(), r.out());

        String own = "kit" + Path.of("").toAbsolutePath().toString().replace('/', '_');
        Set<String> left = new java.util.TreeSet<>();
        try (var files = Files.list(commands)) {
            files.forEach(f -> left.add(f.getFileName().toString()));
        }
        assertEquals(new java.util.TreeSet<>(List.of("kit_live", "kit_live.jsa", "kit_live.jsa.partial-" + ProcessHandle.current().pid(), own, own + ".jsa")), left);
        List<String> lines = Files.readAllLines(commands.resolve(own));
        assertEquals(Path.of("").toAbsolutePath().toString(), lines.get(2), "the memo names its checkout");
    }

    private static JsonObject aliases() throws IOException {
        return JsonParser.parseString(Files.readString(Path.of("jbang-catalog.json"))).getAsJsonObject().getAsJsonObject("aliases");
    }

    private static Run jbang(Path home, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("./jbang"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("DB007_HOME", home.toString());
        pb.environment().put("DB007_LANG", "en");
        // The test run's one build of the kit, not the user's ~/.jbang.
        pb.environment().put("JBANG_DIR", KitBuild.jbangDir().toString());
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("./jbang " + String.join(" ", args) + " did not finish");
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
