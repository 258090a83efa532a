import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Problem;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.Backups;
import recovery.KubeSite;
import recovery.Restore;
import recovery.Site;

/**
 * The Kubernetes path against Fabric8's mock API server in CRUD mode. No controller and no pod
 * run there, so a small stand-in does what the cluster's would: it keeps one Ready pod while the
 * Deployment wants one, reports the Deployment ready, and runs each Job to success with one pod.
 * What only a running pod could say (the app's answers through the service proxy, the pods'
 * logs) is served as canned answers at the exact paths the Fabric8 client asks for.
 */
@EnableKubernetesMockClient(crud = true)
class KubeSiteTest {
    KubernetesClient client;
    KubernetesMockServer server;
    KubeSite site;
    @TempDir Path home;
    final AtomicBoolean running = new AtomicBoolean(true);
    volatile boolean failJobs;
    Thread controller;

    @BeforeEach
    void start() {
        site = new KubeSite(client, Path.of("k8s"), "pra", home);
        controller = new Thread(this::reconcile, "stand-in controller");
        controller.setDaemon(true);
        controller.start();
    }

    @AfterEach
    void stop() throws Exception {
        running.set(false);
        controller.join(2000);
    }

    @Test
    void theManifestsParseIntoTypedObjects() throws Exception {
        List<HasMetadata> objects = site.objects();
        Map<String, Long> kinds = objects.stream().collect(Collectors.groupingBy(o -> o.getClass().getSimpleName(), Collectors.counting()));
        assertEquals(Map.of("Namespace", 1L, "PersistentVolumeClaim", 2L, "Deployment", 2L, "Service", 1L, "CronJob", 1L, "Job", 1L), kinds);
        Deployment users = (Deployment) objects.stream().filter(o -> o.getMetadata().getName().equals("pra-traffic")).findFirst().orElseThrow();
        assertEquals(List.of("recovery.Traffic", "http://pra-app"), users.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs(),
                "the users write through the app's Service, as its clients would");
        assertTrue(objects.stream().filter(o -> !(o instanceof Namespace)).allMatch(o -> "pra".equals(o.getMetadata().getNamespace())));
        CronJob cron = (CronJob) objects.stream().filter(o -> o instanceof CronJob).findFirst().orElseThrow();
        assertEquals("* * * * *", cron.getSpec().getSchedule(), "a backup every minute");
        assertEquals("Forbid", cron.getSpec().getConcurrencyPolicy());

        // The unattended drill runs in a namespace of its own: nothing of the student's workshop is in it.
        List<HasMetadata> drill = new KubeSite(client, Path.of("k8s"), "pra-drill", home).objects();
        assertTrue(drill.stream().filter(o -> o instanceof Namespace).allMatch(o -> o.getMetadata().getName().equals("pra-drill")));
        assertTrue(drill.stream().filter(o -> !(o instanceof Namespace)).allMatch(o -> "pra-drill".equals(o.getMetadata().getNamespace())));
    }

