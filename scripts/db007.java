///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES *.java
//DESCRIPTION Every DB007 command in one build; each alias of the catalog runs its own command from it.

// The kit as one program, for speed.
//
//   ./jbang maz5 --help         the catalog runs "db007 maz5 --help"
//   jbang scripts/maz5.java     each step is still a script of its own, built on its own
//
// Each step is a self-contained JBang script. Built one by one, the thirty aliases took two
// minutes on a 2-core machine, compiling the shared code thirty times; built here together,
// once, it takes about ten seconds, and the launcher can start any alias from this one build.

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

public class db007 {
    /** Every alias of jbang-catalog.json and the command it runs (CatalogTest keeps the two equal). */
    static final Map<String, Consumer<String[]>> COMMANDS = new TreeMap<>(Map.ofEntries(
            Map.entry("setup", setup::main),
            Map.entry("lab", lab::main),
            Map.entry("mission", mission::main),
            Map.entry("maz1", maz1::main),
            Map.entry("maz2", maz2::main),
            Map.entry("maz3", maz3::main),
            Map.entry("agent", maz3::main),
            Map.entry("maz4", maz4::main),
            Map.entry("maz5", maz5::main),
            Map.entry("maz6", maz6::main),
            Map.entry("maz7", maz7::main),
            Map.entry("maz8", maz8::main),
            Map.entry("maz9", maz9::main),
            Map.entry("teardown", teardown::main),
            Map.entry("bench", bench::main),
            Map.entry("pra", pra::main),
            Map.entry("pra-deploy", pra_deploy::main),
            Map.entry("pra-pod-crash", pra_pod_crash::main),
            Map.entry("pra-disaster", pra_disaster::main),
            Map.entry("pra-backups", pra_backups::main),
            Map.entry("pra-restore", pra_restore::main),
            Map.entry("pra1", args -> pra_exercises.main(with("1", args))),
            Map.entry("pra2", args -> pra_exercises.main(with("2", args))),
            Map.entry("pra3", args -> pra_exercises.main(with("3", args))),
            Map.entry("pra4", args -> pra_exercises.main(with("4", args))),
            Map.entry("pra5", pra5::main),
            Map.entry("pra-down", pra_down::main),
            Map.entry("bundle", bundle::main),
            Map.entry("grade", grade::main),
            Map.entry("grade-bench", grade_bench::main)));

    public static void main(String[] args) {
        Consumer<String[]> command = args.length == 0 ? null : COMMANDS.get(args[0]);
        if (command == null) {
            System.err.println("db007: run a command through the kit's launcher, for example ./jbang mission. Commands: " + String.join(", ", COMMANDS.keySet()));
            System.exit(2);
        }
        command.accept(Arrays.copyOfRange(args, 1, args.length));
    }

    private static String[] with(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}
