///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES aws/Aws.java aws/Preflight.java common/Cli.java common/Home.java common/Json.java common/Messages.java common/Problem.java
//SOURCES region/PgBinaries.java region/ServerAccount.java
//DESCRIPTION Before class: checks Java, PostgreSQL, ports and disk space, builds every command once, and says whether this machine is ready.

// Getting a machine ready, the day before the class.
//
//   ./jbang setup              every check, then every command built (a minute or two the first time)
//   ./jbang setup --no-build   the checks only
//   ./jbang setup --target aws --students 30 [--class NAME]
//                              the AWS account and Region: credentials, AZs, quotas, permissions, cost
//
// A student runs it once on the machine they will use, an instructor puts it on the first slide.
// It fetches what is missing (PostgreSQL's binaries when none is installed), builds every alias
// of the catalog in parallel so that no step stops to compile during the lesson, and prints one
// line per check. It exits 0 only when the machine is ready.

import aws.Aws;
import aws.Preflight;
import common.Cli;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import region.PgBinaries;
import region.ServerAccount;

@Command(name = "setup")
public class setup extends Cli.KitCommand {
    /**
     * What a whole run of both workshops and a hand-in used in a new account's home: 255 MB,
     * measured (README, "Footprint"), for the Maven and JBang caches, the PostgreSQL binaries, the
     * lab's data and the evidence; with some room for longer runs. Below it, setup says so.
     */
    static final long NEEDED_MB = 300;
    @Option(names = "--no-build", descriptionKey = "setup.no-build") boolean noBuild;
    @Option(names = "--pg-bin", paramLabel = "DIR", descriptionKey = "lab.up.pg-bin") String pgBin;
    @Option(names = "--jobs", paramLabel = "N", descriptionKey = "setup.jobs") int jobs = Runtime.getRuntime().availableProcessors();
    @Option(names = "--json", descriptionKey = "option.json") boolean json;
    @Option(names = "--target", paramLabel = "local|aws", defaultValue = "local", descriptionKey = "setup.target") String target;
    @Mixin Aws.Options aws;
    @Option(names = "--students", paramLabel = "N", defaultValue = "1", descriptionKey = "setup.students") int students;
    @Option(names = "--class", paramLabel = "NAME", descriptionKey = "setup.class") String className;
    @Option(names = "--student", paramLabel = "NAME", descriptionKey = "aws.student") String student;

    public static void main(String[] args) {
        System.exit(Cli.run(new setup(), args));
    }

