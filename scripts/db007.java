///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES *.java common/Cli.java common/Json.java common/Messages.java common/Problem.java region/Region.java
//DESCRIPTION Every DB007 command in one build; each alias of the catalog runs its own command from it.

// The kit as one program, for speed.
//
//   ./jbang maz5 --help         the catalog runs "db007 maz5 --help"
//   jbang scripts/maz5.java     each step is still a script of its own, built on its own
//
// Each step is a self-contained JBang script. Built one by one, the thirty aliases took two
// minutes on a 2-core machine, compiling the shared code thirty times; built here together,
// once, it takes about ten seconds, and the launcher can start any alias from this one build.

import common.Cli;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import region.Region;

public class db007 {
    /** A command, and the arguments its alias always gives it first (pra1 is "pra_exercises 1"). */
    record Launch(Supplier<Object> command, String... first) {}

    /** Every alias of jbang-catalog.json and the command it runs (CatalogTest keeps the two equal). */
    static final Map<String, Launch> COMMANDS = new TreeMap<>(Map.ofEntries(
            Map.entry("setup", new Launch(setup::new)),
            Map.entry("help", new Launch(Help::new)),
            Map.entry("resume", new Launch(resume::new)),
            Map.entry("lab", new Launch(lab::new)),
            Map.entry("mission", new Launch(mission::new)),
            Map.entry("maz1", new Launch(maz1::new)),
            Map.entry("maz2", new Launch(maz2::new)),
            Map.entry("maz3", new Launch(maz3::new)),
            Map.entry("agent", new Launch(maz3::new)),
            Map.entry("maz4", new Launch(maz4::new)),
            Map.entry("watch", new Launch(watch::new)),
            Map.entry("maz5", new Launch(maz5::new)),
            Map.entry("maz6", new Launch(maz6::new)),
            Map.entry("maz7", new Launch(maz7::new)),
            Map.entry("maz8", new Launch(maz8::new)),
            Map.entry("maz9", new Launch(maz9::new)),
            Map.entry("maz10", new Launch(maz10::new)),
            Map.entry("maz11", new Launch(maz11::new)),
            Map.entry("teardown", new Launch(teardown::new)),
            Map.entry("class", new Launch(classroom::new)),
            Map.entry("bench", new Launch(bench::new)),
            Map.entry("pra", new Launch(pra::new)),
            Map.entry("pra-deploy", new Launch(pra_deploy::new)),
            Map.entry("pra-pod-crash", new Launch(pra_pod_crash::new)),
            Map.entry("pra-disaster", new Launch(pra_disaster::new)),
            Map.entry("pra-copy", new Launch(pra_copy::new)),
            Map.entry("pra-status", new Launch(pra_status::new)),
            Map.entry("pra-backups", new Launch(pra_backups::new)),
            Map.entry("pra-restore", new Launch(pra_restore::new)),
            Map.entry("pra1", new Launch(pra_exercises::new, "1")),
            Map.entry("pra2", new Launch(pra_exercises::new, "2")),
            Map.entry("pra3", new Launch(pra_exercises::new, "3")),
            Map.entry("pra4", new Launch(pra_exercises::new, "4")),
            Map.entry("pra5", new Launch(pra5::new)),
            Map.entry("pra-down", new Launch(pra_down::new)),
            Map.entry("bundle", new Launch(bundle::new)),
            Map.entry("grade", new Launch(grade::new)),
            Map.entry("grade-bench", new Launch(grade_bench::new)),
            Map.entry("pitr-bench", new Launch(pitr_bench::new))));

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(WARM_UP)) {
            warmUp();
            return;
        }
        // Alone, or asked for help, the kit lists its own commands.
        if (args.length == 0 || List.of("--help", "-h").contains(args[0])) args = new String[] {"help"};
        Launch launch = COMMANDS.get(args[0]);
        if (launch == null) {
            System.err.println("db007: run a command through the kit's launcher, for example ./jbang mission. Commands: " + String.join(", ", COMMANDS.keySet()));
            System.exit(Problem.USAGE);
        }
        List<String> rest = new ArrayList<>(List.of(launch.first()));
        rest.addAll(Arrays.asList(args).subList(1, args.length));
        System.exit(Cli.run(launch.command().get(), rest.toArray(String[]::new)));
    }

    /**
     * What the launcher runs once after each build, recording the classes loaded into a
     * class-data archive that every later command starts from: each command's parser and help
     * in both languages, and the JSON mapper, as most commands start.
     */
    static final String WARM_UP = "--warm-up";

    private static void warmUp() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        for (String language : List.of("fr", "en")) {
            Messages.use(language);
            for (Launch launch : COMMANDS.values()) Cli.commandLine(launch.command().get()).usage(nowhere);
        }
        Json.read(Json.write(Map.of("warm", List.of(1, 2.5, "up"))), Map.class);
        Json.read("{\"nodes\": [], \"events\": []}", Region.Status.class);
        Messages.clock(Instant.now());
        try {
            // The control plane and the PRA app are asked over HTTP by most commands.
            URI.create("http://127.0.0.1:9/").toURL().openConnection();
        } catch (IOException notOpened) {
            // Only the classes were wanted.
        }
    }

    /** ./jbang, ./jbang help: the kit's commands by workshop, each with its one line, in the reader's language. */
    @Command(name = "help")
    static final class Help extends Cli.KitCommand {
        /** The aliases by workshop, in the order a student meets them; every alias is in one (CatalogTest). */
        static final Map<String, List<String>> GROUPS = new LinkedHashMap<>();

        static {
            GROUPS.put("help.group.start", List.of("setup", "help", "resume"));
            GROUPS.put("help.group.mission", List.of("mission", "maz1", "maz2", "maz3", "agent", "maz4", "maz5", "maz6", "maz7", "maz8", "maz9",
                    "maz10", "maz11", "watch", "lab"));
            GROUPS.put("help.group.pra", List.of("pra-deploy", "pra-copy", "pra-status", "pra-pod-crash", "pra-disaster", "pra-backups",
                    "pra-restore", "pra1", "pra2", "pra3", "pra4", "pra", "pra5", "pra-down"));
            GROUPS.put("help.group.hand-in", List.of("bundle", "grade", "teardown", "class"));
            GROUPS.put("help.group.bench", List.of("bench", "grade-bench", "pitr-bench"));
        }

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            out.println(Messages.get("help.title"));
            for (Map.Entry<String, List<String>> group : GROUPS.entrySet()) {
                out.println();
                out.println(Messages.get(group.getKey()));
                for (String alias : group.getValue()) out.printf("  %-13s %s%n", alias, describe(alias));
            }
            out.println();
            out.println(Messages.get("help.more"));
            return 0;
        }

        /** A command's own usage header; an exercise's alias says which exercise. */
        static String describe(String alias) {
            Launch launch = COMMANDS.get(alias);
            if (launch.first().length > 0) return Messages.get("help.exercise", launch.first()[0]);
            return Messages.get(new CommandLine(launch.command().get()).getCommandName() + ".usage.header");
        }
    }
}
