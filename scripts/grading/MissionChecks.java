package grading;

//SOURCES ../common/Bundle.java ../common/Evidence.java ../common/Json.java ../common/Messages.java ../common/Problem.java ../common/Report.java
//SOURCES ../mission/Agent.java ../mission/CrossRegion.java ../mission/Journal.java ../mission/Mole.java ../mission/Proof.java
//SOURCES ../mission/RegionLoss.java Scale.java Student.java StudentFiles.java

import common.Bundle;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mission.Agent;
import mission.CrossRegion;
import mission.Journal;
import mission.Mole;
import mission.Proof;
import mission.RegionLoss;


/** The mission's checks, from the raw journal and rows; the figures the student reported are compared, never used. */
public final class MissionChecks {
    final Path root;
    final Scale scale;
    String runId;

    public MissionChecks(Path root, Scale scale) {
        this.root = root;
        this.scale = scale;
    }

    // Long because the checks follow the scale's rows in order, one block each, as the instructor reads them.
    public List<Student.Check> checks(List<String> flags) {
        List<Student.Check> checks = new ArrayList<>();
        // Steps: all nine, passed, started in order.
        Map<Integer, Evidence.Step> steps = new TreeMap<>();
        String stepsReason = null;
        Instant previous = Instant.MIN;
        for (int i = 1; i <= 9 && stepsReason == null; i++) {
            String file = "maz/steps/maz" + i + ".json";
            try {
                if (!Files.exists(root.resolve(file))) {
                    stepsReason = Messages.get("grade.maz.step.missing", i);
                    break;
                }
                Evidence.Step s = StudentFiles.read(root, file, Evidence.Step.class);
                Instant started = StudentFiles.time(file, "started_at", s.startedAt());
                if (!"pass".equals(s.verdict())) stepsReason = Messages.get("grade.maz.step.failed", i);
                else if (started.isBefore(previous)) stepsReason = Messages.get("grade.maz.step.order", i);
                else {
                    previous = started;
                    steps.put(i, s);
                }
            } catch (Problem p) {
                stepsReason = p.getMessage();
            }
        }
        checks.add(scale.check("maz.steps", stepsReason));
        // The texts ask for the steps one by one: each record says whether ./jbang mission ran it with the others.
        List<String> atOnce = steps.entrySet().stream().filter(e -> !"step".equals(e.getValue().runBy())).map(e -> Integer.toString(e.getKey())).toList();
        checks.add(scale.check("maz.by-hand", steps.size() < 9 ? Messages.get("grade.maz.by-hand.incomplete")
                : atOnce.isEmpty() ? null : Messages.get("grade.maz.by-hand.mission", String.join(", ", atOnce))));

        Evidence.Sabotage sabotage = null;
        String orderReason;
        try {
            sabotage = steps.containsKey(5) ? observed(steps.get(5), 5, Evidence.Sabotage.class) : null;
            Evidence.NewOrder order = steps.containsKey(9) ? observed(steps.get(9), 9, Evidence.NewOrder.class) : null;
            orderReason = sabotage == null || order == null ? Messages.get("grade.maz.order.unknown")
                    : !Objects.equals(order.primaryAz(), sabotage.standbyAzBefore()) || !Objects.equals(order.standbyAz(), sabotage.primaryAzBefore())
                    ? Messages.get("grade.maz.order.wrong", sabotage.primaryAzBefore(), order.primaryAz(), order.standbyAz()) : null;
        } catch (Problem p) {
            orderReason = p.getMessage();
        }
        checks.add(scale.check("maz.order", orderReason));

        // The proof, recomputed from the raw journal and rows only.
        Proof recomputed = null;
        String journalReason = null;
        String rpoReason = null;
        try {
            List<Journal.Entry> journal = Journal.read(root.resolve("maz/" + Journal.FILE));
            Agent.Summary agent = StudentFiles.read(root, "maz/" + Agent.SUMMARY, Agent.Summary.class);
            runId = StudentFiles.require("maz/" + Agent.SUMMARY, "run_id", agent.runId());
            Map<Long, Proof.Row> rows = Proof.readRows(root.resolve("maz/" + Proof.ROWS));
            recomputed = Proof.compute(runId, journal, rows, sabotage == null ? null : sabotage.requestedAt());
            if (recomputed.journalHoles() > 0) journalReason = Messages.get("grade.maz.holes", recomputed.journalHoles());
            if (recomputed.lostWrites() > 0 || recomputed.corruptRows() > 0 || recomputed.unjournaledRows() > 0 || recomputed.acknowledgedWrites() == 0) {
                rpoReason = Messages.get("grade.maz.rpo", recomputed.acknowledgedWrites(), recomputed.lostWrites(), recomputed.corruptRows(),
                        recomputed.unjournaledRows());
            }
            if (recomputed.implausibleUnknowns() > 0) {
                String said = Messages.get("grade.maz.unknowns", recomputed.implausibleUnknowns(), recomputed.implausibleSeqs());
                rpoReason = rpoReason == null ? said : rpoReason + " " + said;
                flags.add(Messages.get("grade.flag.unknowns", recomputed.implausibleUnknowns()));
            }
        } catch (Problem p) {
            journalReason = p.getMessage();
            rpoReason = p.getMessage();
        }
        checks.add(scale.check("maz.journal", journalReason));
        checks.add(scale.check("maz.rpo", rpoReason));

        String rtoReason;
        String reportReason;
        try {
            Proof claimed = StudentFiles.read(root, "maz/" + Proof.FILE, Proof.class);
            if (recomputed == null) rtoReason = Messages.get("grade.maz.rto.none");
            else if (recomputed.rowsOffClock() > 0 || recomputed.rowsOutOfOrder() > 0) {
                rtoReason = Messages.get("grade.maz.clock", recomputed.rowsOffClock(), recomputed.rowsOutOfOrder());
                flags.add(Messages.get("grade.flag.clock", recomputed.rowsOffClock() + recomputed.rowsOutOfOrder()));
            } else if (!Objects.equals(recomputed.rtoMs(), claimed.rtoMs())) {
                rtoReason = Messages.get("grade.maz.rto.differs", claimed.rtoMs(), recomputed.rtoMs());
            } else {
                rtoReason = null;
            }
            reportReason = reportReason(recomputed);
        } catch (Problem p) {
            rtoReason = p.getMessage();
            reportReason = p.getMessage();
        }
        checks.add(scale.check("maz.rto", rtoReason));
        checks.add(scale.check("maz.report", reportReason));
        if (recomputed != null) flagClaims(flags, recomputed, sabotage);
        if (Files.isRegularFile(root.resolve("maz/" + Mole.FOLDER + "/" + Mole.FILE), LinkOption.NOFOLLOW_LINKS)) checks.add(scale.check("maz.mole", moleReason(flags)));
        if (Files.isDirectory(root.resolve("maz11"), LinkOption.NOFOLLOW_LINKS)) checks.add(scale.check("maz.region", regionReason(flags)));
        // The mission's written answers are the instructor's to judge, beside the keys.
        boolean answered = Files.isRegularFile(root.resolve("answers/maz.md"), LinkOption.NOFOLLOW_LINKS);
        checks.add(new Student.Check("maz.questions", null, 0, answered ? Messages.get("grade.instructor.plain") : Messages.get("grade.answers.none.maz")));
        return checks;
    }

