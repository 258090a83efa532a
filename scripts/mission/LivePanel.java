package mission;

//SOURCES ../common/Messages.java Journal.java Proof.java

//DEPS org.jline:jline-terminal:4.6.0

import common.Messages;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * What the live view shows, from the same sources the proof reads: the agent's journal, line by
 * line, and the region's status. It keeps the last 30 s of attempts and draws them as a panel of
 * text lines: acknowledged writes per 100 ms as bars marked by the AZ that acknowledged them,
 * failed and unknown attempts under them, where the primary and the standby are and whether a
 * synchronous standby protects the writes, the last events, and a stopwatch that runs while no
 * write is acknowledged and stops at the outage's length, computed as the proof computes its RTO.
 *
 * Pure: no terminal, no clock of its own (the time of each drawing is given), so a test draws it.
 */
public final class LivePanel {
    static final Duration WINDOW = Duration.ofSeconds(30);
    /** A pause this long without an acknowledged write is an outage, as step 6 and the proof count it. */
    static final Duration SILENCE = Proof.Recovery.SILENCE;

    /** How to draw: its size, Unicode or plain ASCII, colour or none. */
    public record Style(int width, int height, boolean unicode, boolean colour) {}

    /** Where the region stands, as its status or RDS says it; null fields when not known. */
    public record Region(String primaryAz, String standbyAz, Boolean protectedWrites, String unprotectedSince, String instanceStatus, List<String> events) {}

    private final Deque<Journal.Entry> recent = new ArrayDeque<>();
    private Journal.Entry lastAck;
    private Long frozenMs;
    private Instant frozenAt;
    private long acknowledged;
    private Region region = new Region(null, null, null, null, null, List.of());
    private final List<String> azs = new ArrayList<>();

    /** The journal's new lines, in order. */
    public void add(List<Journal.Entry> entries) {
        for (Journal.Entry e : entries) {
            recent.addLast(e);
            if (e.outcome() != Journal.Outcome.ack) continue;
            acknowledged++;
            if (e.az() != null && !azs.contains(e.az())) {
                // In name order, whichever came first: az1 keeps its mark for the whole run.
                azs.add(e.az());
                azs.sort(null);
            }
            if (lastAck != null) {
                long gap = Proof.millisBetween(lastAck.doneAt(), e.doneAt());
                // The outage as the proof counts it: from the last write acknowledged before to the first after; the
                // longest one, as the proof's RTO is, so that a short stall after the failover does not replace it.
                if (gap > SILENCE.toMillis() && (frozenMs == null || gap >= frozenMs)) {
                    frozenMs = gap;
                    frozenAt = e.doneAt();
                }
            }
            lastAck = e;
        }
        Instant newest = recent.isEmpty() ? null : recent.peekLast().doneAt();
        while (newest != null && !recent.isEmpty() && recent.peekFirst().doneAt().isBefore(newest.minus(WINDOW).minusSeconds(1))) recent.removeFirst();
    }

    public void region(Region r) {
        if (r != null) region = r;
    }

    /** The outage's length once writes came back (null before any); what the proof's RTO will be: the longest. */
    public Long frozenMs() {
        return frozenMs;
    }

    /** When writes came back after the longest outage; null before any. */
    public Instant frozenAt() {
        return frozenAt;
    }

    /** The stopwatch while no write is acknowledged: milliseconds since the last one, or null while writes flow. */
    public Long runningMs(Instant now) {
        if (lastAck == null) return null;
        long ms = Proof.millisBetween(lastAck.doneAt(), now);
        return ms > SILENCE.toMillis() ? ms : null;
    }

