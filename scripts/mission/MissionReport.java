package mission;

//SOURCES ../aws/Rds.java ../common/Evidence.java ../common/Messages.java ../common/Report.java ../region/Region.java Journal.java Proof.java

//FILES mission/report-mission.html=report-mission.html

import aws.Rds;
import common.Evidence;
import common.Messages;
import common.Report;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import region.Region;

/**
 * The mission's report.html (step 8): the proof for people. This class gathers the figures,
 * report-mission.html draws them: the outage gets the space (up to ten seconds either side), the
 * writes per 100 ms by the AZ that acknowledged them, the latency where writes happened, failed
 * and unknown attempts, the RDS events translated, the window without a synchronous standby, and
 * an overview of the whole run. The proof itself is embedded as JSON for the grader.
 */
public final class MissionReport {
    /** What the report says besides the proof: who, when, where. */
    public record Context(String student, Instant at, String target, Evidence.Sabotage sabotage, Region.Window unprotected, List<Journal.Entry> ordinary) {}

    /**
     * How much of the run the main chart shows either side of the outage: five outages' worth,
     * at least two seconds and at most ten, so that a short local outage still takes a good part
     * of the chart and a minute-long one on RDS keeps ten seconds of context.
     */
    static Duration around(long outageMs) {
        return Duration.ofMillis(Math.max(2000, Math.min(10_000, 5 * outageMs)));
    }
    static final int STEP_MS = 100;

    private MissionReport() {}

    // Long because it fills the page's slots in the page's own order.
    public static String html(Proof p, List<Journal.Entry> journal, List<Rds.Event> events, Context c) {
        Map<String, Object> data = new LinkedHashMap<>(Report.language());
        data.put("texts", texts());
        data.put("azs", azs(journal));
        Map<String, String> azLabels = new LinkedHashMap<>();
        for (String az : azs(journal)) azLabels.put(az, Messages.get("report.acknowledged-by", az));
        data.put("az_labels", azLabels);
        data.put("series", series(journal, azs(journal)));

        Instant t0 = journal.isEmpty() ? c.at() : journal.get(0).sentAt();
        Instant t1 = journal.isEmpty() ? c.at() : journal.get(journal.size() - 1).doneAt();
        Instant from = t0;
        Instant to = t1;
        if (p.outageFrom() != null && p.outageTo() != null) {
            Instant o0 = Instant.parse(p.outageFrom());
            Instant o1 = Instant.parse(p.outageTo());
            Duration around = around(Duration.between(o0, o1).toMillis());
            from = later(t0, o0.minus(around));
            to = earlier(t1, o1.plus(around));
            Map<String, Object> outage = new LinkedHashMap<>();
            outage.put("from", p.outageFrom());
            outage.put("to", p.outageTo());
            outage.put("label", Messages.get("report.outage", p.rtoMs()));
            outage.put("last_ack", ack(journal, o0, "report.last-ack"));
            outage.put("first_ack", ack(journal, o1, "report.first-ack"));
            data.put("outage", outage);
        }
        data.put("zoom", Map.of("from", from.toString(), "to", to.toString()));
        List<Map<String, Object>> translated = new ArrayList<>();
        // RDS's Multi-AZ recovery events bound the unprotected window, drawn as its band: listed, not drawn twice as markers.
        for (Rds.Event e : events) {
            translated.add(Map.of("time", e.time().toString(), "text", Rds.describe(e), "chart", !e.message().startsWith("Multi-AZ instance recovery")));
        }
        data.put("events", translated);
        if (c.unprotected() != null) data.put("unprotected", Map.of("from", c.unprotected().from().toString(), "to", c.unprotected().to().toString()));

        Map<String, String> t = new LinkedHashMap<>(Report.language());
        for (String key : List.of("title", "label.student", "label.date", "label.target", "label.sabotage", "label.rpo", "label.rto",
                "label.unprotected", "label.zone", "heading.outage", "heading.overview", "heading.figures", "heading.events", "label.acknowledged",
                "label.lost", "label.corrupt", "label.unknown", "label.missed", "label.failed", "label.ordinary", "label.error-to-success", "label.steady", "label.holes",
                "label.time", "label.event", "note")) {
            t.put(key, Messages.get("report." + key));
        }
        boolean pass = "pass".equals(p.verdict());
        t.put("verdict-class", pass ? "pass" : "fail");
        t.put("verdict", Messages.get(pass ? "report.verdict.pass" : "report.verdict.fail"));
        t.put("student", c.student());
        t.put("date", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(c.at()) + " UTC");
        t.put("target", c.target());
        t.put("sabotage", c.sabotage() == null ? Messages.get("report.none") : Messages.get("report.kind." + c.sabotage().kind()));
        t.put("rpo", Messages.get("report.rpo.value", p.rpoMs(), p.lostWrites()));
        t.put("rto", p.rtoMs() == null ? Messages.get("report.none") : p.rtoMs() + " ms");
        t.put("unprotected", c.unprotected() == null ? Messages.get("report.unprotected.unknown") : c.unprotected().millis() + " ms");
        t.put("acknowledged", Long.toString(p.acknowledgedWrites()));
        t.put("lost", Long.toString(p.lostWrites()));
        t.put("corrupt", Long.toString(p.corruptRows()));
        t.put("unknown", p.unknownWrites() + " (" + Messages.get("report.unknown.found", p.unknownFound()) + ")");
        t.put("failed", Long.toString(p.failedWrites()));
        Proof.Outage outage = Proof.Outage.of(journal, c.sabotage() == null ? null : c.sabotage().requestedAt());
        if (c.ordinary() == null || c.ordinary().isEmpty()) {
            t.put("ordinary", Messages.get("report.ordinary.none"));
        } else {
            // The ordinary client's outage, counted as the agent's is, from its own journal.
            Proof.Outage o = Proof.Outage.of(c.ordinary(), c.sabotage() == null ? null : c.sabotage().requestedAt());
            Instant since = c.sabotage() == null ? Instant.MIN : c.sabotage().requestedAt();
            long failed = c.ordinary().stream().filter(e -> e.outcome() != Journal.Outcome.ack && !e.sentAt().isBefore(since)).count();
            t.put("ordinary", Messages.get("report.ordinary", o == null ? 0 : o.ms(), failed));
        }
        t.put("missed", outage == null ? Messages.get("report.none") : Messages.get("report.missed", outage.missed(), outage.failed(), outage.unknown()));
        t.put("error-to-success", p.firstErrorToSuccessMs() == null ? Messages.get("report.none") : p.firstErrorToSuccessMs() + " ms");
        t.put("steady", String.format(Messages.french() ? Locale.FRENCH : Locale.ENGLISH, "%.0f", p.steadyWritesPerSecond()));
        t.put("holes", p.journalHoles() + " / " + p.unjournaledRows());

        Map<String, Object> islands = new LinkedHashMap<>();
        islands.put("db007-proof", p);
        islands.put("db007-report", data);
        return Report.fill(Report.template("mission/report-mission.html"), t, islands);
    }

