package grading;

//SOURCES ../common/Bundle.java ../common/FileTree.java ../common/Messages.java ../common/Problem.java ../recovery/App.java ../recovery/AppLog.java
//SOURCES ../recovery/Backups.java ../recovery/Restore.java Scale.java Student.java StudentFiles.java

import common.Bundle;
import common.FileTree;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import recovery.App;
import recovery.AppLog;
import recovery.Backups;
import recovery.Restore;


/** The PRA checks: every restore made again from the bundle's own backups, the loss recounted. */
public final class PraChecks {
    final Path root;
    final Path scratch;
    final Scale scale;

    public PraChecks(Path root, Path scratch, Scale scale) {
        this.root = root;
        this.scratch = scratch;
        this.scale = scale;
    }

    public List<Student.Check> checks(List<String> flags) throws IOException {
        List<Student.Check> checks = new ArrayList<>();
        List<Restore.Result> restores;
        try {
            restores = Restore.readAll(root.resolve("pra"));
        } catch (IOException e) {
            checks.add(scale.check("pra.restore", Messages.get("grade.file.malformed", "pra/" + Restore.ALL, StudentFiles.plain(e))));
            return checks;
        }
        if (restores.isEmpty()) {
            checks.add(scale.check("pra.restore", Messages.get("grade.pra.no-restore")));
            return checks;
        }
        // The backups the bundle really holds, each checked here: a name in a student's file is only a name.
        Map<String, Backups.Point> points = new LinkedHashMap<>();
        for (Path b : StudentFiles.backupFiles(root)) points.put(b.getFileName().toString(), Backups.check(b));

        // Every restore the student made, made again here: same file, same count.
        String restoreReason = null;
        for (Restore.Result r : restores) {
            String reason = restoredAgain(r, points);
            if (reason != null) restoreReason = reason;
        }
        checks.add(scale.check("pra.restore", restoreReason));

        checks.add(scale.check("pra.rpo", rpoReason(restores, flags)));
        checks.add(scale.check("pra.status", statusReason(points)));
        checks.add(scale.check("pra.point", pointReason(restores, points, flags)));

        // Exercise 3 is checked against the figures; the other written answers are the instructor's to judge.
        Map<String, String> answers = Bundle.answerSections(root.resolve("answers/pra.md"));
        Restore.Result disaster = Restore.afterDisaster(restores);
        Restore.Result measured = disaster != null ? disaster : restores.get(restores.size() - 1);
        checks.add(scale.check("pra.exercise3", exercise3(answers.get("3"), measured)));
        checks.add(new Student.Check("pra.exercises", null, 0, answers.isEmpty() ? Messages.get("grade.answers.none") : Messages.get("grade.instructor.plain")));
        return checks;
    }

    /** The restore made again into this bundle's scratch folder, from the backup it names if the bundle holds it. */
    private String restoredAgain(Restore.Result r, Map<String, Backups.Point> points) throws IOException {
        String file = "pra/" + Restore.ALL;
        if (r.restoredFrom() == null) return Messages.get("grade.file.field", file, "restored_from");
        if (r.startedAt() == null) return Messages.get("grade.file.field", file, "started_at");
        if (!points.containsKey(r.restoredFrom())) return Messages.get("grade.pra.not-a-backup", Bundle.shortText(r.restoredFrom()));
        Path target = Files.createTempDirectory(scratch, "restore-");
        try {
            Backups.restore(root.resolve("pra-backup").resolve(r.restoredFrom()), target, false);
            Backups.Point again = Backups.check(target.resolve(Backups.DATABASE));
            if (!again.valid() || again.messages() != r.restoredMessages()) {
                return Messages.get("grade.pra.restore.differs", r.restoredFrom(), r.restoredMessages(), again.valid() ? again.messages() : again.problem());
            }
            return null;
        } catch (Problem p) {
            return p.getMessage();
        } catch (SQLException e) {
            return Messages.get("grade.pra.restore.differs", r.restoredFrom(), r.restoredMessages(), StudentFiles.plain(e));
        } finally {
            FileTree.delete(target);
        }
    }

