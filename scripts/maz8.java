///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Agent.java common/Cli.java common/Database.java common/Evidence.java common/Journal.java common/Json.java common/Messages.java
//SOURCES common/Problem.java common/Proof.java common/Rds.java
//DESCRIPTION Mission step 8, proof: no acknowledged write lost (RPO = 0), and the outage measured (RTO), with an HTML report.

// Step 8 of Operation DB007: the proof.
//
//   ./jbang maz8
//
// Stops the agent, reads back every row it wrote, and checks each acknowledged write of the
// journal: present and intact (same checksum), or lost. The count of lost writes is the RPO.
// Writes whose outcome is unknown (sent, never answered) are counted apart: they may or may not
// be there, and neither is a loss. The RTO is the longest time without an acknowledged write
// around the failover. Writes proof.json, database.csv (the rows, for the grader) and report.html.

import common.Agent;
import common.Cli;
import common.Database;
import common.Evidence;
import common.Journal;
import common.Json;
import common.Messages;
import common.Problem;
import common.Proof;
import common.Rds;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "maz8")
public class maz8 extends Cli.KitCommand {
    @Mixin Rds.Options rds;
    @Mixin Evidence.Folder evidenceDir;

    public static void main(String[] args) {
        System.exit(Cli.run(new maz8(), args));
    }

    @Override
    public Integer call() throws Exception {
        Database.lowerDnsCache();
        PrintWriter out = spec.commandLine().getOut();
        Instant started = Instant.now();
        out.println(Messages.get("maz8.title"));
        Evidence evidence = evidenceDir.open("maz");

        Agent.Summary agent = Agent.stop(evidence, Duration.ofSeconds(30));
        out.println(Messages.get("maz8.agent", agent.attempts(), agent.acknowledged()));
        List<Journal.Entry> journal = Journal.read(evidence.file(Journal.FILE));

        Map<Long, Proof.Row> rows;
        try (Rds api = Rds.open(rds)) {
            rows = Proof.fetchRows(Database.login(rds, api.describe()), agent.runId());
        }
        Proof.writeRows(evidence.file(Proof.ROWS), rows.values());

        Evidence.Sabotage sabotage = evidence.sabotage();
        Instant sabotageAt = sabotage == null ? null : sabotage.requestedAt();
        Proof proof = Proof.compute(agent.runId(), journal, rows, sabotageAt);
        evidence.write(Proof.FILE, proof);
        Path report = evidence.file(Proof.REPORT);
        Files.writeString(report, report(proof, journal, Rds.events(evidence), sabotage));

        out.println(Messages.get("maz8.rpo", proof.acknowledgedWrites(), proof.lostWrites(), proof.corruptRows()));
        out.println(Messages.get("maz8.unknown", proof.unknownWrites(), proof.unknownFound()));
        if (proof.rtoMs() != null) out.println(Messages.get("maz8.rto", proof.rtoMs(), Messages.clock(Instant.parse(proof.outageFrom())),
                Messages.clock(Instant.parse(proof.outageTo())), proof.firstErrorToSuccessMs() == null ? "-" : proof.firstErrorToSuccessMs()));
        if (proof.journalHoles() > 0 || proof.unjournaledRows() > 0) out.println(Messages.get("maz8.tampered", proof.journalHoles(), proof.unjournaledRows()));
        if (!proof.lostSeqs().isEmpty()) out.println(Messages.get("maz8.lost.list", proof.lostSeqs()));
        if (!proof.corruptSeqs().isEmpty()) out.println(Messages.get("maz8.corrupt.list", proof.corruptSeqs()));
        out.println(Messages.get("maz8.report", report));
        boolean passed = proof.verdict().equals("pass");
        out.println(Messages.get(passed ? "maz8.pass" : "maz8.fail"));
        evidence.step("maz8", started, passed, Json.toMap(proof));
        return passed ? 0 : Problem.CHECK_FAILED;
    }

    // ---- report.html: one self-contained file, an inline SVG chart, no script to fetch -------

