///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/Backups.java recovery/Client.java
//SOURCES recovery/Restore.java recovery/Site.java
//DESCRIPTION The PRA drill unattended: the app writing, minute backups (shortened), a pod crash, the data volume lost, the restore, RPO and RTO measured.

// The PRA workshop's whole drill, unattended.
//
//   ./jbang pra                  backups every 2 s instead of every minute, so the drill takes about 20 s
//   ./jbang pra --json           one JSON object: verdict, acknowledged, restored and lost messages, rpo_s, rto_s
//   ./jbang pra --target k8s     the same on a cluster; it starts by deleting the namespace pra
//
// A client adds a message every 50 ms and logs every answer (adds.csv): the acknowledged /add
// log against which the loss is counted. The app is killed once (a pod crash: it comes back by
// itself and loses nothing); then the data volume is deleted (the disaster), and the newest
// valid backup is restored. The messages acknowledged after that backup are lost: that is the
// real RPO. The RTO runs from the disaster to the first message the restored app accepts.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.Backups;
import recovery.Client;
import recovery.Restore;
import recovery.Site;

@Command(name = "pra")
public class pra extends Cli.KitCommand {
    @Mixin Site.Target where;
    @Option(names = "--backup-every", paramLabel = "SECONDS", defaultValue = "2", descriptionKey = "pra.backup-every") int backupEvery;
    @Mixin Evidence.Folder evidenceDir;
    @Option(names = "--json", descriptionKey = "option.json") boolean json;

    public static void main(String[] args) {
        System.exit(Cli.run(new pra(), args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = json ? new PrintWriter(OutputStream.nullOutputStream()) : spec.commandLine().getOut();
        Evidence evidence = Evidence.fresh(evidenceDir.path("pra"));
        try (Site site = where.open()) {
            return drill(site, evidence, evidence.dir(), out);
        }
    }

    private int drill(Site site, Evidence evidence, Path dir, PrintWriter out) throws Exception {
        out.println(Messages.get("pra.drill.deploy", site.dataVolume(), site.backupVolume(), backupEvery));
        site.down(true);
        site.deploy(backupEvery);
        if (site.target().equals("k8s") && backupEvery < 60) out.println(Messages.get("pra.k8s.minute"));

        Client client = Client.start(site);

        // Two backups, then a little more writing: the messages after the last backup are the ones at risk.
        site.waitForBackups(2, Duration.ofMinutes(2));
        Thread.sleep(backupEvery * 500L);
        out.println(Messages.get("pra.drill.crash"));
        Site.Crash crash = site.crashApp();
        if (crash.countAfter() < crash.countBefore()) throw Problem.failed("pra.crash.lost", crash.countBefore(), crash.countAfter());
        long crashMs = crash.unavailableMs();
        Map<String, Object> crashSeen = new LinkedHashMap<>(Json.toMap(crash));
        crashSeen.put("target", site.target());
        evidence.step("pra-pod-crash", Instant.now(), true, crashSeen);
        out.println(Messages.get("pra.drill.crash.back", crashMs));
        site.waitForBackups(3, Duration.ofMinutes(2));
        Thread.sleep(backupEvery * 500L);

        Instant disaster = site.strikeDisaster();
        out.println(Messages.get("pra.drill.disaster", Messages.clock(disaster)));
        evidence.step("pra-disaster", disaster, true, Map.of("disaster_at", disaster.toString(), "target", site.target()));
        List<Client.Add> adds = client.stop();

        List<Backups.Point> points = site.points();
        evidence.write("backups.json", points);
        out.println(Messages.get("pra.drill.points", points.size()));
        Restore.Result restored = Restore.run(site, null, false, out);
        restored.record(evidence);

        evidence.write("status.json", Json.read(site.get("/status").body(), Map.class));

        List<Client.Add> acked = adds.stream().filter(Client.Add::acknowledged).toList();
        Set<String> present = Client.present(site);
        List<Client.Add> lost = Client.lost(present, acked);
        // Sent and stored, but never answered (the pod was killed between the two): no one was told
        // it was kept, so it is neither acknowledged nor lost, yet the restored data may hold it.
        long unansweredKept = adds.stream().filter(a -> !a.acknowledged() && present.contains(a.message())).count();
        Instant backupTime = Instant.parse(restored.backupTime());
        boolean lostOnlyAfterBackup = lost.stream().allMatch(a -> a.id() != null && (restored.backupLastId() == null || a.id() > restored.backupLastId()));
        long expectedLost = acked.stream().filter(a -> a.id() != null && (restored.backupLastId() == null || a.id() > restored.backupLastId())).count();
        double rpo = lost.isEmpty() ? 0 : Duration.between(backupTime, lost.get(lost.size() - 1).doneAt()).toMillis() / 1000.0;
        // The restore measured the RTO itself, from the disaster to the first message it got accepted.
        Double rto = restored.rtoSeconds();
        Client.write(evidence.file(Client.FILE), adds);
        // The drill's short interval was for the drill: the deployment goes back to the workshop's minute.
        site.deploy(60);

        // The client's own log and the app's log must tell the same loss.
        boolean logsAgree = restored.lostMessages() != null && restored.lostMessages() == lost.size();
        boolean pass = restored.verified() && lostOnlyAfterBackup && lost.size() == expectedLost && logsAgree && rto != null;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("verdict", pass ? "pass" : "fail");
        o.put("acknowledged_messages", acked.size());
        o.put("restored_messages", restored.restoredMessages());
        o.put("lost_messages", lost.size());
        o.put("unanswered_in_data", unansweredKept);
        o.put("rpo_s", rpo);
        o.put("rto_s", rto);
        o.put("restored_from", restored.restoredFrom());
        o.put("backup_time", restored.backupTime());
        o.put("disaster_at", disaster.toString());
        o.put("lost_messages_in_app_log", restored.lostMessages());
        o.put("pod_crash_unavailable_ms", crashMs);
        o.put("target", site.target());
        o.put("evidence", dir.toString());
        evidence.write("drill.json", o);
        if (json) {
            spec.commandLine().getOut().println(Json.write(o));
        } else {
            out.println(Messages.get("pra.drill.result", acked.size(), restored.restoredMessages(), lost.size(), rpo, rto, restored.restoredFrom()));
            if (unansweredKept > 0) out.println(Messages.get("pra.drill.unanswered", unansweredKept));
            out.println(Messages.get(pass ? "pra.drill.pass" : "pra.drill.fail", dir));
        }
        spec.commandLine().getOut().flush();
        return pass ? 0 : Problem.CHECK_FAILED;
    }
}
