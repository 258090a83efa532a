package common;

//SOURCES Problem.java

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where DB007 keeps things, in one place so that every step, the grader and the tests agree:
 * the layout of DB007_HOME (default ~/.db007), the download cache, and the kit's own files.
 *
 * <pre>
 * DB007_HOME/
 *   lab/                the local region (region.json, password, events.jsonl, logs)
 *   evidence/maz/       the mission's evidence; evidence/pra/ the PRA workshop's
 *   evidence/pra-drill/ the unattended PRA drill's; evidence/pra5/ exercise 5's
 *   answers/            the student's written answers (maz.md, pra.md)
 *   aws/                deployment.json and the RDS certificate bundle
 *   pra/                the local PRA site: its volumes, supervisor and app log
 *   pra-drill/, pra5/   the sites of the drill and of exercise 5, apart from the student's
 *   pra-k8s/, …        what the kit keeps of each PRA run on Kubernetes
 *   pra-offsite/        exercise 5's off-site copies, when kept in a folder
 *   bench/              benchmark results
 * </pre>
 */
public final class Home {
    private Home() {}

    /** Found once, from DB007_HOME or the user's home, and the same for the whole command. */
    private static volatile Path dir;

    /** DB007_HOME: the one place the kit finds it. */
    public static Path dir() {
        Path d = dir;
        if (d == null) {
            String env = System.getenv("DB007_HOME");
            d = env != null && !env.isBlank() ? Path.of(env).toAbsolutePath() : userHome().resolve(".db007");
            dir = d;
        }
        return d;
    }

    /** Another DB007_HOME for the rest of this process: the tests run commands in-process, each class in a home of its own. */
    public static void use(Path home) {
        dir = home.toAbsolutePath();
    }

    /**
     * Creates DB007_HOME when it is missing, readable by its owner only: on a machine shared by a
     * class, the lab's state, logs, evidence and volumes are nobody else's business. A folder that
     * exists already is left as its owner made it.
     */
    public static void ensurePrivate() {
        Path home = dir();
        if (Files.exists(home)) return;
        try {
            Files.createDirectories(home);
            Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException | UnsupportedOperationException e) {
            // The command that needs it will say what is wrong with the place.
        }
    }

    public static Path lab() { return dir().resolve("lab"); }

    public static Path evidence(String workshop) { return dir().resolve("evidence").resolve(workshop); }

    public static Path answers() { return dir().resolve("answers"); }

    public static Path aws() { return dir().resolve("aws"); }

    /**
     * A PRA site's own folder on this machine: "pra" for the student's workshop, "pra-drill" and
     * "pra5" for the unattended runs; "pra-k8s" (and so on) for what the kit keeps of a run on Kubernetes.
     */
    public static Path site(String name) { return dir().resolve(name); }

    public static Path offsite() { return dir().resolve("pra-offsite"); }

    public static Path bench() { return dir().resolve("bench"); }

    /**
     * Downloads kept between labs: the embedded PostgreSQL binaries and the initdb template, beside
     * the launcher's JBang. The same folder the launcher finds: DB007_CACHE, else db007 in
     * XDG_CACHE_HOME or in ~/.cache.
     */
    public static Path cache() {
        String own = System.getenv("DB007_CACHE");
        if (own != null && !own.isBlank()) return Path.of(own).toAbsolutePath();
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : userHome().resolve(".cache");
        return base.resolve("db007");
    }

    /**
     * The user's home as the shell means "~": $HOME, which the launcher follows too. Java's own
     * user.home is the account's entry in the password file, which a HOME set for one command
     * (HOME=/tmp/try ./jbang mission) does not change.
     */
    private static Path userHome() {
        String home = System.getenv("HOME");
        return home != null && home.startsWith("/") ? Path.of(home) : Path.of(System.getProperty("user.home"));
    }

    /**
     * The kit's checkout, for its own files (solutions/, k8s/, cloudformation/): DB007_KIT, which
     * the launcher sets, else the nearest folder up from here that holds jbang-catalog.json (the
     * tests run from the checkout). The scripts run wherever the user stands, so "." is not it.
     */
    public static Path kit() {
        String env = System.getenv("DB007_KIT");
        if (env != null && !env.isBlank()) return Path.of(env).toAbsolutePath();
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("jbang-catalog.json")) && Files.isDirectory(p.resolve("scripts"))) return p;
        }
        throw Problem.environment("kit.unknown");
    }

    /** One of the kit's own files, by its path in the checkout. */
    public static Path kitFile(String relative) {
        return kit().resolve(relative);
    }
}