    static String report(Proof p, List<Journal.Entry> journal, List<Rds.Event> events, Evidence.Sabotage sabotage) {
        Instant t0 = journal.isEmpty() ? Instant.now() : journal.get(0).sentAt();
        Instant t1 = journal.isEmpty() ? t0.plusSeconds(1) : journal.get(journal.size() - 1).doneAt();
        long buckets = Math.max(1, Duration.between(t0, t1).toMillis() / 100 + 1);
        long[] count = new long[(int) buckets];
        double[] latency = new double[(int) buckets];
        for (Journal.Entry e : journal) {
            if (e.outcome() != Journal.Outcome.ack) continue;
            int b = (int) Math.min(buckets - 1, Duration.between(t0, e.doneAt()).toMillis() / 100);
            count[b]++;
            latency[b] += e.latencyMicros() / 1000.0;
        }
        long maxCount = 1;
        List<Double> means = new ArrayList<>();
        for (int i = 0; i < buckets; i++) {
            maxCount = Math.max(maxCount, count[i]);
            if (count[i] > 0) {
                latency[i] /= count[i];
                means.add(latency[i]);
            }
        }
        // The first writes of a fresh JVM are slow; scaled to them, the line would be flat. Scale to
        // the 95th percentile and clip what lies above it.
        Collections.sort(means);
        double maxLatency = means.isEmpty() ? 1 : Math.max(0.1, means.get((int) Math.floor((means.size() - 1) * 0.95)) * 1.25);
        int w = 1000, h = 300, left = 50, right = 50, top = 20, bottom = 40;
        double pw = w - left - right, ph = h - top - bottom;
        double bw = pw / buckets;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %d %d' role='img'>", w, h));
        if (p.outageFrom() != null) {
            double x0 = x(Instant.parse(p.outageFrom()), t0, t1, left, pw);
            double x1 = x(Instant.parse(p.outageTo()), t0, t1, left, pw);
            svg.append(String.format(Locale.ROOT, "<rect x='%.1f' y='%d' width='%.1f' height='%.0f' fill='#f8d7da'><title>%s</title></rect>",
                    x0, top, Math.max(1, x1 - x0), ph, esc(Messages.get("report.outage", p.rtoMs()))));
        }
        for (int i = 0; i < buckets; i++) {
            if (count[i] == 0) continue;
            double bh = ph * count[i] / maxCount;
            svg.append(String.format(Locale.ROOT, "<rect x='%.2f' y='%.1f' width='%.2f' height='%.1f' fill='#4a7bd0'/>",
                    left + i * bw, top + ph - bh, Math.max(0.5, bw - 0.5), bh));
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < buckets; i++) {
            if (count[i] == 0) continue;
            line.append(String.format(Locale.ROOT, "%.1f,%.1f ", left + (i + 0.5) * bw, top + ph - ph * Math.min(1, latency[i] / maxLatency)));
        }
        svg.append("<polyline fill='none' stroke='#e07b00' stroke-width='1.5' points='").append(line).append("'/>");
        int n = 0;
        for (Rds.Event e : events) {
            Instant at = e.time();
            if (at.isBefore(t0) || at.isAfter(t1)) continue;
            double x = x(at, t0, t1, left, pw);
            n++;
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' x2='%.1f' y1='%d' y2='%.0f' stroke='#333' stroke-dasharray='4 3'><title>%s</title></line>"
                    + "<text x='%.1f' y='%d' font-size='11' text-anchor='middle'>%d</text>", x, x, top, top + ph, esc(e.message()), x, top - 5, n));
        }
        svg.append(String.format(Locale.ROOT, "<line x1='%d' x2='%.0f' y1='%.0f' y2='%.0f' stroke='#000'/>", left, left + pw, top + ph, top + ph));
        for (int s = 0; s <= Duration.between(t0, t1).toSeconds(); s += Math.max(1, (int) (Duration.between(t0, t1).toSeconds() / 10))) {
            double x = x(t0.plusSeconds(s), t0, t1, left, pw);
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%.0f' font-size='11' text-anchor='middle'>%ds</text>", x, top + ph + 15, s));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.0f' font-size='11' fill='#4a7bd0'>%s (max %d)</text>", left, top + ph + 32,
                esc(Messages.get("report.axis.writes")), maxCount));
        svg.append(String.format(Locale.ROOT, "<text x='%.0f' y='%.0f' font-size='11' fill='#e07b00' text-anchor='end'>%s %.1f ms</text>",
                left + pw, top + ph + 32, esc(Messages.get("report.axis.latency")), maxLatency));
        svg.append("</svg>");

        StringBuilder legend = new StringBuilder("<ol>");
        for (Rds.Event e : events) {
            Instant at = e.time();
            if (at.isBefore(t0) || at.isAfter(t1)) continue;
            legend.append("<li>").append(Messages.clock(at)).append(" — ").append(esc(e.message())).append("</li>");
        }
        legend.append("</ol>");

        String verdictText = Messages.get(p.verdict().equals("pass") ? "report.verdict.pass" : "report.verdict.fail");
        String kind = sabotage == null ? "-" : sabotage.kind();
        return "<!DOCTYPE html>\n<html lang='" + (Messages.french() ? "fr" : "en") + "'><head><meta charset='utf-8'><title>"
                + esc(Messages.get("report.title")) + "</title><style>body{font-family:sans-serif;max-width:1040px;margin:2em auto;color:#222}"
                + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:left}"
                + ".pass{color:#17692e}.fail{color:#b00020}</style></head><body>"
                + "<h1>" + esc(Messages.get("report.title")) + "</h1>"
                + "<h2 class='" + p.verdict() + "'>" + esc(verdictText) + "</h2>"
                + "<table>"
                + row(Messages.get("report.kind"), kind)
                + row(Messages.get("report.acknowledged"), Long.toString(p.acknowledgedWrites()))
                + row(Messages.get("report.lost"), Long.toString(p.lostWrites()))
                + row(Messages.get("report.corrupt"), Long.toString(p.corruptRows()))
                + row(Messages.get("report.unknown"), p.unknownWrites() + " (" + Messages.get("report.unknown.found", p.unknownFound()) + ")")
                + row(Messages.get("report.rto"), p.rtoMs() == null ? "-" : p.rtoMs() + " ms")
                + row(Messages.get("report.error-to-success"), p.firstErrorToSuccessMs() == null ? "-" : p.firstErrorToSuccessMs() + " ms")
                + row(Messages.get("report.steady"), String.format(Locale.ROOT, "%.0f", p.steadyWritesPerSecond()))
                + row(Messages.get("report.holes"), p.journalHoles() + " / " + p.unjournaledRows())
                + "</table><h2>" + esc(Messages.get("report.timeline")) + "</h2>" + svg
                + "<p>" + esc(Messages.get("report.legend")) + "</p>" + legend
                + "<script type='application/json' id='db007-proof'>" + Json.write(p).replace("</", "<\\/") + "</script>"
                + "</body></html>\n";
    }

    private static double x(Instant t, Instant t0, Instant t1, int left, double pw) {
        double span = Math.max(1, Duration.between(t0, t1).toMillis());
        return left + pw * Duration.between(t0, t).toMillis() / span;
    }

    private static String row(String k, String v) {
        return "<tr><th>" + esc(k) + "</th><td>" + esc(v) + "</td></tr>";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }

}
