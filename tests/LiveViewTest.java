import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import common.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mission.Journal;
import mission.LivePanel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live view in a real pseudo-terminal: watch runs in a tmux pane of 80 by 24 while the
 * region fails over under the agent, and the pane is read as a person would see it, many times
 * a second. The frozen stopwatch must say what the proof then computes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveViewTest {
    static final Path SCREENS = Path.of("target/live-view");
    Kit kit;
    Path home;
    String session;

    @BeforeAll
    void region(@TempDir Path dir) throws Exception {
        assumeTrue(tmux(), "no tmux on this machine (Debian: apt-get install tmux); .ci/run installs it");
        home = dir;
        kit = new Kit(home);
        kit.ok("maz1");
        kit.ok("maz2");
        kit.ok("maz3", "--background");
        session = "db007-live-" + ProcessHandle.current().pid();
    }

    @AfterAll
    void down() throws Exception {
        if (kit == null) return;
        run("tmux", "kill-session", "-t", session);
        kit.run("maz3", "stop");
        kit.purge();
    }

    /** One look at the pane, and when. */
    record Frame(Instant at, String screen) {}

    @Test
    void thePanelShowsTheOutageAsTheProofCountsIt() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String command = String.join(" ", "env", "LANG=C.UTF-8", "TERM=xterm-256color", "DB007_LANG=en", "DB007_HOME=" + home,
                "DB007_KIT=" + Path.of("").toAbsolutePath(), javaBin, "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "watch",
                "--seconds", "60");
        assertEquals(0, run("tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command).exit());
        List<Frame> frames = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    frames.add(new Frame(Instant.now(), run("tmux", "capture-pane", "-p", "-t", session).out()));
                    Thread.sleep(40);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        });
        reader.start();
        try {
            assertTrue(common.Wait.within(Duration.ofSeconds(20), Duration.ofMillis(50), () -> last(frames).contains("█ acknowledged by az1")
                    && last(frames).contains("█") && last(frames).contains("Writes protected")), "the panel came up: " + last(frames));
            kit.ok("maz5", "--plain");
            assertTrue(common.Wait.within(Duration.ofSeconds(20), Duration.ofMillis(50), () -> last(frames).contains("(longest outage;")
                    && last(frames).contains("▒ acknowledged by az2")), "the outage ended on the panel: " + last(frames));
            common.Wait.pause(500);
        } finally {
            reader.interrupt();
            reader.join();
        }
        kit.ok("maz3", "stop");
        kit.ok("maz8");
        long rto = ((Number) Json.read(home.resolve("evidence/maz/proof.json"), Map.class).get("rto_ms")).longValue();

        Files.createDirectories(SCREENS);
        int az1 = firstIndex(frames, f -> f.contains("█") && f.contains("Primary: az1"));
        int running = firstIndex(frames, f -> f.contains("without an acknowledged write (running)"));
        int az2 = firstIndex(frames, f -> f.contains("Primary: az2") && barsOf(f).contains("▒"));
        assertTrue(az1 >= 0 && running >= az1 && az2 > running, "bars from az1, then a running stopwatch, then bars from az2: " + az1 + ", " + running + ", " + az2);
        Files.writeString(SCREENS.resolve("during-the-outage.txt"), frames.get(running).screen(), StandardCharsets.UTF_8);
        // The last frame with the stopwatch frozen: on a loaded machine the very last may show a short stall running.
        String after = "";
        synchronized (frames) {
            for (Frame f : frames) if (f.screen().contains("(longest outage;")) after = f.screen();
        }
        Files.writeString(SCREENS.resolve("after-the-outage.txt"), after, StandardCharsets.UTF_8);
        Matcher frozen = Pattern.compile("(\\d+)\\.(\\d{3}) s without an acknowledged write \\(longest outage").matcher(after);
        assertTrue(frozen.find(), after);
        long shown = Long.parseLong(frozen.group(1)) * 1000 + Long.parseLong(frozen.group(2));
        assertTrue(Math.abs(shown - rto) <= 100, "the frozen stopwatch, " + shown + " ms, is the proof's RTO, " + rto + " ms");
        for (Frame f : frames) {
            for (String line : f.screen().split("\n")) assertTrue(line.length() <= 80, "every line fits 80 columns: " + line);
        }
    }

    @Test
    void withoutATerminalTheStepsPrintTheirLinesAsBefore() {
        Kit.Result r = kit.run("watch", "--seconds", "2");
        assertEquals(0, r.exit(), r.all());
        assertFalse(r.out().contains("\u001b"), "no escape sequence in a pipe: " + r.out());
        assertTrue(r.out().lines().count() >= 1 && r.out().contains("acknowledged:") && r.out().contains("primary az"), r.out());
    }

    /** A short stall after the failover (a loaded machine) must not replace the outage the proof will count. */
    @Test
    void theStopwatchKeepsTheLongestOutageAsTheProofDoes() {
        LivePanel panel = new LivePanel();
        Instant t = Instant.parse("2026-12-05T10:00:00Z");
        long[] doneAtMs = {0, 10, 20, 983, 993, 1003, 1131, 1141};
        List<Journal.Entry> entries = new ArrayList<>();
        for (int i = 0; i < doneAtMs.length; i++) {
            Instant at = t.plusMillis(doneAtMs[i]);
            entries.add(new Journal.Entry(i + 1, at.minusMillis(1), at, Journal.Outcome.ack, 1, i < 3 ? "az1" : "az2", null, 1000, "x", null));
        }
        panel.add(entries);
        assertEquals(963L, panel.frozenMs(), "the longest gap, 963 ms, not the later 128 ms one");
        assertEquals(t.plusMillis(983), panel.frozenAt());
    }

    private static boolean tmux() {
        try {
            return run("tmux", "-V").exit() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String barsOf(String screen) {
        String[] lines = screen.split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < Math.min(lines.length, 12); i++) b.append(lines[i]);
        return b.toString();
    }

    private static String last(List<Frame> frames) {
        synchronized (frames) {
            return frames.isEmpty() ? "" : frames.get(frames.size() - 1).screen();
        }
    }

    private static int firstIndex(List<Frame> frames, java.util.function.Predicate<String> p) {
        for (int i = 0; i < frames.size(); i++) if (p.test(frames.get(i).screen())) return i;
        return -1;
    }

    record Run(int exit, String out) {}

    private static Run run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
            return new Run(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