    /**
     * Step 10 recounted from its own journal and the rows after the recovery: what came back,
     * what was lost before and after the error, and the RPO from the two times the step kept.
     */
    private String moleReason(List<String> flags) {
        String folder = "maz/" + Mole.FOLDER + "/";
        try {
            Mole claimed = StudentFiles.read(root, folder + Mole.FILE, Mole.class);
            if (claimed.errorAt() == null || claimed.restoreTime() == null) return Messages.get("grade.file.field", folder + Mole.FILE, "error_at, restore_time");
            Instant errorAt = Instant.parse(claimed.errorAt());
            Instant point = Instant.parse(claimed.restoreTime());
            if (point.isAfter(errorAt)) return Messages.get("grade.maz.mole.after", claimed.restoreTime(), claimed.errorAt());
            List<Journal.Entry> journal = Journal.read(root.resolve(folder + Journal.FILE));
            Map<Long, Proof.Row> rows = Proof.readRows(root.resolve(folder + Proof.ROWS));
            Mole.Count c = Mole.recount(journal, rows, errorAt, point);
            if (c.missingBeforeRecoveryPoint() > 0) return Messages.get("grade.maz.mole.missing", c.missingBeforeRecoveryPoint());
            boolean same = c.acknowledgedBeforeError() == claimed.acknowledgedBeforeError() && c.backBeforeError() == claimed.backBeforeError()
                    && c.lostBeforeError() == claimed.lostBeforeError() && c.acknowledgedAfterError() == claimed.acknowledgedAfterError()
                    && c.keptAfterError() == claimed.keptAfterError() && c.lostAfterError() == claimed.lostAfterError();
            if (!same) flags.add(Messages.get("grade.flag.claim", folder + Mole.FILE, "lost_before_error", claimed.lostBeforeError(), c.lostBeforeError()));
            if (!same) return Messages.get("grade.maz.mole.differs", claimed.backBeforeError(), claimed.lostBeforeError(), claimed.lostAfterError(),
                    c.backBeforeError(), c.lostBeforeError(), c.lostAfterError());
            double rpo = Mole.seconds(point, errorAt);
            if (Math.abs(rpo - claimed.rpoSeconds()) > 0.001) {
                flags.add(Messages.get("grade.flag.claim", folder + Mole.FILE, "rpo_seconds", claimed.rpoSeconds(), rpo));
                return Messages.get("grade.pra.rpo-seconds.differs", claimed.rpoSeconds(), rpo);
            }
            return null;
        } catch (Problem p) {
            return p.getMessage();
        } catch (RuntimeException e) {
            return Messages.get("grade.file.malformed", folder, StudentFiles.plain(e));
        }
    }

