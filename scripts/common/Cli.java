package common;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Option;

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

    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setResourceBundle(Messages.bundle());
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
        Messages.chooseFrom(args);
        return commandLine(command).execute(args);
    }
}
