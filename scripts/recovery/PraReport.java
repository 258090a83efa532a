package recovery;

//SOURCES ../common/Evidence.java ../common/Home.java ../common/Messages.java ../common/Report.java AppLog.java Backups.java Design.java Drill.java
//SOURCES Restore.java Site.java

//FILES recovery/report-pra.html=report-pra.html

import common.Evidence;
import common.Home;
import common.Messages;
import common.Report;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The PRA workshop's report.html, written by each restore and by the drill: the messages the
 * app held over time (from its log), each backup as a tick with its count, the disaster, the
 * point restored, the messages lost shaded, and RPO and RTO marked with the exercises'
 * definitions; a table of the restore points and one of the restores; and, when exercise 5 has
 * run, its stronger architecture beside the drill's figures. report-pra.html draws it.
 */
public final class PraReport {
    private PraReport() {}

    /** Writes report.html into the evidence folder from what the site's log and backups say now. */
    public static void write(Evidence evidence, Site site) throws Exception {
        List<Restore.Result> restores = Restore.readAll(evidence.dir());
        List<Backups.Point> points = site.points();
        Files.writeString(evidence.file(Restore.REPORT), html(AppLog.read(site.appLog()), points, restores, Design.read(Home.evidence(Site.DESIGN)),
                site.target(), Instant.now()));
    }

    public static String html(List<AppLog.Timeline> timelines, List<Backups.Point> points, List<Restore.Result> restores, Design design, String target,
                       Instant at) {
        Map<String, Object> data = new LinkedHashMap<>(Report.language());
        data.put("texts", texts());
        data.put("count", count(timelines, restores));
        List<String> disasters = new ArrayList<>();
        for (AppLog.Timeline t : timelines) if (t.disasterAt() != null) disasters.add(t.disasterAt().toString());
        data.put("disasters", disasters);
        List<Map<String, Object>> pts = new ArrayList<>();
        for (Backups.Point p : points) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("file", p.file());
            m.put("time", p.time());
            m.put("messages", p.messages() == null ? 0 : p.messages());
            m.put("valid", p.valid());
            m.put("problem", p.problem() == null ? "" : p.problem());
            m.put("used", restores.stream().anyMatch(r -> p.file().equals(r.restoredFrom())));
            pts.add(m);
        }
        data.put("points", pts);
        List<Map<String, Object>> rs = new ArrayList<>();
        for (Restore.Result r : restores) rs.add(restore(r));
        data.put("restores", rs);
        if (design != null) data.put("design", design(design));