    /** The texts the page's script draws with, in the reader's language. */
    private static Map<String, String> texts() {
        Map<String, String> t = new LinkedHashMap<>();
        for (String key : List.of("chart", "overview", "axis_writes", "axis_latency", "axis_time", "axis_overview", "latency", "failed",
                "unknown", "outage", "unprotected", "event")) {
            t.put(key, Messages.get("report.js." + key.replace('_', '-')));
        }
        return t;
    }

    /** The AZs that acknowledged writes, in order; an empty AZ (RDS does not say) is "?" */
    static List<String> azs(List<Journal.Entry> journal) {
        TreeSet<String> azs = new TreeSet<>();
        for (Journal.Entry e : journal) if (e.outcome() == Journal.Outcome.ack) azs.add(az(e));
        return new ArrayList<>(azs);
    }

    private static String az(Journal.Entry e) {
        return e.az() == null || e.az().isBlank() ? "?" : e.az();
    }

    /** Per 100 ms from the first attempt: acknowledged writes per AZ, their mean latency (-1 where none), failed and unknown attempts. */
    static Map<String, Object> series(List<Journal.Entry> journal, List<String> azs) {
        Instant t0 = journal.isEmpty() ? Instant.EPOCH : journal.get(0).sentAt();
        int n = journal.isEmpty() ? 1 : (int) (Duration.between(t0, journal.get(journal.size() - 1).doneAt()).toMillis() / STEP_MS + 1);
        long[][] acks = new long[n][azs.size()];
        double[] latency = new double[n];
        long[] failed = new long[n];
        long[] unknown = new long[n];
        for (Journal.Entry e : journal) {
            int b = (int) Math.max(0, Math.min(n - 1, Duration.between(t0, e.doneAt()).toMillis() / STEP_MS));
            switch (e.outcome()) {
                case ack -> {
                    acks[b][azs.indexOf(az(e))]++;
                    latency[b] += e.latencyMicros() / 1000.0;
                }
                case fail -> failed[b]++;
                case unknown -> unknown[b]++;
            }
        }
        List<Double> means = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long total = 0;
            for (long a : acks[i]) total += a;
            means.add(total == 0 ? -1 : Math.round(latency[i] / total * 100) / 100.0);
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("t0", t0.toString());
        s.put("step_ms", STEP_MS);
        s.put("acks", acks);
        s.put("latency", means);
        s.put("failed", failed);
        s.put("unknown", unknown);
        return s;
    }

    /** The acknowledged write that ends or begins the outage, named by its sequence number and AZ. */
    private static Map<String, Object> ack(List<Journal.Entry> journal, Instant at, String key) {
        for (Journal.Entry e : journal) {
            if (e.outcome() == Journal.Outcome.ack && e.doneAt().equals(at)) {
                return Map.of("at", at.toString(), "seq", e.seq(), "az", az(e), "text", Messages.get(key, e.seq(), az(e)));
            }
        }
        return Map.of("at", at.toString(), "seq", 0, "az", "?", "text", Messages.get(key, "?", "?"));
    }

    private static Instant later(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
