package common;

//SOURCES Home.java Messages.java

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A new JVM for one of the kit's long-running parts (the control plane, the background agent,
 * the PRA supervisor and its app): the same Java and class path as this command, text in UTF-8
 * whatever the locale, nothing on its standard input, its output appended to a log.
 */
public final class BackgroundJvm {
    private BackgroundJvm() {}

    /** Options such as -Xmx come before the main class, arguments after it. */
    public static ProcessBuilder child(List<String> options, String mainClass, List<String> args, Path log) {
        ProcessBuilder pb = new ProcessBuilder(command(options, mainClass, args)).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // The child finds the same home and speaks the same language, whatever this process's environment says.
        pb.environment().put("DB007_HOME", Home.dir().toString());
        pb.environment().put("DB007_LANG", Messages.french() ? "fr" : "en");
        return pb;
    }

    /** The same in a session of its own: it outlives this command and the terminal's Ctrl-C is not for it. */
    public static ProcessBuilder detached(List<String> options, String mainClass, List<String> args, Path log) {
        ProcessBuilder pb = child(options, mainClass, args, log);
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) pb.command().add(0, "/usr/bin/setsid");
        return pb;
    }

    private static final String HOME_MARK = "-Ddb007.home=";

    /**
     * The kit's background JVMs of this home running mainClass, found by their command line: the
     * way to stop them when whatever recorded their pid was deleted with the home's folder.
     */
    public static List<ProcessHandle> running(String mainClass) {
        return running(Home.dir(), mainClass);
    }

    /** The same, for another home: one deleted, whose JVMs nobody else will stop. */
    public static List<ProcessHandle> running(Path home, String mainClass) {
        String mark = HOME_MARK + home;
        return ProcessHandle.allProcesses().filter(p -> p.pid() != ProcessHandle.current().pid()).filter(p -> {
            List<String> args = commandLine(p);
            return args.contains(mark) && args.contains(mainClass);
        }).toList();
    }

    /** Whether a process is a JVM of the kit's running that main class. */
    public static boolean runs(ProcessHandle p, String mainClass) {
        return commandLine(p).contains(mainClass);
    }

    /**
     * A process's command line, whole: the program, then each argument. Java's ProcessHandle.Info
     * gives no arguments, and a command line cut at 4,096 characters, once /proc's is longer than a
     * page, and the kit's class path makes it three pages (the main class comes after it): on Linux
     * it is read from /proc itself.
     */
    public static List<String> commandLine(ProcessHandle p) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"));
            List<String> words = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] != 0) continue;
                words.add(new String(raw, start, i - start, java.nio.charset.StandardCharsets.UTF_8));
                start = i + 1;
            }
            if (start < raw.length) words.add(new String(raw, start, raw.length - start, java.nio.charset.StandardCharsets.UTF_8));
            return words;
        } catch (java.io.IOException | SecurityException noProc) {
            // Elsewhere (macOS), or the process is gone: what Java says.
            List<String> words = new ArrayList<>();
            p.info().command().ifPresent(words::add);
            p.info().arguments().ifPresent(a -> words.addAll(List.of(a)));
            return words;
        }
    }

    private static List<String> command(List<String> options, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(List.of("-Dfile.encoding=UTF-8", "-Dsun.stdout.encoding=UTF-8", "-Dsun.stderr.encoding=UTF-8"));
        // A mark on the command line, so that a process of this home can be found when its state files are gone.
        cmd.add(HOME_MARK + Home.dir());
        cmd.addAll(options);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }
}
