package common;

//SOURCES Home.java Messages.java Problem.java

// The sources hold French text, and a student's locale may be POSIX: javac and the JVM are told UTF-8.
//COMPILE_OPTIONS -encoding UTF-8
// javac compiles the kit once, in a few seconds: its own JVM with the client compiler alone spends
// 4.7 core-seconds instead of 11.9, and takes 3.5 s instead of 6.3 on two cores (the first build).
//COMPILE_OPTIONS -J-XX:TieredStopAtLevel=1 -J-XX:+UseSerialGC
// The AWS SDK and Fabric8 log through SLF4J; without a binding, SLF4J prints a warning into every student's output.
//DEPS org.slf4j:slf4j-nop:2.0.17
//RUNTIME_OPTIONS -Dfile.encoding=UTF-8 -Dsun.stdout.encoding=UTF-8 -Dsun.stderr.encoding=UTF-8
// Every command is short or waits on a database: the client compiler alone and the serial collector
// start it fastest (lab status: 0.55 s -> 0.35 s), and the agent writes as fast either way.
//RUNTIME_OPTIONS -XX:+UseSerialGC -XX:TieredStopAtLevel=1

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * How every DB007 command starts and ends: language first, then picocli with the shared
 * bundle, then one exit code (0 passed, 1 a check failed, 2 bad usage or environment).
 */
public final class Cli {
    private Cli() {}

    /** The kit's version, for every command's --version. */
    public static final class Version implements picocli.CommandLine.IVersionProvider {
        public static final String KIT = "DB007 1.0.0";

        @Override
        public String[] getVersion() {
            return new String[] {KIT + " (Java " + System.getProperty("java.version") + ")"};
        }
    }

    /** Options every command has besides --help and --version. Add with {@code @Mixin Cli.Options}. */
    public static final class Options {
        @Option(names = "--lang", paramLabel = "fr|en", descriptionKey = "option.lang")
        void lang(String language) { Messages.use(language); }

        @Option(names = "--verbose", descriptionKey = "option.verbose")
        public boolean verbose;
    }

    /**
     * What every command of the kit is: --help, --version, --lang and --verbose, its output
     * through picocli (so that a test or the mission can catch it), and one exit code.
     */
    @Command(mixinStandardHelpOptions = true, versionProvider = Version.class)
    public abstract static class KitCommand implements Callable<Integer> {
        @Spec protected CommandSpec spec;
        @Mixin protected Options cli;

        /** Where the command prints. */
        protected PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    public static CommandLine commandLine(Object command) {
        // Otherwise picocli looks for Groovy's classes, searching every jar of the class path for
        // nothing: a tenth of a second at the start of every command.
        System.setProperty("picocli.disable.closures", "true");
        CommandLine cl = new CommandLine(command);
        cl.setResourceBundle(Messages.bundle());
        cl.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cl.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            boolean verbose = parsed.originalArgs().contains("--verbose");
            if (ex instanceof Problem p) {
                err.println(Messages.get("error.prefix") + p.getMessage());
                if (verbose && p.getCause() != null) p.getCause().printStackTrace(err);
                err.flush();
                return p.exitCode();
            }
            err.println(Messages.get("error.unexpected", ex.toString()));
            if (verbose) ex.printStackTrace(err);
            err.flush();
            return Problem.USAGE;
        });
        return cl;
    }

    /** For main: {@code System.exit(Cli.run(new lab(), args))}. */
    public static int run(Object command, String[] args) {
        useUtf8();
        Home.ensurePrivate();
        Messages.chooseFrom(args);
        return commandLine(command).execute(args);
    }

    /**
     * The same command in this JVM, printing where it is told: how the mission runs its steps and
     * the tests run the kit's commands, with the home (Home.use) and language (Messages.use) they chose.
     */
    public static int execute(Object command, String[] args, PrintWriter out, PrintWriter err) {
        Home.ensurePrivate();
        Messages.chooseFrom(args);
        CommandLine cl = commandLine(command);
        cl.setOut(out);
        cl.setErr(err);
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * Standard output and error in UTF-8, whatever the locale: Java 17 would write them in the
     * locale's charset, and under POSIX every accented letter would print as "?". A command started
     * without the JBang header's options (by a test, the mission, another JVM) gets the same.
     */
    static void useUtf8() {
        System.setOut(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 8192), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err), 8192), true, StandardCharsets.UTF_8));
    }
}
