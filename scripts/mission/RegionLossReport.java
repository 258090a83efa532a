package mission;

//SOURCES ../common/Messages.java ../common/Report.java CrossRegion.java Journal.java RegionLoss.java

//FILES mission/report-region.html=report-region.html
//FILES mission/report-region-page.html=report-region-page.html

import common.Messages;
import common.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step 11 for people: a section of the mission's report.html, and a page of its own in the
 * step's folder. The writes per 100 ms around the loss of the Region, those the replica never
 * received in red; the disaster, the promotion and the move marked; the new endpoint; the lost
 * writes by number. The proof is embedded as JSON, for the grader to compare.
 */
public final class RegionLossReport {
    public static final String FILE = "report.html";
    private static final int STEP_MS = 100;
    private static final String START = "<!--db007:region-loss-->";
    private static final String END = "<!--/db007:region-loss-->";
    private static final String SLOT = "<!--db007:region-loss-slot-->";

    private RegionLossReport() {}

    /** The section, filled. */
    public static String section(RegionLoss p, List<Journal.Entry> journal, CrossRegion.Replica r, CrossRegion.Promotion promotion,
                                 CrossRegion.Repoint repoint) {
        Instant disaster = Instant.parse(p.disasterAt());
        Instant end = p.firstNewAt() != null ? Instant.parse(p.firstNewAt()) : disaster.plusSeconds(5);
        Instant from = disaster.minusSeconds(2);
        Instant to = end.plusSeconds(1);
        Map<String, Object> chart = new LinkedHashMap<>(Report.language());
        chart.put("from", from.toString());
        chart.put("to", to.toString());
        chart.put("series", series(journal, p, from, to));
        List<Map<String, String>> marks = new ArrayList<>();
        marks.add(mark("disaster", disaster, Messages.get("report.region.mark.disaster")));
        if (promotion != null && promotion.requestedAt() != null) marks.add(mark("event", Instant.parse(promotion.requestedAt()), Messages.get("report.region.mark.promote")));
        if (promotion != null && promotion.doneAt() != null) marks.add(mark("event", Instant.parse(promotion.doneAt()), Messages.get("report.region.mark.promoted")));
        if (repoint != null) marks.add(mark("event", Instant.parse(repoint.at()), Messages.get("report.region.mark.repoint")));
        if (p.firstNewAt() != null) marks.add(mark("event", Instant.parse(p.firstNewAt()), Messages.get("report.region.mark.first", p.firstNewSeq())));
        chart.put("marks", marks);
        Map<String, String> js = new LinkedHashMap<>();
        for (String k : List.of("chart", "axis_writes", "axis_time", "kept", "lost", "after")) js.put(k, Messages.get("report.region.js." + k.replace('_', '-')));
        chart.put("texts", js);

        Map<String, String> t = new LinkedHashMap<>();
        for (String k : List.of("heading", "label.link", "label.lost", "label.rpo", "label.lag", "label.rto", "label.endpoint", "label.lost-list", "note")) {
            t.put(k, Messages.get("report.region." + k));
        }
        t.put("link", r.linkLatencyMs() == null ? Messages.get("report.region.link.aws", r.sourceRegion(), r.region())
                : Messages.get("report.region.link.local", r.linkLatencyMs()));
        t.put("lost", Messages.get("report.region.lost.value", p.lostWrites(), p.acknowledgedByLostRegion()));
        t.put("rpo", p.rpoMs() + " ms");
        t.put("lag", p.lagBeforeMs() == null ? "-" : p.lagBeforeMs() + " ms");
        t.put("rto", p.rtoMs() == null ? Messages.get("report.none")
                : Messages.get("report.region.rto.value", p.rtoMs(), dash(p.detectionMs()), dash(p.promotionMs()), dash(p.repointMs())));
        t.put("endpoint", repoint == null ? Messages.get("report.none") : repoint.address() + ":" + repoint.port() + " (" + r.instance() + ", " + r.region() + ")");
        t.put("lost-list", p.lostSeqs().isEmpty() ? Messages.get("report.none")
                : RegionLoss.ranges(p.lostSeqs()) + (p.lostWrites() > p.lostSeqs().size() ? ", …" : ""));
        Map<String, Object> islands = new LinkedHashMap<>();
        islands.put("db007-region-loss", p);
        islands.put("db007-region-chart", chart);
        return Report.fill(Report.template("mission/report-region.html"), t, islands);
    }

    /** The step's own page, around the section. */
    public static String page(RegionLoss p, String section) {
        Map<String, String> t = new LinkedHashMap<>(Report.language());
        t.put("title", Messages.get("report.region.title"));
        boolean ok = "consistent".equals(p.verdict());
        t.put("verdict-class", ok ? "pass" : "fail");
        t.put("verdict", Messages.get(ok ? "report.region.verdict.consistent" : "report.region.verdict.inconsistent"));
        return Report.fill(Report.template("mission/report-region-page.html"), t, Map.of()).replace("<!--db007:section-->", section);
    }

    /** The section put into the mission's report, in place of an earlier one (a second run of step 11), or before its end. */
    public static boolean intoMissionReport(Path report, String section) throws IOException {
        if (!Files.isRegularFile(report)) return false;
        String html = Files.readString(report);
        int a = html.indexOf(START);
        int b = html.indexOf(END);
        if (a >= 0 && b > a) html = html.substring(0, a) + section + html.substring(b + END.length());
        else if (html.contains(SLOT)) html = html.replace(SLOT, section);
        else return false;
        Files.writeString(report, html);
        return true;
    }

    /** Per 100 ms between from and to: the lost Region's acknowledged writes kept and lost, and the new instance's. */
    static Map<String, Object> series(List<Journal.Entry> journal, RegionLoss p, Instant from, Instant to) {
        int n = (int) (Duration.between(from, to).toMillis() / STEP_MS + 1);
        long[] kept = new long[n], lost = new long[n], after = new long[n];
        Map<Long, Instant> opened = new HashMap<>();
        for (Journal.Entry e : journal) opened.merge(e.conn(), e.sentAt(), (x, y) -> x.isBefore(y) ? x : y);
        java.util.Set<Long> lostSeqs = new java.util.HashSet<>(p.lostSeqs());
        Instant disaster = Instant.parse(p.disasterAt());
        for (Journal.Entry e : journal) {
            if (e.outcome() != Journal.Outcome.ack || e.doneAt().isBefore(from) || e.doneAt().isAfter(to)) continue;
            int b = (int) Math.min(n - 1, Duration.between(from, e.doneAt()).toMillis() / STEP_MS);
            if (!opened.get(e.conn()).isBefore(disaster)) after[b]++;
            else if (lostSeqs.contains(e.seq())) lost[b]++;
            else kept[b]++;
        }
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("t0", from.toString());
        s.put("step_ms", STEP_MS);
        s.put("kept", kept);
        s.put("lost", lost);
        s.put("after", after);
        return s;
    }

    private static Map<String, String> mark(String kind, Instant at, String text) {
        return Map.of("kind", kind, "at", at.toString(), "text", text);
    }

    private static Object dash(Long v) {
        return v == null ? "-" : v;
    }
}