    /**
     * Step 11 recounted from its own journal, the promoted replica's rows and the moments the
     * step recorded: the writes lost, the RPO and the RTO; the student's proof.json is compared
     * with the recount, never used. A loss is expected there; a record that does not hold
     * together is not.
     */
    private String regionReason(List<String> flags) {
        String folder = "maz11/";
        try {
            Agent.Summary agent = StudentFiles.read(root, folder + Agent.SUMMARY, Agent.Summary.class);
            String run = StudentFiles.require(folder + Agent.SUMMARY, "run_id", agent.runId());
            CrossRegion.Disaster d = StudentFiles.read(root, folder + CrossRegion.DISASTER, CrossRegion.Disaster.class);
            Instant at = StudentFiles.time(folder + CrossRegion.DISASTER, "at", d.at());
            CrossRegion.Promotion p = Files.exists(root.resolve(folder + CrossRegion.PROMOTION))
                    ? StudentFiles.read(root, folder + CrossRegion.PROMOTION, CrossRegion.Promotion.class) : null;
            CrossRegion.Repoint r = Files.exists(root.resolve(folder + CrossRegion.REPOINT))
                    ? StudentFiles.read(root, folder + CrossRegion.REPOINT, CrossRegion.Repoint.class) : null;
            CrossRegion.Lag before = d.lagBefore();
            RegionLoss.Moments m = new RegionLoss.Moments(at, before == null ? null : before.newestSeq(), before == null ? null : CrossRegion.lagMs(before),
                    p == null || p.requestedAt() == null ? null : StudentFiles.time(folder + CrossRegion.PROMOTION, "requested_at", p.requestedAt()),
                    p == null || p.doneAt() == null ? null : StudentFiles.time(folder + CrossRegion.PROMOTION, "done_at", p.doneAt()),
                    r == null ? null : StudentFiles.time(folder + CrossRegion.REPOINT, "at", r.at()));
            List<Journal.Entry> journal = Journal.read(root.resolve(folder + Journal.FILE));
            Map<Long, Proof.Row> rows = Proof.readRows(root.resolve(folder + RegionLoss.ROWS));
            RegionLoss recount = RegionLoss.compute(run, journal, rows, m);
            Map<?, ?> claimed = readMap(folder + RegionLoss.FILE);
            Map<String, Object> truth = Json.toMap(recount);
            if (claimed != null) {
                for (String f : List.of("acknowledged_by_lost_region", "lost_writes", "rpo_ms", "rto_ms", "detection_ms", "promotion_ms", "repoint_ms",
                        "acknowledged_by_new_instance")) {
                    flagIfDiffers(flags, folder + RegionLoss.FILE, f, claimed.get(f), truth.get(f));
                }
            }
            String page = readText(folder + "report.html");
            String shown = page == null ? null : Report.embedded(page, "db007-region-loss");
            if (shown != null) {
                Map<?, ?> inPage = Json.read(shown, Map.class);
                for (String f : List.of("lost_writes", "rpo_ms", "rto_ms")) flagIfDiffers(flags, folder + "report.html", f, inPage.get(f), truth.get(f));
            }
            if (!recount.verdict().equals("consistent")) {
                return Messages.get("grade.maz.region.inconsistent", recount.corruptRows(), recount.failedButPresent(), recount.unjournaledRows(),
                        recount.lostThoughReplicated(), recount.lostAmidKept(), recount.lostAfterPromotion(), recount.journalHoles(), recount.implausibleOutcomes());
            }
            if (recount.rtoMs() == null) return Messages.get("grade.maz.region.unfinished");
            return null;
        } catch (Problem e) {
            return e.getMessage();
        } catch (RuntimeException e) {
            return Messages.get("grade.file.malformed", folder, StudentFiles.plain(e));
        }
    }

