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
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.KubeSite;

/**
 * The Kubernetes path against Fabric8's mock API server in CRUD mode. No controller runs there,
 * so a small stand-in does what the cluster's would: it keeps one Ready pod while the Deployment
 * wants one, reports the Deployment ready, and marks the restore Job succeeded.
 */
@EnableKubernetesMockClient(crud = true)
class KubeSiteTest {
    KubernetesClient client;
    KubeSite site;
    final AtomicBoolean running = new AtomicBoolean(true);
    Thread controller;

    @BeforeEach
    void start() {
        site = new KubeSite(client, Path.of("k8s"));
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
        assertEquals(Map.of("Namespace", 1L, "PersistentVolumeClaim", 2L, "Deployment", 1L, "Service", 1L, "CronJob", 1L, "Job", 1L), kinds);
        assertTrue(objects.stream().filter(o -> !(o instanceof Namespace)).allMatch(o -> "pra".equals(o.getMetadata().getNamespace())));
        CronJob cron = (CronJob) objects.stream().filter(o -> o instanceof CronJob).findFirst().orElseThrow();
        assertEquals("* * * * *", cron.getSpec().getSchedule(), "a backup every minute");
        assertEquals("Forbid", cron.getSpec().getConcurrencyPolicy());
    }

    @Test
    void deployDisasterRestoreCreateDeleteAndRecreateTheRightObjects() throws Exception {
        site.deploy(Duration.ofSeconds(20));
        assertNotNull(client.namespaces().withName("pra").get());
        assertNotNull(pvc("pra-data"));
        assertNotNull(pvc("pra-backup"));
        assertEquals(1, deployment().getSpec().getReplicas());
        assertNotNull(client.services().inNamespace("pra").withName("pra-app").get());
        assertNotEquals(Boolean.TRUE, cron().getSpec().getSuspend());
        assertNull(job(), "no restore Job until a restore");

        String before = appPods().get(0).getMetadata().getName();
        Duration away = site.podCrash(Duration.ofSeconds(20));
        assertTrue(away.toMillis() >= 0);
        assertNotEquals(before, appPods().get(0).getMetadata().getName(), "a new pod replaced the deleted one");

        site.disaster(Duration.ofSeconds(20));
        assertEquals(0, deployment().getSpec().getReplicas());
        assertEquals(Boolean.TRUE, cron().getSpec().getSuspend());
        assertNull(pvc("pra-data"), "the data volume is gone");
        assertNotNull(pvc("pra-backup"), "the backups are not");

        site.restore("app-20261122T040000.000Z.db", false, Duration.ofSeconds(20));
        assertNotNull(pvc("pra-data"), "a new data volume");
        Job restore = job();
        assertNotNull(restore);
        Map<String, String> env = restore.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .collect(Collectors.toMap(e -> e.getName(), e -> e.getValue() == null ? "" : e.getValue()));
        assertEquals("app-20261122T040000.000Z.db", env.get("RESTORE_FILE"));
        assertEquals("false", env.get("RESTORE_FORCE"));
        assertEquals(1, deployment().getSpec().getReplicas());
        assertEquals(Boolean.FALSE, cron().getSpec().getSuspend());
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
            Problem p = assertThrows(Problem.class, () -> KubeSite.connect(Path.of("k8s")));
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
                        client.pods().inNamespace("pra").resource(new PodBuilder().withNewMetadata().withName("pra-app-" + (++n))
                                .addToLabels("app.kubernetes.io/name", "pra-app").endMetadata()
                                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
                    }
                    if (wanted == 0) pods.forEach(p -> client.pods().inNamespace("pra").withName(p.getMetadata().getName()).delete());
                    int ready = wanted > 0 ? 1 : 0;
                    if (d.getStatus() == null || d.getStatus().getReadyReplicas() == null || d.getStatus().getReadyReplicas() != ready) {
                        d.setStatus(new DeploymentStatusBuilder().withReadyReplicas(ready).withReplicas(ready).build());
                        client.apps().deployments().inNamespace("pra").resource(d).updateStatus();
                    }
                }
                Job j = job();
                if (j != null && j.getStatus() == null) {
                    j.setStatus(new JobStatusBuilder().withSucceeded(1).build());
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

    private List<Pod> appPods() {
        return client.pods().inNamespace("pra").withLabel("app.kubernetes.io/name", "pra-app").list().getItems();
    }

    private Deployment deployment() {
        return client.apps().deployments().inNamespace("pra").withName("pra-app").get();
    }

    private CronJob cron() {
        return client.resources(CronJob.class).inNamespace("pra").withName("pra-backup").get();
    }

    private Job job() {
        return client.resources(Job.class).inNamespace("pra").withName("pra-restore").get();
    }

    private PersistentVolumeClaim pvc(String name) {
        return client.persistentVolumeClaims().inNamespace("pra").withName(name).get();
    }

}
