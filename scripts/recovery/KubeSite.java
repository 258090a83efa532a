package recovery;

//SOURCES ../common/FileTree.java ../common/Json.java ../common/Messages.java ../common/Problem.java ../common/Wait.java AppLog.java Backups.java
//SOURCES Site.java

//DEPS io.fabric8:kubernetes-client:7.8.0

import common.FileTree;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The PRA workshop on a real Kubernetes cluster, through the Fabric8 client: the objects of k8s/
 * (namespace pra, or the run's own, PVCs pra-data and pra-backup, the app's Deployment and Service, the backup
 * CronJob, the restore Job).
 *
 * The app is reached through the API server's service proxy, with the kubeconfig's own
 * credentials: nothing to expose, and it always reaches whichever pod is ready now. Backups are
 * listed by a short Job that mounts pra-backup read-only, since only a pod can read a volume. The
 * app's log lives in its pod and dies with it, so it is followed while a pod is killed or stopped
 * and its ADD lines are kept on this machine, as a log shipper would.
 */
public final class KubeSite extends Site {
    static final String APP_LABEL = "app.kubernetes.io/name";
    /** The users' Deployment (k8s/50-traffic.yaml): one replica in the student's workshop, none in the drill's namespaces. */
    static final String TRAFFIC = "pra-traffic";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private final KubernetesClient client;
    private final Path manifests;
    private final String namespace;

    /** A site in its own namespace: the manifests' objects are put there, whatever namespace they name. */
    public KubeSite(KubernetesClient client, Path manifests, String namespace, Path home) {
        super(home);
        this.client = client;
        this.manifests = manifests;
        this.namespace = namespace;
    }

    /** The cluster of the current kubeconfig context; a Problem naming that context when it does not answer. */
    public static KubeSite connect(Path manifests, String namespace, Path home) {
        if (!Files.isDirectory(manifests)) throw Problem.environment("pra.k8s.manifests-missing", manifests.toAbsolutePath());
        // A student's typo should fail in seconds, not after the client's ten retries with backoff.
        Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(1).withConnectionTimeout(5_000).build();
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        String context = client.getConfiguration().getCurrentContext() == null ? Messages.get("pra.k8s.no-context")
                : client.getConfiguration().getCurrentContext().getName();
        try {
            client.namespaces().list();
        } catch (KubernetesClientException e) {
            client.close();
            throw new Problem(Problem.USAGE, e, "pra.k8s.unreachable", context, client.getMasterUrl());
        }
        return new KubeSite(client, manifests, namespace, home);
    }

    @Override public String target() { return "k8s"; }

    @Override public String dataVolume() { return "pvc " + namespace + "/pra-data"; }

    @Override public String backupVolume() { return "pvc " + namespace + "/pra-backup"; }

    @Override public String dataDatabase() { return "pvc " + namespace + "/pra-data:/data/" + Backups.DATABASE; }

    /** The claim's capacity, and where its volume is: the storage class and, when the volume is tied to one, the node. */
    @Override
    public Volume volume(String name) {
        PersistentVolumeClaim claim = pvc(name).get();
        if (claim == null) return new Volume("pvc " + namespace + "/" + name, "-", "0 B");
        String size = claim.getStatus() != null && claim.getStatus().getCapacity() != null && claim.getStatus().getCapacity().get("storage") != null
                ? claim.getStatus().getCapacity().get("storage").toString()
                : claim.getSpec().getResources().getRequests().get("storage").toString();
        String storage = "storage class " + claim.getSpec().getStorageClassName();
        var pv = claim.getSpec().getVolumeName() == null ? null : client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
        if (pv != null && pv.getSpec().getNodeAffinity() != null && pv.getSpec().getNodeAffinity().getRequired() != null) {
            String nodes = pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms().stream()
                    .flatMap(t -> t.getMatchExpressions().stream()).flatMap(e -> e.getValues().stream()).sorted().distinct()
                    .reduce((a, b) -> a + "," + b).orElse("");
            if (!nodes.isEmpty()) storage += ", node " + nodes;
        }
        return new Volume("pvc " + namespace + "/" + name, storage, size);
    }

    @Override public String trafficJournal() { return "kubectl -n " + namespace + " logs deploy/" + TRAFFIC; }

    @Override public Long writesNotBackedUp() { return null; }

    @Override protected String whereToLook() { return "kubectl -n " + namespace + " describe pods"; }

