///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//SOURCES common/Cli.java common/Evidence.java common/Json.java common/Messages.java common/Problem.java recovery/App.java recovery/Backups.java
//SOURCES recovery/Client.java recovery/Drill.java recovery/PraReport.java recovery/Restore.java recovery/Site.java
//DESCRIPTION The PRA drill unattended: the app writing, minute backups (shortened), a pod crash, the data volume lost, the restore, RPO and RTO measured.

// The PRA workshop's whole drill, unattended.
//
//   ./jbang pra                  backups every 2 s instead of every minute, so the drill takes about 20 s
//   ./jbang pra --json           one JSON object: verdict, acknowledged, restored and lost messages, rpo_s, rto_s
//   ./jbang pra --target k8s     the same on a cluster, in a namespace of its own, pra-drill
//
// The drill has its own site and evidence (DB007_HOME/pra-drill, evidence/pra-drill): running it
// never touches the workshop you run by hand, nor what you hand in.
//
// A client adds a message every 50 ms and logs every answer (adds.csv): the acknowledged /add
// log against which the loss is counted. The app is killed once (a pod crash: it comes back by
// itself and loses nothing); then the data volume is deleted (the disaster), and the newest
// valid backup is restored. The messages acknowledged after that backup are lost. The RPO is the
// time from that backup to the disaster; the RTO from the disaster to the first message the
// restored app accepts.

import common.Cli;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import recovery.App;
import recovery.Backups;
import recovery.Client;
import recovery.Drill;
import recovery.PraReport;
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
        // A site and an evidence folder of its own: the student's workshop is never touched.
        Evidence evidence = Evidence.fresh(evidenceDir.path(Site.DRILL));
        try (Site site = where.open(Site.DRILL)) {
            return drill(site, evidence, out);
        }
    }

    // Long because the drill reads top to bottom like the workshop: write, back up, strike, restore, measure.
    private int drill(Site site, Evidence evidence, PrintWriter out) throws Exception {
        out.println(Messages.get("pra.drill.deploy", site.dataVolume(), site.backupVolume(), backupEvery));
        site.down(true);
        site.deploy(backupEvery, false);
        if (site.target().equals("k8s") && backupEvery < 60) out.println(Messages.get("pra.k8s.minute"));

        Client client = Client.start(site);

        // Two backups, then a little more writing: the messages after the last backup are the ones at risk.
        site.waitForBackups(2, Duration.ofMinutes(2));
        Thread.sleep(backupEvery * 500L);
        out.println(Messages.get("pra.drill.crash"));
        Site.Crash crash = site.crashApp();
        if (crash.countAfter() < crash.countBefore()) throw Problem.failed("pra.crash.lost", crash.countBefore(), crash.countAfter());
        Map<String, Object> crashSeen = new LinkedHashMap<>(Json.toMap(crash));
        crashSeen.put("target", site.target());
        evidence.step("pra-pod-crash", Instant.now(), true, crashSeen);
        out.println(Messages.get("pra.drill.crash.back", crash.unavailableMs()));
        site.waitForBackups(3, Duration.ofMinutes(2));
        Thread.sleep(backupEvery * 500L);

        Instant disaster = site.strikeDisaster();
        out.println(Messages.get("pra.drill.disaster", Messages.clock(disaster)));
        evidence.step("pra-disaster", disaster, true, Map.of("disaster_at", disaster.toString(), "target", site.target()));
        List<Client.Add> adds = client.stop();

        List<Backups.Point> points = site.points();
        evidence.write(Backups.LISTING, points);
        out.println(Messages.get("pra.drill.points", points.size()));
        Restore.Result restored = Restore.run(site, null, false, out);
        restored.record(evidence);
        Site.Reply status = site.get("/status");
        if (status.status() == 200) {
            App.Status s = Json.read(status.body(), App.Status.class);
            App.Reading.append(evidence.dir(), new App.Reading(Instant.now().toString(), true, s.count(), s.lastBackupFile(), s.backupAgeSeconds()));
        }

        // The client's own log, against the restored data: what it was told was kept and is not there.
        List<Client.Add> acked = adds.stream().filter(Client.Add::acknowledged).toList();
        Set<String> present = Client.present(site);
        List<Client.Add> lost = Client.lost(present, acked);
        // Sent and stored, but never answered (the pod was killed between the two): no one was told
        // it was kept, so it is neither acknowledged nor lost, yet the restored data may hold it.
        long unansweredKept = adds.stream().filter(a -> !a.acknowledged() && present.contains(a.message())).count();
        boolean lostOnlyAfterBackup = lost.stream().allMatch(a -> a.id() != null && (restored.backupLastId() == null || a.id() > restored.backupLastId()));
        Client.write(evidence.file(Client.FILE), adds);
        // The drill's short interval was for the drill: the deployment goes back to the workshop's minute.
        site.deploy(60, false);

        // The client's log and the app's log must tell the same loss.
        boolean logsAgree = restored.lostMessages() != null && restored.lostMessages() == lost.size();
        boolean pass = restored.verified() && lostOnlyAfterBackup && logsAgree && restored.rtoSeconds() != null;
        PraReport.write(evidence, site);
        Drill d = new Drill(pass ? "pass" : "fail", site.target(), acked.size(), restored.restoredMessages(), lost.size(), unansweredKept,
                restored.lostMessages(), restored.rpoSeconds(), restored.rtoSeconds(), restored.restoredFrom(), restored.backupTime(),
                disaster.toString(), crash.unavailableMs(), backupEvery);
        d.write(evidence);
        if (json) {
            spec.commandLine().getOut().println(Json.write(d));
        } else {
            out.println(Messages.get("pra.drill.result", acked.size(), restored.restoredMessages(), lost.size(), Messages.seconds(d.rpoSeconds()),
                    Messages.seconds(d.rtoSeconds()), restored.restoredFrom()));
            if (unansweredKept > 0) out.println(Messages.get("pra.drill.unanswered", unansweredKept));
            out.println(Messages.get(pass ? "pra.drill.pass" : "pra.drill.fail", evidence.dir()));
        }
        spec.commandLine().getOut().flush();
        return pass ? 0 : Problem.CHECK_FAILED;
    }
}