    /**
     * Each restore's loss, RPO and RTO recounted from raw data alone: the app's log (its ADD
     * lines, the disaster and restore marks) and the backups in the bundle, with the
     * definitions the restore used (Restore.lost, the loss moment minus the backup's time,
     * the loss moment to the first write the restored app accepted).
     */
    private String rpoReason(List<Restore.Result> restores, List<String> flags) throws IOException {
        Path log = root.resolve("pra-log/" + AppLog.FILE);
        if (!Files.isRegularFile(log)) return Messages.get("grade.pra.rpo.none");
        List<AppLog.Timeline> timelines;
        try {
            timelines = AppLog.read(log);
        } catch (IllegalArgumentException e) {
            return Messages.get("grade.file.malformed", "pra-log/" + AppLog.FILE, Bundle.printable(e.getMessage()));
        }
        for (Restore.Result r : restores) {
            String reason = recounted(r, timelines, flags);
            if (reason != null) return reason;
        }
        return null;
    }

    private String recounted(Restore.Result r, List<AppLog.Timeline> timelines, List<String> flags) throws IOException {
        Instant started = Instant.parse(r.startedAt());
        // The restore's own mark: its backup, written after it began and before the app answered again.
        int k = -1;
        for (int i = 1; i < timelines.size(); i++) {
            AppLog.Timeline t = timelines.get(i);
            if (t.restoredFrom().equals(r.restoredFrom()) && !t.restoredAt().isBefore(started)
                    && (r.healthyAt() == null || !t.restoredAt().isAfter(Instant.parse(r.healthyAt())))) {
                k = i;
                break;
            }
        }
        if (k < 0) return Messages.get("grade.pra.log.no-restore", Bundle.shortText(r.restoredFrom()), r.startedAt());
        AppLog.Timeline before = timelines.get(k - 1);
        AppLog.Timeline after = timelines.get(k);
        Path backups = root.resolve("pra-backup");
        if (before.restoredFrom() != null && !Files.isRegularFile(backups.resolve(before.restoredFrom()))) {
            return Messages.get("grade.pra.not-a-backup", Bundle.shortText(before.restoredFrom()));
        }
        Set<AppLog.Ack> startedFrom = before.restoredFrom() == null ? Set.of() : Backups.rows(backups.resolve(before.restoredFrom()));
        long lost = Restore.lost(startedFrom, before, Backups.rows(backups.resolve(r.restoredFrom())));
        if (r.lostMessages() == null || lost != r.lostMessages()) {
            flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "lost_messages", r.lostMessages(), lost));
            return Messages.get("grade.pra.rpo.differs", r.lostMessages(), lost);
        }

        String lossAt;
        if (Restore.DISASTER.equals(r.kind())) {
            if (before.disasterAt() == null) return r.disasterAt() == null ? null : Messages.get("grade.pra.log.no-disaster", r.disasterAt());
            lossAt = before.disasterAt().toString();
            if (r.disasterAt() == null || !Instant.parse(r.disasterAt()).equals(before.disasterAt())) {
                return Messages.get("grade.pra.log.disaster-differs", r.disasterAt(), lossAt);
            }
        } else {
            lossAt = r.startedAt();
        }
        double rpo = Restore.seconds(Backups.timeOf(Path.of(r.restoredFrom())).toString(), lossAt);
        if (r.rpoSeconds() == null || Math.abs(rpo - r.rpoSeconds()) > 0.01) {
            flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "rpo_seconds", r.rpoSeconds(), rpo));
            return Messages.get("grade.pra.rpo-seconds.differs", r.rpoSeconds(), rpo);
        }
        // The kit's check message, the write it tries as soon as the restored app answers, ends the outage: its ADD line
        // after the restore gives the time it was accepted (the users' own writes may come a few milliseconds before or after it).
        AppLog.Ack first = r.checkMessageId() == null ? null
                : after.acks().stream().filter(a -> a.id() == r.checkMessageId()).findFirst().orElse(null);
        if (first == null) return Messages.get("grade.pra.log.no-first-add", r.checkMessageId());
        double rto = Restore.seconds(lossAt, first.at());
        if (r.rtoSeconds() == null || Math.abs(rto - r.rtoSeconds()) > 0.01) {
            flags.add(Messages.get("grade.flag.claim", "pra/" + Restore.ALL, "rto_seconds", r.rtoSeconds(), rto));
            return Messages.get("grade.pra.rto.differs", r.rtoSeconds(), rto);
        }
        return null;
    }

    /**
     * Practical task 1: a reading of /status that names a backup the bundle holds, valid and
     * taken before the reading, with the age the reading's own time gives it.
     */
    private String statusReason(Map<String, Backups.Point> points) throws IOException {
        if (!Files.isRegularFile(root.resolve("pra/" + App.Reading.FILE))) return Messages.get("grade.pra.status.none");
        App.Reading[] readings = StudentFiles.read(root, "pra/" + App.Reading.FILE, App.Reading[].class);
        String reason = Messages.get("grade.pra.status.none");
        for (App.Reading r : readings) {
            if (!r.answered()) continue;
            Backups.Point p = r.lastBackupFile() == null ? null : points.get(r.lastBackupFile());
            if (p == null || !p.valid()) {
                reason = Messages.get("grade.pra.status.differs", Bundle.shortText(String.valueOf(r.lastBackupFile())));
                continue;
            }
            long age = Duration.between(Instant.parse(p.time()), Instant.parse(r.readAt())).toSeconds();
            if (age < 0 || r.backupAgeSeconds() == null || Math.abs(age - r.backupAgeSeconds()) > 2) {
                reason = Messages.get("grade.pra.status.age", Bundle.shortText(r.lastBackupFile()), r.backupAgeSeconds(), age);
                continue;
            }
            return null;
        }
        return reason;
    }

    /**
     * Practical task 2: a restore of a point the student chose, older than the newest valid one
     * when the restore began. The point must have existed then, and holds what the restore says.
     */
    private String pointReason(List<Restore.Result> restores, Map<String, Backups.Point> points, List<String> flags) {
        for (Restore.Result r : restores) {
            if (r.restoredFrom() == null || r.startedAt() == null || !points.containsKey(r.restoredFrom())) continue;
            Backups.Point p = points.get(r.restoredFrom());
            Instant started;
            try {
                started = Instant.parse(r.startedAt());
            } catch (RuntimeException e) {
                continue;
            }
            boolean existed = !Backups.timeOf(Path.of(r.restoredFrom())).isAfter(started);
            if (!existed && !flags.contains(Messages.get("grade.flag.point"))) flags.add(Messages.get("grade.flag.point"));
            boolean older = !r.restoredFrom().equals(newestBefore(points, r.startedAt()));
            boolean holds = p.valid() && Objects.equals(p.messages(), r.restoredMessages()) && p.time().equals(r.backupTime());
            if (existed && older && holds) return null;
        }
        return Messages.get("grade.pra.point.none");
    }

    private static String newestBefore(Map<String, Backups.Point> points, String startedAt) {
        Instant at = Instant.parse(startedAt);
        return points.values().stream().filter(p -> p.valid() && !Instant.parse(p.time()).isAfter(at))
                .max(Comparator.comparing(Backups.Point::time)).map(Backups.Point::file).orElse("");
    }

    /**
     * The RPO and RTO the student wrote for exercise 3, read as "RPO … 12.3 s" and "RTO … 4 s",
     * against the measured ones: within a tenth, or half a second.
     */
    static String exercise3(String answer, Restore.Result measured) {
        if (answer == null) return Messages.get("grade.exercise3.none");
        if (measured.rpoSeconds() == null || measured.rtoSeconds() == null) return Messages.get("grade.pra.rpo.none");
        for (String name : new String[] {"RPO", "RTO"}) {
            double value = name.equals("RPO") ? measured.rpoSeconds() : measured.rtoSeconds();
            Matcher m = Pattern.compile(name + "[^0-9\\n]{0,40}?(\\d+(?:[.,]\\d+)?)\\s*s").matcher(answer);
            if (!m.find()) return Messages.get("grade.exercise3.missing", name);
            double written = Double.parseDouble(m.group(1).replace(',', '.'));
            if (Math.abs(written - value) > Math.max(0.5, value * 0.1)) return Messages.get("grade.exercise3.differs", name, written, value);
        }
        return null;
    }

}