    @Test
    void theStepsDeployCrashLoseTheVolumeAndRestoreThroughTheRightObjects() throws Exception {
        appAnswers("/health", "ok");
        appAnswers("/count", "{\"count\":3}");
        // The restored app holds the backup's three messages, and the check message after them.
        appAnswers("/consultation", "[{\"id\":1,\"message\":\"a\",\"created_at\":\"2026-11-22T04:00:01Z\"},{\"id\":2,\"message\":\"b\",\"created_at\":\"2026-11-22T04:00:02Z\"},"
                + "{\"id\":3,\"message\":\"c\",\"created_at\":\"2026-11-22T04:00:03Z\"},{\"id\":4,\"message\":\"restore-check\",\"created_at\":\"2026-11-22T04:02:00Z\"}]");
        // The restored app takes the kit's check message now, whenever now is.
        server.expect().get().withPath("/api/v1/namespaces/pra/services/pra-app:80/proxy/add?message=" + Restore.CHECK_MESSAGE)
                .andReply(200, request -> "{\"id\":4,\"created_at\":\"" + Instant.now() + "\"}").always();
        podLog("pra-app-1", true, "listening on 8080\nADD id=1 at=2026-11-22T04:00:01Z\nADD id=2 at=2026-11-22T04:00:02Z\nADD id=3 at=2026-11-22T04:00:03Z\n");
        podLog("pra-app-2", true, "ADD id=4 at=2026-11-22T04:01:04Z\nADD id=5 at=2026-11-22T04:01:05Z\n");
        // Newest first, the newest damaged: the restore must skip it and take the one before.
        podLog("pra-backups-list-pod", false, "[{\"file\":\"app-20261122T040100.000Z.db\",\"time\":\"2026-11-22T04:01:00Z\",\"size\":8192,\"valid\":false,"
                + "\"problem\":\"database disk image is malformed\"},{\"file\":\"app-20261122T040005.000Z.db\",\"time\":\"2026-11-22T04:00:05Z\","
                + "\"size\":8192,\"messages\":3,\"last_id\":3,\"valid\":true}]\n");
        podLog("pra-restore-pod", false, "{\"restored_from\":\"app-20261122T040005.000Z.db\",\"messages\":3,\"kept_aside\":\"\"}\n");
        podLog("pra-backup-rows-pod", false, "[{\"id\":1,\"at\":\"2026-11-22T04:00:01Z\"},{\"id\":2,\"at\":\"2026-11-22T04:00:02Z\"},"
                + "{\"id\":3,\"at\":\"2026-11-22T04:00:03Z\"}]\n");

        site.deploy(60, true);
        assertNotNull(client.namespaces().withName("pra").get());
        assertNotNull(pvc("pra-data"));
        assertNotNull(pvc("pra-backup"));
        assertEquals(1, deployment().getSpec().getReplicas());
        assertEquals(1, client.apps().deployments().inNamespace("pra").withName("pra-traffic").get().getSpec().getReplicas(), "the workshop has its users");
        assertNotNull(client.services().inNamespace("pra").withName("pra-app").get());
        assertNotEquals(Boolean.TRUE, cron().getSpec().getSuspend());
        assertEquals(60, site.backupEvery());
        assertNull(job("pra-restore"), "no restore Job until a restore");
        assertEquals(3, site.count(), "the app answers through the API server's service proxy");

        Site.Crash crash = site.crashApp();
        assertEquals(3, crash.countAfter());
        client.pods().inNamespace("pra").withName("pra-app-2").waitUntilCondition(p -> p != null, 10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(List.of("pra-app-2"), appPods().stream().map(p -> p.getMetadata().getName()).toList(), "a new pod replaced the deleted one");
        assertEquals(List.of(1L, 2L, 3L), ids(), "the crashed pod's acknowledged adds are kept before its log dies with it");

        Instant disaster = site.strikeDisaster();
        assertEquals(disaster, site.disasterTime());
        assertEquals(0, deployment().getSpec().getReplicas());
        assertEquals(Boolean.TRUE, cron().getSpec().getSuspend());
        assertNull(pvc("pra-data"), "the data volume is gone");
        assertNotNull(pvc("pra-backup"), "the backups are not");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), ids());