    /** The panel at that moment, one string per line, each at most the style's width. */
    public List<AttributedString> draw(Instant now, Style s) {
        List<AttributedString> lines = new ArrayList<>();
        int width = Math.max(40, s.width());
        int chartHeight = Math.max(3, Math.min(10, s.height() - 16));
        lines.add(bold(Messages.get("watch.title", Messages.clock(now).substring(0, 8)), width));
        lines.addAll(chart(now, s, width, chartHeight));
        lines.add(legend(s, width));
        lines.add(AttributedString.EMPTY);
        lines.add(plain(where(), width));
        lines.add(protection(s, width));
        lines.add(stopwatch(now, s, width));
        lines.add(AttributedString.EMPTY);
        lines.add(bold(Messages.get("watch.events"), width));
        List<String> events = region.events() == null ? List.of() : region.events();
        int room = Math.max(1, s.height() - lines.size() - 1);
        for (String e : events.subList(Math.max(0, events.size() - room), events.size())) lines.add(plain("  " + e, width));
        while (lines.size() < s.height() - 1) lines.add(AttributedString.EMPTY);
        lines.add(faint(Messages.get("watch.quit"), width));
        return lines.subList(0, Math.min(lines.size(), Math.max(1, s.height())));
    }

    /** Writes per 100 ms over the last 30 s: each column a slice of time, its bar the AZ that acknowledged them, misses under it. */
    private List<AttributedString> chart(Instant now, Style s, int width, int height) {
        int axis = 7;
        int columns = Math.max(10, width - axis - 1);
        long sliceMs = Math.max(100, WINDOW.toMillis() / columns);
        Instant start = now.minusMillis(sliceMs * columns);
        long[][] acks = new long[columns][2];
        boolean[] failed = new boolean[columns];
        boolean[] unknown = new boolean[columns];
        for (Journal.Entry e : recent) {
            int c = (int) (Duration.between(start, e.doneAt()).toMillis() / sliceMs);
            if (c < 0 || c >= columns) continue;
            switch (e.outcome()) {
                case ack -> acks[c][azIndex(e.az())]++;
                case fail -> failed[c] = true;
                case unknown -> unknown[c] = true;
            }
        }
        double per100 = 100.0 / sliceMs;
        double max = 1;
        for (long[] a : acks) max = Math.max(max, (a[0] + a[1]) * per100);
        double top = niceCeiling(max);
        List<AttributedString> rows = new ArrayList<>();
        for (int row = height; row >= 1; row--) {
            AttributedStringBuilder b = new AttributedStringBuilder();
            String label = row == height ? String.format("%5.0f ", top) : row == 1 ? String.format("%5d ", 0) : "      ";
            // Axes in ASCII whatever the terminal: JLine would send box-drawing characters through the terminal's alternate charset.
            b.append(label).append("|");
            double level = top * row / height;
            for (int c = 0; c < columns; c++) {
                double first = acks[c][0] * per100;
                double both = (acks[c][0] + acks[c][1]) * per100;
                double floor = top * (row - 1) / height;
                // Each cell filled by whichever AZ's writes reach this height; the first AZ drawn from the bottom.
                if (first > floor && first >= (floor + level) / 2) b.append(cell(0, s));
                else if (both > floor && both >= (floor + level) / 2) b.append(cell(1, s));
                else b.append(' ');
            }
            rows.add(b.toAttributedString().columnSubSequence(0, width));
        }
        AttributedStringBuilder misses = new AttributedStringBuilder().append("      ").append("+");
        for (int c = 0; c < columns; c++) {
            if (failed[c]) misses.append(s.unicode() ? "✗" : "x", s.colour() ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED).bold() : AttributedStyle.BOLD);
            else if (unknown[c]) misses.append("?", s.colour() ? AttributedStyle.DEFAULT.foreground(AttributedStyle.MAGENTA).bold() : AttributedStyle.BOLD);
            else misses.append("-");
        }
        rows.add(misses.toAttributedString().columnSubSequence(0, width));
        String left = "-" + (sliceMs * columns / 1000) + " s";
        String right = Messages.get("watch.now");
        int pad = Math.max(1, columns + axis + 1 - left.length() - right.length() - axis);
        rows.add(plain(" ".repeat(axis) + left + " ".repeat(pad) + right + "   " + Messages.get("watch.axis", sliceMs), width));
        return rows;
    }

    private int azIndex(String az) {
        if (az == null) return 0;
        int i = azs.indexOf(az);
        return i < 0 ? 0 : Math.min(i, 1);
    }

    /** An AZ's mark: its own character, so that colour is never the only way to tell the two apart. */
    private static AttributedString cell(int az, Style s) {
        String ch = s.unicode() ? (az == 0 ? "█" : "▒") : (az == 0 ? "#" : "=");
        AttributedStyle st = !s.colour() ? AttributedStyle.DEFAULT : AttributedStyle.DEFAULT.foreground(az == 0 ? AttributedStyle.BLUE : AttributedStyle.YELLOW);
        return new AttributedString(ch, st);
    }

    private AttributedString legend(Style s, int width) {
        AttributedStringBuilder b = new AttributedStringBuilder().append("  ");
        for (int i = 0; i < Math.max(1, Math.min(2, azs.size())); i++) {
            String az = i < azs.size() ? azs.get(i) : "az1";
            b.append(cell(i, s)).append(" ").append(Messages.get("watch.legend.az", az)).append("   ");
        }
        b.append(s.unicode() ? "✗" : "x").append(" ").append(Messages.get("watch.legend.failed")).append("   ? ").append(Messages.get("watch.legend.unknown"));
        return b.toAttributedString().columnSubSequence(0, width);
    }

    /** Where the primary and the standby are and whether writes are protected, on one line. */
    public String summary() {
        String protection = region.protectedWrites() == null ? "?" : region.protectedWrites() ? Messages.get("watch.short.sync") : Messages.get("watch.short.unprotected");
        return Messages.get("watch.short", orDash(region.primaryAz()), orDash(region.standbyAz()), protection);
    }

    private String where() {
        String status = region.instanceStatus() == null ? "?" : region.instanceStatus();
        return Messages.get("watch.where", orDash(region.primaryAz()), orDash(region.standbyAz()), status);
    }

    private AttributedString protection(Style s, int width) {
        if (region.protectedWrites() == null) return plain(Messages.get("watch.protection.unknown"), width);
        if (region.protectedWrites()) return plain(Messages.get("watch.protected", orDash(region.standbyAz())), width);
        AttributedStyle warn = s.colour() ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED).bold() : AttributedStyle.BOLD;
        String since = region.unprotectedSince() == null ? "-" : Messages.clock(Instant.parse(region.unprotectedSince()));
        return new AttributedString(fit(Messages.get("watch.unprotected", since), width), warn);
    }

    private AttributedString stopwatch(Instant now, Style s, int width) {
        Long running = runningMs(now);
        if (running != null) {
            AttributedStyle st = s.colour() ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED).bold() : AttributedStyle.BOLD;
            return new AttributedString(fit((s.unicode() ? "⏱ " : "") + Messages.get("watch.stopwatch.running", Messages.stopwatch(running)), width), st);
        }
        if (frozenMs != null) {
            return new AttributedString(fit((s.unicode() ? "⏱ " : "") + Messages.get("watch.stopwatch.frozen", Messages.stopwatch(frozenMs),
                    Messages.clock(frozenAt)), width), AttributedStyle.BOLD);
        }
        return plain(Messages.get("watch.stopwatch.none", acknowledged), width);
    }

    private static double niceCeiling(double v) {
        for (double step : new double[] {1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000}) if (v <= step) return step;
        return Math.ceil(v / 1000) * 1000;
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static String fit(String text, int width) {
        return text.length() <= width ? text : text.substring(0, width);
    }

    private static AttributedString plain(String text, int width) {
        return new AttributedString(fit(text, width));
    }

    private static AttributedString bold(String text, int width) {
        return new AttributedString(fit(text, width), AttributedStyle.BOLD);
    }

    private static AttributedString faint(String text, int width) {
        return new AttributedString(fit(text, width), AttributedStyle.DEFAULT.faint());
    }

    /** The panel as plain text, for a test or the documentation. */
    public static String text(List<AttributedString> lines) {
        StringBuilder b = new StringBuilder();
        for (AttributedString l : lines) b.append(l.toString()).append('\n');
        return b.toString();
    }
}