    @Override
    public void close() {
        client.close();
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
        for (HasMetadata o : all) {
            if (o instanceof Namespace) o.getMetadata().setName(namespace);
            else o.getMetadata().setNamespace(namespace);
        }
        return all;
    }

    /**
     * Creates what is missing, and patches the rest with the manifests (a merge patch, as
     * "kubectl patch --type merge" sends): the fields the manifests set are set, and those the
     * cluster filled in (a claim's bound volume, a Service's address) are left alone, where a
     * plain replace would be refused. A CronJob cannot run more often than once a
     * minute: a shorter interval keeps the minute, and a drill asks for its extra backups itself
     * (waitForBackups).
     */
    @Override
    public void deploy(int backupEverySeconds, boolean traffic) throws IOException {
        for (HasMetadata o : objects()) {
            if (o instanceof Job) continue;
            if (o instanceof Deployment d && TRAFFIC.equals(d.getMetadata().getName())) d.getSpec().setReplicas(traffic ? 1 : 0);
            if (o instanceof CronJob c) c.getSpec().setSchedule(schedule(backupEverySeconds));
            if (client.resource(o).get() == null) client.resource(o).create();
            else client.resource(o).patch(PatchContext.of(PatchType.JSON_MERGE), o);
        }
        waiting("deployment/pra-app");
        deployment().waitUntilCondition(d -> d != null && d.getStatus() != null && d.getStatus().getReadyReplicas() != null
                && d.getStatus().getReadyReplicas() >= 1, WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    static String schedule(int seconds) {
        int minutes = Math.max(1, Math.round(seconds / 60f));
        return minutes == 1 ? "* * * * *" : "*/" + minutes + " * * * *";
    }

    @Override
    public int backupEvery() {
        CronJob c = cronJob().get();
        if (c == null) throw Problem.environment("pra.none", dataVolume());
        String minutes = c.getSpec().getSchedule().split(" ")[0];
        return minutes.startsWith("*/") ? 60 * Integer.parseInt(minutes.substring(2)) : 60;
    }

    /**
     * Scales the app and its users to 0 and suspends the backups; with purge, deletes the namespace, and with it
     * every object and both volumes, and forgets this machine's notes.
     */
    @Override
    public void down(boolean purge) throws Exception {
        if (!purge) {
            if (deployment().get() != null) stopApp();
            if (client.apps().deployments().inNamespace(namespace).withName(TRAFFIC).get() != null) {
                client.apps().deployments().inNamespace(namespace).withName(TRAFFIC).scale(0);
            }
            return;
        }
        client.namespaces().withName(namespace).delete();
        client.namespaces().withName(namespace).waitUntilCondition(n -> n == null, WAIT.toMillis(), TimeUnit.MILLISECONDS);
        FileTree.delete(home);
    }

    @Override
    public String url(String path) {
        return "kubectl -n " + namespace + " port-forward svc/pra-app 8080:80, then http://127.0.0.1:8080" + path;
    }

    @Override
    public Reply get(String path) {
        HttpResponse<String> r = fetch(path, String.class);
        return r == null ? new Reply(0, "no answer") : new Reply(r.code(), r.body() == null ? "" : r.body());
    }

    /** One call to the app through the API server's service proxy; null when nothing answers in time. */
    private <T> HttpResponse<T> fetch(String path, Class<T> type) {
        String uri = client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/" + namespace + "/services/pra-app:80/proxy" + path;
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(uri).timeout(10, TimeUnit.SECONDS).build();
        try {
            return client.getHttpClient().sendAsync(request, type).get(11, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    /** Deletes the app's pod without a grace period, as a crash would; returns once it is gone. */
    @Override
    public void killApp() throws Exception {
        List<Pod> pods = appPods();
        if (pods.isEmpty()) throw Problem.failed("pra.app.not-running");
        keepingLogs(pods, () -> client.pods().inNamespace(namespace).withName(pods.get(0).getMetadata().getName()).withGracePeriod(0).delete());
    }

    @Override
    public void stopApp() throws Exception {
        List<Pod> pods = appPods();
        keepingLogs(pods, () -> {
            deployment().scale(0);
            suspendBackups(true);
        });
    }

    @Override
    public void startApp() {
        deployment().scale(1);
        suspendBackups(false);
    }

    private void suspendBackups(boolean suspend) {
        cronJob().edit(c -> {
            c.getSpec().setSuspend(suspend);
            return c;
        });
    }

    @Override
    public void deleteData() {
        pvc("pra-data").delete();
        pvc("pra-data").waitUntilCondition(p -> p == null, WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A claim cannot be looked into without a pod; one that exists was the app's, so it is taken to hold its database. */
    @Override
    public boolean dataHoldsDatabase() {
        return pvc("pra-data").get() != null;
    }

    @Override
    public List<Backups.Point> points() throws Exception {
        String log = run(toolJob("pra-backups-list", "backup", "recovery.Backups", "list", "/backup"));
        Backups.Point[] points = Json.read(lastLine(log), Backups.Point[].class);
        return List.of(points);
    }

    /** Runs the backup job at once, as "kubectl create job --from=cronjob/pra-backup" does, until there are enough. */
    @Override
    public void waitForBackups(int atLeast, Duration timeout) throws Exception {
        // Each look runs the backup job once more, as kubectl create job --from=cronjob/pra-backup does.
        boolean enough = Wait.within(timeout, Duration.ZERO, () -> {
            if (points().size() >= atLeast) return true;
            CronJob cron = cronJob().get();
            if (cron == null) throw Problem.environment("pra.none", dataVolume());
            run(new JobBuilder().withNewMetadata().withName("pra-backup-now").withNamespace(namespace)
                    .withLabels(cron.getMetadata().getLabels()).endMetadata()
                    .withSpec(cron.getSpec().getJobTemplate().getSpec()).build());
            return false;
        });
        if (!enough) throw Problem.failed("pra.backups.late", "kubectl -n " + namespace + " get jobs");
    }

    /**
     * Copies pra-backup out of the cluster into DB007_HOME/pra-k8s/pra-backup, for the hand-in
     * bundle: only a pod can read a volume, and the app's pod mounts this one, so the app hands
     * out its backups (/backup), through the same service proxy as every other call.
     */
    @Override
    public Path backupsHere() throws IOException {
        Reply list = get("/backup");
        if (list.status() != 200) throw Problem.failed("pra.app.not-running");
        Path copy = home.resolve("pra-backup");
        FileTree.delete(copy);
        Files.createDirectories(copy);
        for (Object name : Json.read(list.body(), List.class)) {
            HttpResponse<byte[]> file = fetch("/backup?file=" + URLEncoder.encode(name.toString(), StandardCharsets.UTF_8), byte[].class);
            if (file == null || file.code() != 200) throw Problem.failed("pra.k8s.copy-failed", name);
            Files.write(copy.resolve(Path.of(name.toString()).getFileName()), file.body());
        }
        return copy;
    }

    /** A new data volume if it is gone, then the restore Job with the chosen backup. */
    @Override
    public String restore(String file, boolean force) throws Exception {
        for (HasMetadata o : objects()) {
            if (o instanceof PersistentVolumeClaim claim && claim.getMetadata().getName().equals("pra-data") && pvc("pra-data").get() == null) {
                client.resource(claim).create();
            }
        }
        Job job = restoreJob();
        for (EnvVar v : job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (v.getName().equals("RESTORE_FILE")) v.setValue(file);
            if (v.getName().equals("RESTORE_FORCE")) v.setValue(Boolean.toString(force));
        }
        Map<?, ?> done = Json.read(lastLine(run(job)), Map.class);
        Object kept = done.get("kept_aside");
        return kept == null || kept.toString().isEmpty() ? null : "pvc " + namespace + "/pra-data:" + kept;
    }

    /** The restore Job of the manifests, as written there. */
    private Job restoreJob() throws IOException {
        return objects().stream().filter(o -> o instanceof Job).map(o -> (Job) o).findFirst()
                .orElseThrow(() -> new IOException("no restore Job in " + manifests));
    }

    /**
     * The restore Job's image running another of Backups' commands, with one of the two volumes:
     * the listing mounts only pra-backup (after a disaster pra-data does not exist, and a pod
     * mounting it would wait forever), the copy lesson only pra-data.
     */
    private Job toolJob(String name, String volume, String... args) throws IOException {
        Job job = restoreJob();
        job.getMetadata().setName(name);
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        pod.getContainers().get(0).setArgs(List.of(args));
        pod.getContainers().get(0).setEnv(List.of());
        pod.getContainers().get(0).getVolumeMounts().removeIf(m -> !m.getName().equals(volume));
        pod.getVolumes().removeIf(v -> !v.getName().equals(volume));
        job.getSpec().getTemplate().getMetadata().getLabels().put(APP_LABEL, name);
        return job;
    }

    /** Only a pod can read a backup: a short Job lists its messages. */
    @Override
    public Set<AppLog.Ack> rows(String backup) throws Exception {
        if (!Backups.isBackup(backup)) throw Problem.failed("pra.restore.no-such-point", backup, backupVolume());
        return Set.of(Json.read(lastLine(run(toolJob("pra-backup-rows", "backup", "recovery.Backups", "rows", "/backup/" + backup))), AppLog.Ack[].class));
    }

    /** The copy lesson runs where the volume is: in a pod that mounts pra-data beside the app's. */
    @Override
    public Backups.Comparison compareCopies() throws Exception {
        if (pvc("pra-data").get() == null) throw Problem.failed("pra.copy.no-database", dataDatabase());
        return Json.read(lastLine(run(toolJob("pra-copy-lesson", "data", "recovery.Backups", "compare", "/data"))), Backups.Comparison.class);
    }

    /** Runs a Job to its end (an older one of the same name is replaced) and returns its pod's log. */
    String run(Job job) {
        String name = job.getMetadata().getName();
        var jobs = client.resources(Job.class).inNamespace(namespace).withName(name);
        // Foreground: the old Job is gone only once its pods are, so the log read below is this run's alone.
        jobs.withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
        jobs.waitUntilCondition(j -> j == null, WAIT.toMillis(), TimeUnit.MILLISECONDS);
        client.resource(job).create();
        waiting("job/" + name);
        Job done = jobs.waitUntilCondition(j -> j != null && j.getStatus() != null && (positive(j.getStatus().getSucceeded())
                || positive(j.getStatus().getFailed())), WAIT.toMillis(), TimeUnit.MILLISECONDS);
        String log = client.pods().inNamespace(namespace).withLabel("job-name", name).list().getItems().stream()
                .map(p -> client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).getLog())
                .reduce("", String::concat);
        if (!positive(done.getStatus().getSucceeded())) {
            throw Problem.failed("pra.k8s.job-failed", name, lastLine(log), "kubectl -n " + namespace + " logs job/" + name);
        }
        return log;
    }

    /** Progress, on the error stream so that --json output stays clean: a cluster may first pull an image. */
    private static void waiting(String what) {
        System.err.println(Messages.get("pra.k8s.waiting", what, WAIT.toSeconds()));
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    private static String lastLine(String log) {
        String[] lines = log.strip().split("\n");
        return lines[lines.length - 1];
    }

    /**
     * Follows the pods' logs while the action stops them, and keeps on this machine the ADD lines
     * not kept yet. Every write the app acknowledged until its last breath is in its log.
     */
    private void keepingLogs(List<Pod> pods, Runnable action) throws IOException {
        Map<String, ByteArrayOutputStream> logs = new LinkedHashMap<>();
        List<LogWatch> watches = new ArrayList<>();
        for (Pod p : pods) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            logs.put(p.getMetadata().getName(), out);
            watches.add(client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).watchLog(out));
        }
        action.run();
        for (Pod p : pods) {
            client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).waitUntilCondition(x -> x == null,
                    WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (LogWatch w : watches) {
            try {
                // The stream ends with the container; a second is plenty for its last bytes to arrive.
                w.onClose().toCompletableFuture().get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // Closed below either way.
            }
            w.close();
        }
        Set<Long> known = new HashSet<>();
        AppLog.current(appLog()).acks().forEach(a -> known.add(a.id()));
        StringBuilder fresh = new StringBuilder();
        for (ByteArrayOutputStream out : logs.values()) {
            for (String line : out.toString(StandardCharsets.UTF_8).split("\n")) {
                AppLog.Ack a = AppLog.ack(line.strip());
                if (a != null && known.add(a.id())) fresh.append(line.strip()).append('\n');
            }
        }
        Files.createDirectories(home);
        Files.writeString(appLog(), fresh, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    List<Pod> appPods() {
        return client.pods().inNamespace(namespace).withLabel(APP_LABEL, "pra-app").list().getItems();
    }

    private RollableScalableResource<Deployment> deployment() {
        return client.apps().deployments().inNamespace(namespace).withName("pra-app");
    }

    private io.fabric8.kubernetes.client.dsl.Resource<CronJob> cronJob() {
        return client.resources(CronJob.class).inNamespace(namespace).withName("pra-backup");
    }

    private io.fabric8.kubernetes.client.dsl.Resource<PersistentVolumeClaim> pvc(String name) {
        return client.persistentVolumeClaims().inNamespace(namespace).withName(name);
    }
}