        StringWriter said = new StringWriter();
        Restore.Result r = Restore.run(site, null, false, new PrintWriter(said, true));
        assertTrue(said.toString().contains("Skipping app-20261122T040100.000Z.db"), said.toString());
        assertNotNull(pvc("pra-data"), "a new data volume");
        Map<String, String> env = job("pra-restore").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue() == null ? "" : e.getValue()));
        assertEquals("app-20261122T040005.000Z.db", env.get("RESTORE_FILE"), "the Job restores the point the kit chose");
        assertEquals("false", env.get("RESTORE_FORCE"));
        assertEquals(1, deployment().getSpec().getReplicas());
        assertEquals(Boolean.FALSE, cron().getSpec().getSuspend());
        assertTrue(r.verified());
        assertEquals(3, r.restoredMessages());
        assertEquals(Restore.DISASTER, r.kind());
        assertEquals(List.of("recovery.Backups", "rows", "/backup/app-20261122T040005.000Z.db"),
                job("pra-backup-rows").getSpec().getTemplate().getSpec().getContainers().get(0).getArgs(), "a Job read the backup's messages");
        assertEquals(2L, r.lostMessages(), "ids 4 and 5 were acknowledged after the backup, which holds 1 to 3");
        assertEquals(Duration.between(Instant.parse("2026-11-22T04:00:05Z"), disaster).toMillis() / 1000.0, r.rpoSeconds(), "from the backup to the disaster");
        assertEquals(4L, r.checkMessageId());
        assertTrue(r.rtoSeconds() > 0 && r.rtoSeconds() < 60, "from the disaster to the check message: " + r.rtoSeconds());

        // For the hand-in bundle the backups come out of the cluster through the app, which mounts them.
        appAnswers("/backup", "[\"app-20261122T040005.000Z.db\",\"backup.log\"]");
        appAnswers("/backup?file=app-20261122T040005.000Z.db", "SQLite format 3, as the app read it");
        appAnswers("/backup?file=backup.log", "{\"file\":\"app-20261122T040005.000Z.db\"}\n");
        Path copied = site.backupsHere();
        assertEquals("SQLite format 3, as the app read it", Files.readString(copied.resolve("app-20261122T040005.000Z.db")));
        assertTrue(Files.exists(copied.resolve("backup.log")));

        // A second restore finds the claim in use: refused before anything is stopped.
        Problem refused = assertThrows(Problem.class, () -> Restore.run(site, null, false, new PrintWriter(new StringWriter())));
        assertTrue(refused.getMessage().contains("--force"), refused.getMessage());
        assertEquals(1, deployment().getSpec().getReplicas(), "the app still runs");
    }

    @Test
    void theCopyLessonRunsInAPodThatMountsTheDataVolumeOnly() throws Exception {
        podLog("pra-copy-lesson-pod", false, "{\"live_bytes\":4096,\"wal_bytes\":41232,\"copy_bytes\":4096,\"copy_problem\":\"no such table: messages\","
                + "\"online_messages\":12}\n");
        site.deploy(60, true);
        Backups.Comparison c = site.compareCopies();
        assertEquals("no such table: messages", c.copyProblem());
        assertEquals(12L, c.onlineMessages());
        PodSpec pod = job("pra-copy-lesson").getSpec().getTemplate().getSpec();
        assertEquals(List.of("recovery.Backups", "compare", "/data"), pod.getContainers().get(0).getArgs());
        assertEquals(List.of("data"), pod.getVolumes().stream().map(v -> v.getName()).toList(), "pra-backup is not mounted for a lesson on the data");
    }

    @Test
    void aFailedJobSaysWhyAndHowToReadItsLog() throws Exception {
        failJobs = true;
        podLog("pra-backups-list-pod", false, "java.nio.file.AccessDeniedException: /backup\n");
        site.deploy(60, true);
        Problem p = assertThrows(Problem.class, () -> site.points());
        assertTrue(p.getMessage().contains("AccessDeniedException: /backup"), p.getMessage());
        assertTrue(p.getMessage().contains("kubectl -n pra logs job/pra-backups-list"), p.getMessage());
    }

    @Test
    void aSecondDeployChangesTheScheduleAndLeavesWhatTheClusterFilledIn() throws Exception {
        site.deploy(2, true);
        assertEquals("* * * * *", cron().getSpec().getSchedule(), "a drill's 2 s stays at the CronJob's minute");
        // What the cluster filled in must survive a second deploy: a bound claim's volume cannot change.
        client.persistentVolumeClaims().inNamespace("pra").withName("pra-data").edit(p -> {
            p.getSpec().setVolumeName("pv-bound-by-the-cluster");
            return p;
        });
        site.deploy(300, false);
        assertEquals(0, client.apps().deployments().inNamespace("pra").withName("pra-traffic").get().getSpec().getReplicas(),
                "a drill's deploy brings its own client, not the users");
        assertEquals("*/5 * * * *", cron().getSpec().getSchedule());
        assertEquals(300, site.backupEvery());
        assertEquals("pv-bound-by-the-cluster", pvc("pra-data").getSpec().getVolumeName());
    }

    @Test
    void downStopsTheAppItsUsersAndTheBackupsAndPurgeTakesTheNamespace() throws Exception {
        site.deploy(60, true);
        site.down(false);
        assertEquals(0, deployment().getSpec().getReplicas());
        assertEquals(0, client.apps().deployments().inNamespace("pra").withName("pra-traffic").get().getSpec().getReplicas(), "the users stop too");
        assertEquals(Boolean.TRUE, cron().getSpec().getSuspend());
        assertNotNull(pvc("pra-data"), "without --purge the volumes stay");
        assertNotNull(pvc("pra-backup"));
        site.down(true);
        assertNull(client.namespaces().withName("pra").get(), "--purge deletes the namespace, and the volumes with it");
    }

    @Test
    void noClusterIsNamedByTheContextTried(@TempDir Path dir) throws Exception {
        Path kubeconfig = dir.resolve("config");
        Files.writeString(kubeconfig, String.join("\n",
                "apiVersion: v1", "kind: Config", "current-context: student-laptop",
                "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]",
                "users: [{name: u, user: {token: t}}]",
                "contexts: [{name: student-laptop, context: {cluster: c, user: u}}]", ""));
        String previous = System.getProperty("kubeconfig");
        System.setProperty("kubeconfig", kubeconfig.toString());
        try {
            Problem p = assertThrows(Problem.class, () -> KubeSite.connect(Path.of("k8s"), "pra", home));
            assertTrue(p.getMessage().contains("student-laptop"), p.getMessage());
        } finally {
            if (previous == null) System.clearProperty("kubeconfig");
            else System.setProperty("kubeconfig", previous);
        }
    }

    private void reconcile() {
        int n = 0;
        while (running.get()) {
            try {
                Deployment d = deployment();
                if (d != null) {
                    int wanted = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                    List<Pod> pods = appPods();
                    if (wanted > 0 && pods.isEmpty()) {
                        settle();
                        client.pods().inNamespace("pra").resource(new PodBuilder().withNewMetadata().withName("pra-app-" + (++n))
                                .addToLabels("app.kubernetes.io/name", "pra-app").endMetadata()
                                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
                    }
                    if (wanted == 0 && !pods.isEmpty()) {
                        settle();
                        pods.forEach(p -> client.pods().inNamespace("pra").withName(p.getMetadata().getName()).delete());
                    }
                    int ready = wanted > 0 ? 1 : 0;
                    if (d.getStatus() == null || d.getStatus().getReadyReplicas() == null || d.getStatus().getReadyReplicas() != ready) {
                        settle();
                        d.setStatus(new DeploymentStatusBuilder().withReadyReplicas(ready).withReplicas(ready).build());
                        client.apps().deployments().inNamespace("pra").resource(d).updateStatus();
                    }
                }
                for (Job j : client.resources(Job.class).inNamespace("pra").list().getItems()) {
                    if (j.getStatus() != null) continue;
                    settle();
                    String name = j.getMetadata().getName();
                    // The garbage collector's part: an earlier run's pod goes with its Job.
                    client.pods().inNamespace("pra").withName(name + "-pod").delete();
                    client.pods().inNamespace("pra").withName(name + "-pod").waitUntilCondition(p -> p == null, 5, java.util.concurrent.TimeUnit.SECONDS);
                    client.pods().inNamespace("pra").resource(new PodBuilder().withNewMetadata().withName(name + "-pod")
                            .addToLabels("job-name", name).endMetadata().withNewStatus().withPhase(failJobs ? "Failed" : "Succeeded").endStatus().build()).create();
                    j.setStatus(failJobs ? new JobStatusBuilder().withFailed(1).build() : new JobStatusBuilder().withSucceeded(1).build());
                    client.resources(Job.class).inNamespace("pra").resource(j).updateStatus();
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // An object changed under the stand-in; the next round sees it afresh.
            }
        }
    }

    /**
     * A cluster takes its time: a pod stops, a Job runs. The stand-in waits too, so that the kit's
     * waits have opened their watches when the change comes; the mock server, unlike a real one,
     * does not replay a change made between a wait's first list and its watch.
     */
    private static void settle() throws InterruptedException {
        Thread.sleep(300);
    }

    private List<Pod> appPods() {
        return client.pods().inNamespace("pra").withLabel("app.kubernetes.io/name", "pra-app").list().getItems();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace("pra").withName("pra-app").get();
    }

    private CronJob cron() {
        return client.resources(CronJob.class).inNamespace("pra").withName("pra-backup").get();
    }

    private Job job(String name) {
        return client.resources(Job.class).inNamespace("pra").withName(name).get();
    }

    /** What the app answers at this path, through the API server's service proxy. */
    private void appAnswers(String path, String body) {
        server.expect().get().withPath("/api/v1/namespaces/pra/services/pra-app:80/proxy" + path).andReturn(200, body).always();
    }

    /** A pod's log, read once (a Job's) or followed (the app's, while it is stopped). */
    private void podLog(String pod, boolean followed, String log) {
        server.expect().get().withPath("/api/v1/namespaces/pra/pods/" + pod + "/log?pretty=false" + (followed ? "&follow=true" : ""))
                .andReturn(200, log).always();
    }

    private List<Long> ids() throws Exception {
        return recovery.AppLog.current(site.appLog()).acks().stream().map(a -> a.id()).toList();
    }

    private PersistentVolumeClaim pvc(String name) {
        return client.persistentVolumeClaims().inNamespace("pra").withName(name).get();
    }

}
