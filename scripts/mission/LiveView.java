package mission;

//SOURCES ../aws/Rds.java ../common/Json.java ../common/Messages.java ../common/Wait.java ../region/Region.java Journal.java LivePanel.java

import aws.Rds;
import common.Json;
import common.Messages;
import common.Wait;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import region.Region;

/**
 * The live panel in the terminal, redrawn in place ten times a second until closed, from the
 * agent's journal and the region's status (LivePanel draws it). JLine does the terminal's part:
 * its size and resizes, what it can show, and redrawing only what changed. Closed, or ended by
 * Ctrl-C, it leaves its last frame on the screen and the cursor shown below it.
 */
public final class LiveView implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMillis(100);

    private final Terminal terminal;
    private final Display display;
    private final LivePanel panel = new LivePanel();
    private final Path journal;
    private final Supplier<LivePanel.Region> region;
    private final Duration regionEvery;
    private final boolean unicode;
    private final boolean colour;
    private final Thread thread;
    private final Thread restore;
    private volatile boolean closed;
    private volatile boolean resized = true;

    /**
     * Whether the live view can be shown: standard output is a terminal (not a pipe, a file or
     * CI), it is not a dumb one, and the command was not asked for --plain.
     */
    public static boolean possible(boolean plain) {
        String term = System.getenv("TERM");
        return !plain && System.console() != null && term != null && !term.isBlank() && !term.equals("dumb");
    }

    /**
     * Unicode block characters only where the locale says UTF-8: a terminal under the POSIX
     * locale may not show them, and plain ASCII always reads.
     */
    static boolean unicodeLocale() {
        for (String name : new String[] {"LC_ALL", "LC_CTYPE", "LANG"}) {
            String v = System.getenv(name);
            if (v != null && !v.isBlank()) return v.toUpperCase(Locale.ROOT).replace("-", "").contains("UTF8");
        }
        return false;
    }

    public static LiveView start(Path journal, Supplier<LivePanel.Region> region, Duration regionEvery) throws IOException {
        return new LiveView(journal, region, regionEvery);
    }

    private LiveView(Path journal, Supplier<LivePanel.Region> region, Duration regionEvery) throws IOException {
        this.journal = journal;
        this.region = region;
        this.regionEvery = regionEvery;
        this.terminal = TerminalBuilder.builder().system(true).encoding(StandardCharsets.UTF_8).build();
        this.unicode = unicodeLocale();
        Integer colours = terminal.getNumericCapability(Capability.max_colors);
        this.colour = System.getenv("NO_COLOR") == null && colours != null && colours >= 8;
        this.display = new Display(terminal, false);
        terminal.handle(Terminal.Signal.WINCH, signal -> resized = true);
        // Ctrl-C ends the JVM: the cursor comes back and the last frame stays, whatever was running.
        this.restore = new Thread(this::leave, "live-view-restore");
        Runtime.getRuntime().addShutdownHook(restore);
        terminal.puts(Capability.cursor_invisible);
        terminal.flush();
        this.thread = new Thread(this::run, "live-view");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    public LivePanel panel() {
        return panel;
    }

    private void run() {
        long[] position = {0};
        Instant nextRegion = Instant.EPOCH;
        while (!closed) {
            try {
                if (Files.exists(journal)) panel.add(Journal.readFrom(journal, position));
                if (!Instant.now().isBefore(nextRegion)) {
                    panel.region(region.get());
                    nextRegion = Instant.now().plus(regionEvery);
                }
                draw();
            } catch (IOException | RuntimeException e) {
                // A look that failed (a journal line half written, a region between answers): the next one will do.
            }
            Wait.pause(EVERY);
        }
    }

    private synchronized void draw() {
        Size size = terminal.getSize();
        int rows = Math.max(24, size.getRows());
        int cols = Math.max(80, size.getColumns());
        if (resized) {
            display.clear();
            display.resize(rows, cols);
            resized = false;
        }
        List<AttributedString> lines = panel.draw(Instant.now(), new LivePanel.Style(cols, rows - 1, unicode, colour));
        display.update(lines, -1);
        terminal.flush();
    }

    /** Stops redrawing: the last frame stays on the screen, the cursor below it. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        draw();
        leave();
        try {
            Runtime.getRuntime().removeShutdownHook(restore);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
        try {
            terminal.close();
        } catch (IOException ignored) {
            // The terminal was ours only to write on.
        }
    }

    private synchronized void leave() {
        terminal.puts(Capability.cursor_visible);
        terminal.writer().println();
        terminal.flush();
    }

    /** --plain: the step's lines as they come, even in a terminal. */
    public static final class Plain {
        @picocli.CommandLine.Option(names = "--plain", descriptionKey = "option.plain")
        public boolean plain;
    }

    /** What a step does while the panel is shown. */
    @FunctionalInterface
    public interface Work<T> {
        T run(java.io.PrintWriter out) throws Exception;
    }

    /**
     * A step's wait under the panel when the output is a terminal: its lines are kept while the
     * panel is drawn, and printed below its last frame. Anywhere else the step prints as it goes.
     */
    public static <T> T around(boolean live, java.io.PrintWriter out, Path journal, Supplier<LivePanel.Region> region, Duration regionEvery,
                               Work<T> work) throws Exception {
        if (!live) return work.run(out);
        java.io.StringWriter kept = new java.io.StringWriter();
        T result;
        try (LiveView view = start(journal, region, regionEvery)) {
            result = work.run(new java.io.PrintWriter(kept, true));
        } finally {
            out.print(kept);
            out.flush();
        }
        return result;
    }

    /** The local region as the panel shows it: its status, asked of the control plane. */
    public static Supplier<LivePanel.Region> local(Region.State state) {
        return () -> {
            Region.Status s = Region.status(state);
            if (s == null) return new LivePanel.Region(null, null, null, null, Messages.get("watch.no-answer"), List.of());
            List<String> events = new ArrayList<>();
            for (Region.Event e : s.events().subList(Math.max(0, s.events().size() - 12), s.events().size())) {
                events.add(Messages.clock(Instant.parse(e.time())) + "  " + Messages.get("event." + Json.key(e.type()), e.az()));
            }
            return new LivePanel.Region(s.primaryAz(), s.standbyAz(), s.writesProtected(), s.unprotectedSince(), Json.key(s.instanceStatus()), events);
        };
    }

    /** An RDS instance as the panel shows it: DescribeDBInstances and the events since the view began. */
    public static Supplier<LivePanel.Region> rds(Rds api) {
        Instant since = Instant.now().minusSeconds(600);
        return () -> {
            Rds.Instance i = api.describe();
            List<String> events = new ArrayList<>();
            for (Rds.Event e : api.events(since)) events.add(Messages.clock(e.time()) + "  " + Rds.describe(e));
            // RDS says nothing of its standby's sync state: protected means Multi-AZ and available, as far as it tells.
            Boolean protectedWrites = i.multiAz() && "available".equals(i.status()) ? Boolean.TRUE : null;
            return new LivePanel.Region(i.primaryAz(), i.standbyAz(), protectedWrites, null, i.status(), events.subList(Math.max(0, events.size() - 12), events.size()));
        };
    }
}
