import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.Backups;
import recovery.LocalSite;

/**
 * A student's machine as it often is: no locale at all (POSIX), and commands typed from any
 * folder with relative paths. The launcher's JBang compiled the kit under that locale, in the
 * test run's first command through the launcher (KitBuild).
 */
class BareMachineTest {
    @Test
    void withNoLocaleTheKitBuildsSpeaksFrenchRunsTheMissionAndGrades(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Map<String, String> env = KitBuild.bareEnvironment(dir.resolve("home"), KitBuild.jbangDir());
        try {
            KitBuild.Run help = KitBuild.firstCommand();
            assertEquals(0, help.exit(), help.out());
            assertTrue(help.out().contains("[jbang] Building jar"), "JBang compiled the kit under the POSIX locale: " + help.out());
            assertTrue(help.out().contains("La région Multi-AZ locale : un primaire PostgreSQL en az1"), help.out());
            assertFalse(help.out().contains("?"), "no accented letter turned into '?': " + help.out());

            KitBuild.Run mission = KitBuild.launcher(env, work, "mission", "--json");
            assertEquals(0, mission.exit(), mission.out());
            assertEquals("pass", Json.read(mission.out(), Map.class).get("verdict"));

            // Relative paths are the student's folder's; a missing folder for the hand-in is made.
            KitBuild.Run bundle = KitBuild.launcher(env, work, "bundle", "--student", "alice", "--out", "hand-in/alice.zip");
            assertEquals(0, bundle.exit(), bundle.out());
            assertTrue(Files.exists(work.resolve("hand-in/alice.zip")), bundle.out());

            KitBuild.Run grade = KitBuild.launcher(env, work, "grade", "hand-in/alice.zip", "--lang", "fr");
            assertEquals(0, grade.exit(), grade.out());
            assertTrue(grade.out().contains("Écrits :") && grade.out().contains("les neuf étapes présentes"), "French with its accents: " + grade.out());
            assertTrue(Files.exists(work.resolve("grades.csv")) && Files.exists(work.resolve("grades.xml")), "the grades land where the instructor stands");
        } finally {
            KitBuild.launcher(env, work, "lab", "down", "--purge");
        }
    }

    /**
     * "~" is $HOME, as the shell and the launcher mean it: a HOME set for one command (HOME=/tmp/try
     * ./jbang mission) takes the kit's home and cache with it. Java's user.home is the account's
     * entry in the password file, and stays where it was.
     */
    @Test
    void theKitsHomeAndCacheFollowHomeAsTheShellAndTheLauncherDo(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("try"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "db007", "lab", "status").redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().put("PATH", System.getenv("PATH"));
        pb.environment().put("HOME", home.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(2, p.waitFor(), out);
        assertTrue(out.contains("no lab in " + home.resolve(".db007")), out);

        // The cache where the launcher keeps JBang: DB007_CACHE, else XDG_CACHE_HOME, else ~/.cache.
        Map<String, String> env = new java.util.HashMap<>();
        env.put("DB007_CACHE", null);
        env.put("XDG_CACHE_HOME", null);
        env.put("HOME", home.toString());
        assertEquals(home.resolve(".cache/db007"), EnvironmentVariables.with(env, common.Home::cache));
        env.put("XDG_CACHE_HOME", dir.resolve("xdg").toString());
        assertEquals(dir.resolve("xdg/db007"), EnvironmentVariables.with(env, common.Home::cache));
        env.put("DB007_CACHE", dir.resolve("own").toString());
        assertEquals(dir.resolve("own"), EnvironmentVariables.with(env, common.Home::cache));
    }

    /** env -i, or a container, may leave no HOME at all: the launcher takes the account's, as Java does. */
    @Test
    void theLauncherRunsWithNoHomeSet(@TempDir Path dir) throws Exception {
        Map<String, String> env = KitBuild.bareEnvironment(dir.resolve("home"), KitBuild.jbangDir());
        env.remove("HOME");
        KitBuild.Run r = KitBuild.launcher(env, dir, "lab", "status");
        assertEquals(2, r.exit(), r.out());
        assertTrue(r.out().contains("no lab in " + dir.resolve("home")), r.out());
    }

    @Test
    void relativePathsOfEveryCommandMeanTheFolderItRunsIn(@TempDir Path dir) throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Kit kit = new Kit(dir.resolve("home")).in(elsewhere);
        LocalSite site = new LocalSite(dir.resolve("home/pra"));
        try {
            kit.ok("pra_deploy", "--backup-every", "3600", "--evidence", "my-evidence");
            assertTrue(Files.isDirectory(elsewhere.resolve("my-evidence/steps")), "--evidence my-evidence is here");
            assertEquals(200, site.get("/add?message=one").status());
            Backups.Point first = Backups.take(site.data(), site.backups());
            assertEquals(200, site.get("/add?message=two").status());
            Backups.take(site.data(), site.backups());

            // The chosen point may be given as a path; only its name counts, the volume is the site's.
            Kit.Result restore = kit.run("pra_restore", "--force", "--point", "some/where/" + first.file(), "--evidence", "my-evidence");
            assertEquals(0, restore.exit(), restore.all());
            assertTrue(Files.exists(elsewhere.resolve("my-evidence/restore.json")), restore.all());
            String held = site.get("/consultation").body();
            assertTrue(held.contains("\"one\"") && !held.contains("\"two\""), "the chosen point held the first message only: " + held);

            Kit.Result bundle = kit.run("bundle", "--student", "bob", "--out", "out/bob.zip");
            assertEquals(0, bundle.exit(), bundle.all());
            assertTrue(Files.exists(elsewhere.resolve("out/bob.zip")), bundle.all());
            Kit.Result grade = kit.run("grade", "out/bob.zip", "--csv", "marks/class.csv", "--junit", "marks/class.xml");
            assertTrue(grade.exit() <= 1, grade.all());
            assertTrue(Files.exists(elsewhere.resolve("marks/class.csv")) && Files.exists(elsewhere.resolve("marks/class.xml")), grade.all());
        } finally {
            site.down(true);
        }
    }
}
