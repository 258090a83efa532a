package recovery;

//DEPS io.fabric8:kubernetes-client:7.8.0

import common.Problem;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PRA workshop on a real Kubernetes cluster, through the Fabric8 client: the same steps as
 * on local folders, with the objects of k8s/ (namespace pra, PVCs pra-data and pra-backup, the
 * app's Deployment and Service, the backup CronJob, the restore Job).
 */
public final class KubeSite {
    public static final String NAMESPACE = "pra";
    private final KubernetesClient client;
    private final Path manifests;

    public KubeSite(KubernetesClient client, Path manifests) {
        this.client = client;
        this.manifests = manifests;
    }

    /** The cluster of the current kubeconfig context; a Problem naming that context when it does not answer. */
    public static KubeSite connect(Path manifests) {
        // A student's typo should fail in seconds, not after the client's ten retries with backoff.
        io.fabric8.kubernetes.client.Config config = new io.fabric8.kubernetes.client.ConfigBuilder(io.fabric8.kubernetes.client.Config.autoConfigure(null))
                .withRequestRetryBackoffLimit(1).withConnectionTimeout(5_000).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        String context = client.getConfiguration().getCurrentContext() == null ? "(none)" : client.getConfiguration().getCurrentContext().getName();
        try {
            client.namespaces().list();
        } catch (KubernetesClientException e) {
            client.close();
            throw new Problem(Problem.USAGE, e, "pra.k8s.unreachable", context, client.getMasterUrl());
        }
        return new KubeSite(client, manifests);
    }

    /** Every object of the manifests, typed, in file order. */
    public List<HasMetadata> objects() throws IOException {
        List<HasMetadata> all = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(manifests)) {
            files = list.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
        }
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f)) {
                all.addAll(client.load(in).items());
            }
        }
        return all;
    }

    /** Creates or updates everything but the restore Job, which only a restore runs. */
    public void deploy(Duration timeout) throws IOException {
        for (HasMetadata o : objects()) {
            if (o instanceof Job) continue;
            client.resource(o).unlock().createOr(existing -> existing.update());
        }
        deployment().waitUntilCondition(d -> d != null && d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                && d.getStatus().getReadyReplicas() >= 1, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Deletes the app's pod, as a crash would; returns how long until a new one was ready. */
    public Duration podCrash(Duration timeout) {
        List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/name", "pra-app").list().getItems();
        if (pods.isEmpty()) throw Problem.failed("pra.app.not-running");
        String old = pods.get(0).getMetadata().getName();
        Instant t0 = Instant.now();
        client.pods().inNamespace(NAMESPACE).withName(old).delete();
        client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/name", "pra-app").waitUntilCondition(p -> p != null
                && !p.getMetadata().getName().equals(old) && p.getStatus() != null && p.getStatus().getConditions() != null
                && p.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())),
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        return Duration.between(t0, Instant.now());
    }

    /** Phase 1: the app scaled to zero, the CronJob suspended, the data volume deleted. */
    public Instant disaster(Duration timeout) {
        Instant at = Instant.now();
        deployment().scale(0);
        client.resources(CronJob.class).inNamespace(NAMESPACE).withName("pra-backup").edit(c -> {
            c.getSpec().setSuspend(true);
            return c;
        });
        client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("pra-data").delete();
        client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("pra-data").waitUntilCondition(p -> p == null,
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        return at;
    }

    /**
     * Phase 2: a new data volume, the restore Job (the newest valid backup, or the named one),
     * then the app and the backups back. A failed Job stops here, with the volumes as they are.
     */
    public void restore(String point, boolean force, Duration timeout) throws IOException {
        for (HasMetadata o : objects()) {
            if (o instanceof PersistentVolumeClaim pvc && pvc.getMetadata().getName().equals("pra-data")) {
                client.resource(pvc).unlock().createOr(existing -> existing.update());
            }
        }
        client.resources(Job.class).inNamespace(NAMESPACE).withName("pra-restore").delete();
        client.resources(Job.class).inNamespace(NAMESPACE).withName("pra-restore").waitUntilCondition(j -> j == null,
                timeout.toMillis(), TimeUnit.MILLISECONDS);
        Job job = objects().stream().filter(o -> o instanceof Job).map(o -> (Job) o).findFirst()
                .orElseThrow(() -> new IOException("no restore Job in " + manifests));
        List<EnvVar> env = job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        for (EnvVar v : env) {
            if (v.getName().equals("RESTORE_FILE")) v.setValue(point == null ? "" : point);
            if (v.getName().equals("RESTORE_FORCE")) v.setValue(Boolean.toString(force));
        }
        client.resource(job).create();
        Job done = client.resources(Job.class).inNamespace(NAMESPACE).withName("pra-restore").waitUntilCondition(j -> j != null
                && j.getStatus() != null && ((j.getStatus().getSucceeded() != null && j.getStatus().getSucceeded() > 0)
                || (j.getStatus().getFailed() != null && j.getStatus().getFailed() > 0)), timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (done.getStatus().getSucceeded() == null || done.getStatus().getSucceeded() == 0) throw Problem.failed("pra.k8s.restore-failed");
        deployment().scale(1);
        client.resources(CronJob.class).inNamespace(NAMESPACE).withName("pra-backup").edit(c -> {
            c.getSpec().setSuspend(false);
            return c;
        });
    }

    private io.fabric8.kubernetes.client.dsl.RollableScalableResource<Deployment> deployment() {
        return client.apps().deployments().inNamespace(NAMESPACE).withName("pra-app");
    }
}
