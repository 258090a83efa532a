package grading;

//SOURCES ../common/Messages.java ../common/Report.java

//FILES grading/report-class.html=report-class.html

import common.Messages;
import common.Report;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The grader's class.html (grade --html): one row per student, one column per check, coloured
 * pass, fail or for the instructor; the Mission, PRA and total marks; flags at a glance; and,
 * under the table, each student's section with the reasons, the written answers beside the
 * keys, and links to the student's two reports copied out of the bundle. Sortable by any column,
 * without a network; the keys are written once, not once per student.
 */
public final class ClassReport {
    /** A column: a check of the scale, its title and its points. */
    public record Column(String check, String title, int max, boolean instructor) {}

    /** One student's outcome for one check: "pass", "fail", "instructor" (not marked yet) or "marked". */
    public record Cell(String check, String status, int points, String reason) {}

    /** A written answer, beside the key it is judged against (found in the keys by workshop and id). */
    public record Answer(String workshop, String id, String text) {}

    public record Link(String label, String href) {}

    public record Row(String student, String bundle, int mission, int pra, int total, boolean failedRequired, List<String> flags,
                      List<Cell> cells, List<Answer> answers, List<Link> reports, String problem) {}

    private ClassReport() {}

    public static String html(List<Column> columns, List<Row> rows, Map<String, Map<String, String>> keys, int missionMax, int praMax, Instant at) {
        Map<String, Object> data = new LinkedHashMap<>(Report.language());
        data.put("columns", columns);
        data.put("rows", rows);
        data.put("keys", keys);
        data.put("max", Map.of("mission", missionMax, "pra", praMax, "total", missionMax + praMax));
        Map<String, String> texts = new LinkedHashMap<>();
        for (String key : List.of("student", "mission", "pra", "total", "flags", "details", "reasons", "answers", "answer", "key", "reports",
                "required", "unreadable", "none", "instructor", "sort")) {
            texts.put(key, Messages.get("class.js." + key));
        }
        data.put("texts", texts);
        Map<String, String> t = new LinkedHashMap<>(Report.language());
        t.put("title", Messages.get("class.title"));
        t.put("date", DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(at) + " UTC");
        t.put("summary", Messages.get("class.summary", rows.size(), rows.stream().filter(Row::failedRequired).count(),
                rows.stream().filter(r -> !r.flags().isEmpty()).count()));
        t.put("legend", Messages.get("class.legend"));
        t.put("warning", Messages.get("class.warning"));
        return Report.fill(Report.template("grading/report-class.html"), t, Map.of("db007-class", data));
    }
}