    /** One line of the readiness table. */
    record Row(String check, boolean ready, String detail) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (!json) out.println(Messages.get("setup.title"));
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("java", Runtime.version().feature() >= 17,
                System.getProperty("java.version") + " (" + System.getProperty("java.home") + ")"));
        if (target.equals("aws")) {
            // The account and Region, before anything is created there; this machine needs only Java, room and a build.
            if (students < 1) throw Problem.environment("setup.students.invalid", students);
            if (!json) out.println(Messages.get("setup.aws", students));
            for (Preflight.Check c : Preflight.run(aws, student, className, students)) rows.add(new Row(c.check(), c.ready(), c.detail()));
            return report(rows, out);
        }
        if (!target.equals("local")) throw Problem.environment("target.unknown", target);
        ServerAccount account = null;
        try {
            account = ServerAccount.choose(System.getenv("DB007_RUN_AS"));
            if (account.switchesUser()) rows.add(new Row("account", true, Messages.get("setup.account", account.name())));
        } catch (Problem p) {
            rows.add(new Row("account", false, p.getMessage()));
        }
        rows.add(postgres(account, out));
        rows.add(ports());
        return report(rows, out);
    }

    /** Room on this machine, every command built, then the table; 0 only when every line is ready. */
    private int report(List<Row> rows, PrintWriter out) throws Exception {
        rows.add(disk());
        if (!noBuild) rows.add(build(out));
        boolean ready = rows.stream().allMatch(Row::ready);
        if (json) {
            out.println(Json.write(Map.of("ready", ready, "checks", rows)));
        } else {
            out.println();
            for (Row r : rows) {
                out.println(String.format("  %-16s %-6s %s", Messages.get("setup.check." + r.check()),
                        Messages.get(r.ready() ? "setup.ok" : "setup.no"), r.detail()));
            }
            out.println();
            out.println(Messages.get(ready ? "setup.ready" : "setup.not-ready"));
        }
        out.flush();
        return ready ? 0 : Problem.CHECK_FAILED;
    }

    /** The binaries the lab will use, fetched now when the machine has none. */
    private Row postgres(ServerAccount account, PrintWriter out) {
        if (account == null) return new Row("postgres", false, Messages.get("setup.postgres.no-account"));
        try {
            PgBinaries bin = PgBinaries.locate(pgBin, account, json ? new PrintWriter(PrintWriter.nullWriter()) : out);
            return new Row("postgres", true, bin.version() + " (" + bin.bin() + ")");
        } catch (Problem p) {
            return new Row("postgres", false, p.getMessage());
        }
    }

    /** The lab needs four ports on 127.0.0.1: the RDS API, the writer endpoint, and one per AZ. */
    private static Row ports() {
        List<ServerSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            return new Row("ports", true, Messages.get("setup.ports", held.size()));
        } catch (IOException e) {
            return new Row("ports", false, Messages.get("setup.ports.none", e.getMessage()));
        } finally {
            for (ServerSocket s : held) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // Only borrowed to see that it could be had.
                }
            }
        }
    }

    /** Space where DB007_HOME will be: CloudShell gives 1 GB of home, and a whole run needs about NEEDED_MB. */
    static Row disk() throws IOException {
        Path where = Home.dir();
        while (!Files.exists(where)) where = where.getParent();
        FileStore store = Files.getFileStore(where);
        long freeMb = store.getUsableSpace() / (1024 * 1024);
        boolean enough = freeMb >= NEEDED_MB;
        return new Row("disk", enough, Messages.get(enough ? "setup.disk" : "setup.disk.short", freeMb, where, NEEDED_MB));
    }

    /**
     * Every alias run once with --version, through the launcher: the first one makes JBang build
     * the kit (every alias runs from one build, scripts/db007.java), and each one leaves the
     * launcher its command, so that no lesson step stops to compile or to ask JBang.
     */
    private Row build(PrintWriter out) throws Exception {
        Path kit = Home.kit();
        Path launcher = kit.resolve("jbang");
        List<String> aliases = new ArrayList<>(aliases(kit.resolve("jbang-catalog.json")).keySet());
        if (!json) out.println(Messages.get("setup.building", aliases.size(), jobs));
        out.flush();
        Instant t0 = Instant.now();
        List<String> failed = new ArrayList<>();
        String first = runOnce(launcher, aliases.get(0), out);
        if (first != null) failed.add(first);
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Future<String>> others = new ArrayList<>();
            for (String alias : aliases.subList(1, aliases.size())) others.add(pool.submit(() -> runOnce(launcher, alias, out)));
            for (Future<String> f : others) if (f.get() != null) failed.add(f.get());
        } finally {
            pool.shutdown();
        }
        double took = Duration.between(t0, Instant.now()).toMillis() / 1000.0;
        return failed.isEmpty() ? new Row("build", true, Messages.get("setup.built", aliases.size(), took))
                : new Row("build", false, Messages.get("setup.build.failed", String.join(", ", failed)));
    }

    /** Null when the alias answered --version; else the alias and where its output went. */
    private String runOnce(Path launcher, String alias, PrintWriter out) throws Exception {
        Path log = Files.createTempFile("db007-setup-" + alias + "-", ".log");
        Instant t0 = Instant.now();
        Process p = new ProcessBuilder(launcher.toString(), alias, "--version").redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        boolean done = p.waitFor(10, TimeUnit.MINUTES);
        if (!done) p.destroyForcibly();
        String said = Files.readString(log, StandardCharsets.UTF_8);
        boolean ok = done && p.exitValue() == 0 && said.contains(Cli.Version.KIT);
        if (!json) {
            synchronized (out) {
                out.println("  " + Messages.get(ok ? "setup.alias.built" : "setup.alias.failed", alias,
                        Duration.between(t0, Instant.now()).toMillis() / 1000.0, log));
                out.flush();
            }
        }
        if (!ok) return alias + " (" + log + ")";
        Files.delete(log);
        return null;
    }

    /** The catalog's aliases and the script each runs. */
    static Map<String, String> aliases(Path catalog) throws IOException {
        Map<?, ?> all = (Map<?, ?>) Json.read(catalog, Map.class).get("aliases");
        Map<String, String> m = new TreeMap<>();
        all.forEach((k, v) -> m.put(k.toString(), String.valueOf(((Map<?, ?>) v).get("script-ref"))));
        return m;
    }
}