    /**
     * Every figure the student's files state that the recount does not give, flagged for the
     * instructor: proof.json, the step files, the report's visible text. The score never uses
     * them; a flag says that someone, or something, changed them. An RTO shorter than the
     * region's own recorded failover (no primary from its start to the promotion) is flagged too.
     */
    private void flagClaims(List<String> flags, Proof recomputed, Evidence.Sabotage sabotage) {
        Map<String, Object> truth = Json.toMap(recomputed);
        List<Journal.Entry> journal = Journal.read(root.resolve("maz/" + Journal.FILE));
        Proof.Outage outage = Proof.Outage.of(journal, sabotage == null ? null : sabotage.requestedAt());
        truth.put("missed", outage == null ? null : outage.missed());
        List<String> figures = List.of("acknowledged_writes", "lost_writes", "corrupt_rows", "unknown_writes", "failed_writes", "journal_holes",
                "unjournaled_rows", "rto_ms", "first_error_to_success_ms");
        for (String file : List.of("maz/" + Proof.FILE, "maz/steps/maz8.json")) {
            Map<?, ?> claimed = readMap(file);
            if (claimed != null && file.endsWith("maz8.json")) claimed = claimed.get("observed") instanceof Map<?, ?> o ? o : null;
            if (claimed == null) continue;
            for (String f : figures) flagIfDiffers(flags, file, f, claimed.get(f), truth.get(f));
        }
        Map<?, ?> step6 = readMap("maz/steps/maz6.json");
        if (step6 != null && step6.get("observed") instanceof Map<?, ?> o && o.get("first_ack_after") instanceof Map<?, ?> after && after.get("at") instanceof String at) {
            // Step 6's outage is the longest gap in what it read, which ends at its first write after the outage (it read a
            // second more, to see writes keep coming): recounted on the journal up to there.
            Instant until = StudentFiles.time("maz/steps/maz6.json", "first_ack_after.at", at);
            Proof.Outage seen = Proof.Outage.of(journal.stream().filter(e -> !e.doneAt().isAfter(until)).toList(),
                    sabotage == null ? null : sabotage.requestedAt());
            flagIfDiffers(flags, "maz/steps/maz6.json", "outage_ms", o.get("outage_ms"), seen == null ? null : seen.ms());
        }
        String html = readText("maz/" + Proof.REPORT);
        if (html != null) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("data-figure=\"([a-z_]+)\">([^<]*)<").matcher(html);
            while (m.find()) {
                java.util.regex.Matcher n = java.util.regex.Pattern.compile("-?\\d+").matcher(m.group(2));
                flagIfDiffers(flags, "maz/" + Proof.REPORT, m.group(1), n.find() ? Long.valueOf(n.group()) : null, truth.get(m.group(1)));
            }
        }
        Long floor = failoverFloor();
        if (floor != null && recomputed.rtoMs() != null && recomputed.rtoMs() < floor - 50) {
            flags.add(Messages.get("grade.flag.rto-floor", recomputed.rtoMs(), floor));
        }
    }

    /** How long the region recorded no primary at the failover: from its start to the promotion; null if events.json does not say. */
    private Long failoverFloor() {
        try {
            // events.json as step 7 writes it (Rds.Event): a time and RDS's message for each event.
            Map<?, ?>[] events = StudentFiles.read(root, "maz/events.json", Map[].class);
            Instant started = null;
            for (Map<?, ?> e : events) {
                if (e == null || !(e.get("time") instanceof String t) || !(e.get("message") instanceof String message)) continue;
                Instant at = Instant.parse(t);
                if (started == null && message.startsWith("Multi-AZ instance failover started")) started = at;
                else if (started != null && message.matches("The standby in \\S+ was promoted to primary.*")) return Duration.between(started, at).toMillis();
            }
        } catch (RuntimeException e) {
            // No events, or unreadable ones: the steps' checks say so.
        }
        return null;
    }

    private static void flagIfDiffers(List<String> flags, String file, String figure, Object claimed, Object recounted) {
        Long c = claimed instanceof Number n ? Long.valueOf(n.longValue()) : null;
        Long r = recounted instanceof Number n ? Long.valueOf(n.longValue()) : null;
        if (claimed != null && !(claimed instanceof Number)) {
            flags.add(Messages.get("grade.flag.claim", file, figure, Bundle.printable(String.valueOf(claimed)), r == null ? "-" : r));
        } else if (!Objects.equals(c, r)) {
            flags.add(Messages.get("grade.flag.claim", file, figure, c == null ? "-" : c, r == null ? "-" : r));
        }
    }

    private Map<?, ?> readMap(String file) {
        try {
            return StudentFiles.read(root, file, Map.class);
        } catch (Problem e) {
            return null;
        }
    }

    private String readText(String file) {
        try {
            return Files.isRegularFile(root.resolve(file), LinkOption.NOFOLLOW_LINKS) ? Files.readString(root.resolve(file)) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private String reportReason(Proof recomputed) {
        String file = "maz/" + Proof.REPORT;
        if (!Files.isRegularFile(root.resolve(file))) return Messages.get("grade.file.missing", file);
        try {
            String embedded = Report.embedded(Files.readString(root.resolve(file)), "db007-proof");
            if (embedded == null) return Messages.get("grade.maz.report.none");
            Proof shown = Json.read(embedded, Proof.class);
            return recomputed != null && shown.acknowledgedWrites() == recomputed.acknowledgedWrites() && shown.lostWrites() == recomputed.lostWrites()
                    && Objects.equals(shown.rtoMs(), recomputed.rtoMs()) ? null : Messages.get("grade.maz.report.differs");
        } catch (IOException | IllegalArgumentException e) {
            return Messages.get("grade.file.malformed", file, StudentFiles.plain(e));
        }
    }

    private static <T> T observed(Evidence.Step step, int n, Class<T> type) {
        try {
            return step.observed(type);
        } catch (IllegalArgumentException e) {
            throw Problem.failed("grade.file.malformed", "maz/steps/maz" + n + ".json", StudentFiles.plain(e));
        }
    }
}