        Restore.Result shown = restores.stream().filter(r -> Restore.DISASTER.equals(r.kind())).reduce((a, b) -> b)
                .orElse(restores.isEmpty() ? null : restores.get(restores.size() - 1));
        Map<String, String> t = new LinkedHashMap<>(Report.language());
        for (String key : List.of("title", "label.student", "label.date", "label.target", "label.restored-from", "label.rpo", "label.rto", "label.lost",
                "label.zone", "heading.timeline", "heading.points", "heading.restores", "label.file", "label.taken", "label.messages", "label.check",
                "label.used", "label.started", "label.kind")) {
            t.put(key, Messages.get("pra.report." + key));
        }
        t.put("definitions", Messages.get("pra.definitions.rpo-rto"));
        boolean pass = shown != null && shown.verified();
        t.put("verdict-class", pass ? "pass" : "fail");
        t.put("verdict", Messages.get(shown == null ? "pra.report.verdict.none" : pass ? "pra.report.verdict.pass" : "pra.report.verdict.fail"));
        t.put("student", System.getProperty("user.name"));
        t.put("date", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC).format(at) + " UTC");
        t.put("target", Messages.get("pra.report.target." + target));
        t.put("restored-from", shown == null ? Messages.get("report.none") : shown.restoredFrom());
        t.put("rpo", shown == null || shown.rpoSeconds() == null ? Messages.get("report.none") : Messages.seconds(shown.rpoSeconds()) + " s");
        t.put("rto", shown == null || shown.rtoSeconds() == null ? Messages.get("report.none") : Messages.seconds(shown.rtoSeconds()) + " s");
        t.put("lost", shown == null || shown.lostMessages() == null ? Messages.get("report.none") : Long.toString(shown.lostMessages()));
        return Report.fill(Report.template("recovery/report-pra.html"), t, Map.of("db007-pra", data));
    }

    private static Map<String, String> texts() {
        Map<String, String> t = new LinkedHashMap<>();
        for (String key : List.of("chart", "axis_messages", "axis_time", "count", "backup", "backup_count", "lost", "disaster", "restore_point", "rpo", "rto",
                "valid", "invalid", "used", "design_heading")) {
            t.put(key, Messages.get("pra.report.js." + key.replace('_', '-')));
        }
        return t;
    }

    /**
     * The messages the app held, as a staircase of [time, count, "start" where a new data volume
     * begins]: from zero, or from the restored backup's count, up by one at each acknowledged add.
     */
    static List<Object[]> count(List<AppLog.Timeline> timelines, List<Restore.Result> restores) {
        List<Object[]> steps = new ArrayList<>();
        for (AppLog.Timeline t : timelines) {
            long held = 0;
            Instant start = t.restoredAt();
            if (t.restoredFrom() != null) {
                held = restores.stream().filter(r -> t.restoredFrom().equals(r.restoredFrom())).mapToLong(Restore.Result::restoredMessages).findFirst().orElse(0);
            }
            if (start == null && t.acks().isEmpty()) continue;
            if (start == null) start = Instant.parse(t.acks().get(0).at());
            steps.add(new Object[] {start.toString(), held, "start"});
            for (AppLog.Ack a : t.acks()) steps.add(new Object[] {a.at(), ++held, ""});
            if (t.disasterAt() != null) steps.add(new Object[] {t.disasterAt().toString(), held, ""});
        }
        return steps;
    }

    private static Map<String, Object> restore(Restore.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("started_at", r.startedAt());
        m.put("kind", r.kind());
        m.put("kind_text", Messages.get("pra.report.kind." + r.kind()));
        m.put("restored_from", r.restoredFrom());
        m.put("backup_time", r.backupTime());
        m.put("backup_messages", r.backupMessages());
        if (r.disasterAt() != null) m.put("disaster_at", r.disasterAt());
        if (r.lossAt() != null) m.put("loss_at", r.lossAt());
        if (r.firstAddAt() != null) m.put("first_add_at", r.firstAddAt());
        if (r.rpoSeconds() != null) m.put("rpo_seconds", r.rpoSeconds());
        if (r.rtoSeconds() != null) m.put("rto_seconds", r.rtoSeconds());
        String none = Messages.get("report.none");
        // The backup by its time, not its file name: a label short enough to sit beside the others on the chart.
        m.put("label", Messages.get("pra.report.restore-label." + r.kind(), r.backupTime() == null ? r.restoredFrom()
                : Messages.clock(java.time.Instant.parse(r.backupTime())).substring(0, 8)));
        m.put("rpo_label", r.rpoSeconds() == null ? none : "RPO " + Messages.seconds(r.rpoSeconds()) + " s");
        m.put("rto_label", r.rtoSeconds() == null ? none : "RTO " + Messages.seconds(r.rtoSeconds()) + " s");
        m.put("lost_text", r.lostMessages() == null ? none : Long.toString(r.lostMessages()));
        m.put("rpo_text", r.rpoSeconds() == null ? none : Messages.seconds(r.rpoSeconds()) + " s");
        m.put("rto_text", r.rtoSeconds() == null ? none : Messages.seconds(r.rtoSeconds()) + " s");
        return m;
    }

    /** Exercise 5's table: the workshop's architecture (the drill) against the stronger one. */
    private static Map<String, Object> design(Design d) {
        Drill b = d.before();
        String none = Messages.get("report.none");
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(Messages.get("pra.report.design.rpo"), b == null || b.rpoSeconds() == null ? none : Messages.seconds(b.rpoSeconds()) + " s",
                d.rpoSeconds() == null ? none : Messages.seconds(d.rpoSeconds()) + " s"));
        rows.add(List.of(Messages.get("pra.report.design.rto"), b == null || b.rtoSeconds() == null ? none : Messages.seconds(b.rtoSeconds()) + " s",
                d.rtoSeconds() == null ? none : Messages.seconds(d.rtoSeconds()) + " s"));
        rows.add(List.of(Messages.get("pra.report.design.lost"), b == null ? none : Long.toString(b.lostMessages()), Long.toString(d.lostMessages())));
        rows.add(List.of(Messages.get("pra.report.design.site"), Messages.get("pra5.no"), Messages.get(d.survivedLossOfBackupVolume() ? "pra5.yes" : "pra5.no")));
        rows.add(List.of(Messages.get("pra.report.design.alert"), Messages.get("pra.report.design.never"),
                d.alertFiredAfterMs() < 0 ? none : Messages.seconds(d.alertFiredAfterMs() / 1000.0) + " s"));
        rows.add(List.of(Messages.get("pra.report.design.test"), Messages.get("pra5.no"), Messages.get(d.restoreTestPassed() ? "pra5.yes" : "pra5.no")));
        rows.add(List.of(Messages.get("pra.report.design.lag"), none, Messages.seconds(d.offsiteLagMsMax() / 1000.0) + " s"));
        return Map.of("columns", List.of("", Messages.get("pra.report.design.workshop"), Messages.get("pra.report.design.stronger")), "rows", rows);
    }
}
