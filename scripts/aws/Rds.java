package aws;

//SOURCES ../common/Evidence.java ../common/Home.java ../common/Json.java ../common/Messages.java ../common/Problem.java ../region/Region.java
//SOURCES Aws.java Deployment.java

//DEPS software.amazon.awssdk:rds:2.42.33

import common.Evidence;
import common.Home;
import common.Json;
import common.Messages;
import common.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;
import region.Region;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.RdsClientBuilder;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.SourceType;

/**
 * The database instance as the mission's steps see it, through the RDS API and the AWS SDK on
 * both targets: on "local" the SDK talks to the local region's control plane, on "aws" to RDS.
 * One code path, so what a student sees locally is what RDS would show.
 */
public final class Rds implements AutoCloseable {
    /** The options every Multi-AZ step shares. */
    public static final class Options extends Aws.Options {
        @Option(names = "--target", paramLabel = "local|aws", defaultValue = "local", descriptionKey = "option.target")
        public String target;

        @Option(names = "--instance", paramLabel = "ID", descriptionKey = "option.instance")
        public String instance;

        @Option(names = "--rds-endpoint-url", paramLabel = "URL", descriptionKey = "option.rds-endpoint-url")
        public URI endpointUrl;

        public boolean local() {
            if (!target.equals("local") && !target.equals("aws")) throw Problem.environment("target.unknown", target);
            return target.equals("local");
        }

        /** An account's --region and --profile as these options, on AWS: for what has no local target (a class, setup's preflight). */
        public static Options onAws(Aws.Options account) {
            Options o = new Options();
            o.target = "aws";
            o.region = account.region;
            o.profile = account.profile;
            return o;
        }

        /** These options as a command line, for a step that runs another. */
        public List<String> arguments() {
            List<String> a = new ArrayList<>(List.of("--target", target));
            if (instance != null) a.addAll(List.of("--instance", instance));
            if (region != null) a.addAll(List.of("--region", region));
            if (profile != null) a.addAll(List.of("--profile", profile));
            if (endpointUrl != null) a.addAll(List.of("--rds-endpoint-url", endpointUrl.toString()));
            return a;
        }

        /** The instance the steps work on: --instance, else the local region's, else the one maz2 deployed on AWS. */
        public String instance() throws IOException {
            if (instance != null) return instance;
            if (local()) return Region.INSTANCE_ID;
            Deployment d = Deployment.load();
            if (d == null || d.instance() == null) throw Problem.environment("aws.instance.unknown");
            return d.instance();
        }
    }

    /** What DescribeDBInstances says, reduced to what the mission looks at. */
    public record Instance(String id, String status, String engine, String primaryAz, String standbyAz, boolean multiAz,
                           String host, int port, String masterUser, String secretArn, String arn, String replicaOf, boolean encrypted) {}

    /** One RDS event, as DescribeEvents returns it; step 7 keeps those of the failover in events.json. */
    public record Event(Instant time, String message, List<String> categories) {}

    public static final String EVENTS = "events.json";

    /**
     * RDS's texts, and the local region's in the same style, that the kit can say in the reader's
     * language; a text it does not know is shown as RDS wrote it. The AZ, when the text names one,
     * is kept.
     */
    private static final List<Map.Entry<Pattern, String>> KNOWN = List.of(
            Map.entry(Pattern.compile("Multi-AZ instance failover started.*"), "rds.event.failover-started"),
            Map.entry(Pattern.compile("Multi-AZ instance failover completed.*"), "rds.event.failover-completed"),
            Map.entry(Pattern.compile("Multi-AZ failover to standby complete.*"), "rds.event.failover-completed"),
            Map.entry(Pattern.compile("The user requested a failover of the DB instance.*"), "rds.event.failover-requested"),
            Map.entry(Pattern.compile("DB instance shutdown.*"), "rds.event.shutdown"),
            Map.entry(Pattern.compile("DB instance restarted.*"), "rds.event.restarted"),
            Map.entry(Pattern.compile("Rebooting DB instance.*"), "rds.event.rebooting"),
            Map.entry(Pattern.compile("The standby in (\\S+) was promoted to primary.*"), "rds.event.promoted"),
            Map.entry(Pattern.compile("The primary in (\\S+) is lost.*"), "rds.event.primary-lost"),
            Map.entry(Pattern.compile("The standby in (\\S+) is lost.*"), "rds.event.standby-lost"),
            Map.entry(Pattern.compile("Building a new standby in (\\S+) .*"), "rds.event.rebuild"),
            Map.entry(Pattern.compile("The standby in (\\S+) is in sync.*"), "rds.event.in-sync"),
            Map.entry(Pattern.compile("The standby in (\\S+) streams again.*"), "rds.event.standby-restarted"),
            Map.entry(Pattern.compile("The old primary in (\\S+) follows.*"), "rds.event.rejoined"),
            Map.entry(Pattern.compile("Writes are protected again.*"), "rds.event.protected"),
            Map.entry(Pattern.compile("Writes (are not protected|no longer wait).*"), "rds.event.unprotected"),
            Map.entry(Pattern.compile("The rebuild of the standby was abandoned.*"), "rds.event.rebuild-abandoned"),
            Map.entry(Pattern.compile("Restoring DB instance .*"), "rds.event.restore-started"),
            Map.entry(Pattern.compile("Restored from DB instance .*"), "rds.event.restored"),
            Map.entry(Pattern.compile("The restore of \\S+ failed.*"), "rds.event.restore-failed"),
            Map.entry(Pattern.compile("DB instance (\\S+) deleted.*"), "rds.event.deleted"),
            Map.entry(Pattern.compile("Creating read replica (\\S+) .*"), "rds.event.replica-creating"),
            Map.entry(Pattern.compile("Read replica (\\S+) created.*"), "rds.event.replica-created"),
            Map.entry(Pattern.compile("The creation of read replica (\\S+) failed: (.*)"), "rds.event.replica-failed"),
            Map.entry(Pattern.compile("Replication has stopped for read replica (\\S+?):.*"), "rds.event.replica-stopped"),
            Map.entry(Pattern.compile("Promoting read replica (\\S+) .*"), "rds.event.replica-promoting"),
            Map.entry(Pattern.compile("Read replica (\\S+) promoted.*"), "rds.event.replica-promoted"),
            Map.entry(Pattern.compile("Network fault: every link to and from (\\S+) is blackholed.*"), "rds.event.network-isolated"),
            Map.entry(Pattern.compile("Network fault: the link (\\S+) is cut.*"), "rds.event.network-cut"),
            Map.entry(Pattern.compile("Network fault: the link (\\S+) is slowed.*"), "rds.event.network-slowed"),
            Map.entry(Pattern.compile("Network healed.*"), "rds.event.network-healed"),
            Map.entry(Pattern.compile("Multi-AZ instance recovery started.*"), "rds.event.recovery-started"),
            Map.entry(Pattern.compile("Multi-AZ instance recovery completed.*"), "rds.event.recovery-completed"));

    /**
     * The unprotected window as RDS's own events tell it: from the failover's start (or the
     * request, when its event is missing) to the first "Multi-AZ instance recovery completed"
     * (RDS-EVENT-0053) after it; null while that event has not come.
     */
    public static Region.Window unprotectedFromEvents(List<Event> events, Instant requested) {
        Instant from = events.stream().filter(e -> !e.time().isBefore(requested.minusSeconds(1)) && e.message().contains("failover started"))
                .map(Event::time).findFirst().orElse(requested);
        return events.stream().filter(e -> e.time().isAfter(from) && e.message().startsWith("Multi-AZ instance recovery completed"))
                .map(e -> new Region.Window(from, e.time())).findFirst().orElse(null);
    }

    /** An event's text in the reader's language. */
    public static String describe(Event e) {
        for (Map.Entry<Pattern, String> k : KNOWN) {
            Matcher m = k.getKey().matcher(e.message());
            if (m.matches()) return Messages.get(k.getValue(), m.groupCount() > 0 && m.group(1) != null ? m.group(1) : "", m.groupCount() > 1 ? m.group(2) : "");
        }
        return e.message();
    }

    /** The events step 7 kept, or none before it ran. */
    public static List<Event> events(Evidence evidence) throws IOException {
        Path f = evidence.file(EVENTS);
        return Files.exists(f) ? List.of(Json.read(f, Event[].class)) : List.of();
    }

    private final RdsClient client;
    private final String instance;

    private Rds(RdsClient client, String instance) {
        this.client = client;
        this.instance = instance;
    }

    /**
     * The same calls in another Region, for step 11's read replica: on "local" the replica
     * Region's own API, signed for that Region; on "aws" RDS in the Region named. The instance it
     * works on is named by each call.
     */
    public static Rds otherRegion(Options o, String region, URI endpoint) {
        RdsClientBuilder b = RdsClient.builder().httpClient(UrlConnectionHttpClient.create());
        if (o.local()) {
            b.endpointOverride(endpoint).region(software.amazon.awssdk.regions.Region.of(region))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        } else {
            o.configure(b);
            b.region(software.amazon.awssdk.regions.Region.of(region));
            if (endpoint != null) b.endpointOverride(endpoint);
        }
        try {
            return new Rds(b.build(), null);
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.client");
        }
    }

    /**
     * CreateDBInstanceReadReplica in this client's Region, from an instance of another Region
     * named by its ARN. sourceRegion lets the SDK sign the request RDS makes to the source's
     * Region; an encrypted source needs a key of this Region (RDS's own, alias/aws/rds), and
     * network names only on AWS (null locally).
     */
    public Instance createReadReplica(String id, Instance source, String sourceRegion, String subnetGroup, List<String> securityGroups, Map<String, String> tags) {
        try {
            return instance(client.createDBInstanceReadReplica(r -> {
                r.dbInstanceIdentifier(id).sourceDBInstanceIdentifier(source.arn()).sourceRegion(sourceRegion).multiAZ(false)
                        .tags(tags.entrySet().stream().map(t -> software.amazon.awssdk.services.rds.model.Tag.builder().key(t.getKey()).value(t.getValue()).build()).toList());
                if (source.encrypted()) r.kmsKeyId("alias/aws/rds");
                if (subnetGroup != null) r.dbSubnetGroupName(subnetGroup).publiclyAccessible(true);
                if (securityGroups != null) r.vpcSecurityGroupIds(securityGroups);
            }).dbInstance());
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.replica.create", id, e.getMessage());
        }
    }

    /** PromoteReadReplica: the replica stops replicating and takes writes, as it stands. */
    public Instance promoteReadReplica(String id) {
        try {
            return instance(client.promoteReadReplica(r -> r.dbInstanceIdentifier(id).backupRetentionPeriod(1)).dbInstance());
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.replica.promote", id, e.getMessage());
        }
    }

    /** How replication goes, as RDS says in the read replication status info ("replicating", "error"…); null when it says nothing. */
    public String replicationStatus(String id) {
        try {
            DBInstance d = client.describeDBInstances(r -> r.dbInstanceIdentifier(id)).dbInstances().get(0);
            return d.hasStatusInfos() ? d.statusInfos().stream().filter(i -> "read replication".equals(i.statusType())).map(i -> i.status())
                    .findFirst().orElse(null) : null;
        } catch (SdkException e) {
            return null;
        }
    }

    public static Rds open(Options o) throws IOException {
        return new Rds(client(o), o.instance());
    }

    /** For what concerns the account and not one instance (a class's sweep). */
    public static Rds account(Options o) throws IOException {
        return new Rds(client(o), null);
    }

    static RdsClient client(Options o) throws IOException {
        RdsClientBuilder b = RdsClient.builder().httpClient(UrlConnectionHttpClient.create());
        if (o.local()) {
            if (!Files.exists(Region.stateFile())) throw Problem.environment("lab.none", Home.dir());
            URI api = o.endpointUrl != null ? o.endpointUrl : Region.api(Region.load(), "");
            // The local API checks no signature, but the SDK signs every call: any credentials do.
            b.endpointOverride(api).region(software.amazon.awssdk.regions.Region.of("local"))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        } else {
            if (o.endpointUrl != null) b.endpointOverride(o.endpointUrl);
            o.configure(b);
        }
        try {
            return b.build();
        } catch (SdkException e) {
            throw Aws.explain(e, "aws.client");
        }
    }

    public Instance describe() {
        try {
            return instance(client.describeDBInstances(r -> r.dbInstanceIdentifier(instance)).dbInstances().get(0));
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", instance);
        }
    }

    private static Instance instance(DBInstance d) {
        return new Instance(d.dbInstanceIdentifier(), d.dbInstanceStatus(), d.engine(), d.availabilityZone(),
                d.secondaryAvailabilityZone(), Boolean.TRUE.equals(d.multiAZ()),
                d.endpoint() == null ? null : d.endpoint().address(), d.endpoint() == null ? 0 : d.endpoint().port(), d.masterUsername(),
                d.masterUserSecret() == null ? null : d.masterUserSecret().secretArn(), d.dbInstanceArn(), d.readReplicaSourceDBInstanceIdentifier(),
                Boolean.TRUE.equals(d.storageEncrypted()));
    }

    /**
     * RebootDBInstance with ForceFailover: the standby becomes primary, as the mission asks. RDS
     * refuses it on a single-AZ instance; that is said plainly, before asking.
     */
    public Instance rebootWithFailover() {
        if (!describe().multiAz()) throw Problem.failed("rds.not-multi-az", instance);
        try {
            return instance(client.rebootDBInstance(r -> r.dbInstanceIdentifier(instance).forceFailover(true)).dbInstance());
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.reboot", instance, e.getMessage());
        }
    }

    /**
     * What of the instance could still be billed after a teardown: the instance itself (unless
     * RDS no longer knows it) and any manual snapshot of it. Empty when nothing is left.
     */
    public List<String> leftovers() {
        List<String> left = new ArrayList<>();
        try {
            DBInstance d = client.describeDBInstances(r -> r.dbInstanceIdentifier(instance)).dbInstances().get(0);
            left.add("DB instance " + d.dbInstanceIdentifier() + " (" + d.dbInstanceStatus() + ")");
        } catch (software.amazon.awssdk.services.rds.model.DbInstanceNotFoundException e) {
            // Gone, as it should be.
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", instance);
        }
        try {
            client.describeDBSnapshots(r -> r.dbInstanceIdentifier(instance).snapshotType("manual")).dbSnapshots()
                    .forEach(s -> left.add("DB snapshot " + s.dbSnapshotIdentifier()));
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", instance);
        }
        return left;
    }

    // ---- point-in-time recovery (mission step 10) -----------------------------------------------

    /** The span the automated backups can restore to, as DescribeDBInstanceAutomatedBackups gives it. */
    public record RestoreWindow(Instant earliest, Instant latest) {}

    public RestoreWindow restoreWindow() {
        try {
            var backups = client.describeDBInstanceAutomatedBackups(r -> r.dbInstanceIdentifier(instance)).dbInstanceAutomatedBackups();
            if (backups.isEmpty() || backups.get(0).restoreWindow() == null) return null;
            var w = backups.get(0).restoreWindow();
            return w.earliestTime() == null || w.latestTime() == null ? null : new RestoreWindow(w.earliestTime(), w.latestTime());
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", instance);
        }
    }

    /** The instance's LatestRestorableTime: RDS's backups lag behind the present by about five minutes. */
    public Instant latestRestorableTime() {
        try {
            return client.describeDBInstances(r -> r.dbInstanceIdentifier(instance)).dbInstances().get(0).latestRestorableTime();
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", instance);
        }
    }

    /**
     * RestoreDBInstanceToPointInTime into a new instance: Single-AZ, in the source's subnet group
     * and security groups (the same VPC), its master password in a secret of its own.
     */
    public Instance restoreToPointInTime(String target, Instant time) {
        try {
            DBInstance source = client.describeDBInstances(r -> r.dbInstanceIdentifier(instance)).dbInstances().get(0);
            return instance(client.restoreDBInstanceToPointInTime(r -> {
                r.sourceDBInstanceIdentifier(instance).targetDBInstanceIdentifier(target).restoreTime(time).multiAZ(false)
                        .publiclyAccessible(source.publiclyAccessible()).copyTagsToSnapshot(false);
                if (source.dbSubnetGroup() != null) r.dbSubnetGroupName(source.dbSubnetGroup().dbSubnetGroupName());
                if (source.hasVpcSecurityGroups()) r.vpcSecurityGroupIds(source.vpcSecurityGroups().stream().map(g -> g.vpcSecurityGroupId()).toList());
                if (source.masterUserSecret() != null) r.manageMasterUserPassword(true);
                // The source's own tags (student, class, expiry), so that a class's sweep finds the restore too; "aws:" ones are AWS's to set.
                if (source.hasTagList()) r.tags(source.tagList().stream().filter(t -> !t.key().startsWith("aws:")).toList());
            }).dbInstance());
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.restore", target, e.getMessage());
        }
    }

    /** Another instance of the account, by its identifier; null when RDS knows none of that name. */
    public Instance describe(String id) {
        try {
            return instance(client.describeDBInstances(r -> r.dbInstanceIdentifier(id)).dbInstances().get(0));
        } catch (software.amazon.awssdk.services.rds.model.DbInstanceNotFoundException e) {
            return null;
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", id);
        }
    }

    /** An instance as a class's sweep sees it: what it is, since when, and its tags. */
    public record Tagged(String id, String status, String instanceClass, boolean multiAz, Instant created, Map<String, String> tags) {}

    /** Every instance of the Region that carries this tag. */
    public List<Tagged> tagged(String key, String value) {
        try {
            List<Tagged> found = new ArrayList<>();
            for (DBInstance d : client.describeDBInstancesPaginator(r -> { }).dbInstances()) {
                Map<String, String> tags = new java.util.LinkedHashMap<>();
                if (d.hasTagList()) d.tagList().forEach(t -> tags.put(t.key(), t.value()));
                if (value.equals(tags.get(key))) {
                    found.add(new Tagged(d.dbInstanceIdentifier(), d.dbInstanceStatus(), d.dbInstanceClass(), Boolean.TRUE.equals(d.multiAZ()),
                            d.instanceCreateTime(), tags));
                }
            }
            return found;
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.describe", key + "=" + value);
        }
    }

    /** Why an instance is not available, as RDS says in its status infos; null when it says nothing. */
    public String statusInfo(String id) {
        try {
            DBInstance d = client.describeDBInstances(r -> r.dbInstanceIdentifier(id)).dbInstances().get(0);
            return d.hasStatusInfos() ? d.statusInfos().stream().map(i -> i.message()).filter(m -> m != null).findFirst().orElse(null) : null;
        } catch (SdkException e) {
            return null;
        }
    }

    /**
     * Waits with the SDK's waiter until the instance is available, polling as often as the target
     * warrants; the waiter fails at once on a failed restore. Meanwhile the instance's new events
     * are handed to progress.
     */
    public Instance waitAvailable(String id, Duration every, Duration timeout, java.util.function.Consumer<Event> progress) {
        Instant since = Instant.now().minusSeconds(2);
        java.util.Set<String> told = new java.util.HashSet<>();
        Thread watcher = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (Event e : eventsOf(id, since)) if (told.add(e.time() + e.message())) progress.accept(e);
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException done) {
                    return;
                } catch (RuntimeException ignored) {
                    // Events are progress, not the result: the waiter decides.
                }
            }
        }, "restore-events");
        watcher.setDaemon(true);
        watcher.start();
        try {
            client.waiter().waitUntilDBInstanceAvailable(r -> r.dbInstanceIdentifier(id), w -> w
                    .backoffStrategyV2(software.amazon.awssdk.retries.api.BackoffStrategy.fixedDelay(every))
                    .maxAttempts((int) Math.max(1, timeout.toMillis() / every.toMillis())));
            return describe(id);
        } catch (SdkException e) {
            String why = statusInfo(id);
            throw Problem.failed("rds.unavailable", id, why != null ? why : e.getMessage());
        } finally {
            watcher.interrupt();
        }
    }

    /** Returns once RDS no longer knows the instance, as the SDK's waiter sees it. */
    public void waitDeleted(String id, Duration timeout) {
        waitDeleted(id, Duration.ofSeconds(15), timeout);
    }

    public void waitDeleted(String id, Duration every, Duration timeout) {
        try {
            client.waiter().waitUntilDBInstanceDeleted(r -> r.dbInstanceIdentifier(id), w -> w
                    .backoffStrategyV2(software.amazon.awssdk.retries.api.BackoffStrategy.fixedDelay(every))
                    .maxAttempts((int) Math.max(1, timeout.toMillis() / every.toMillis())));
        } catch (SdkException e) {
            throw Problem.failed("rds.delete", id, e.getMessage());
        }
    }

    /** DeleteDBInstance, with no final snapshot and the automated backups gone with it. */
    public void delete(String id) {
        try {
            client.deleteDBInstance(r -> r.dbInstanceIdentifier(id).skipFinalSnapshot(true).deleteAutomatedBackups(true));
        } catch (software.amazon.awssdk.services.rds.model.DbInstanceNotFoundException gone) {
            // Already gone.
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.delete", id, e.getMessage());
        }
    }

    /** Another instance's events since then, as RDS keeps them (14 days): the grader's look at what really happened. */
    public List<Event> events(String id, Instant since) {
        try {
            return eventsOf(id, since);
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.events", id);
        }
    }

    private List<Event> eventsOf(String id, Instant since) {
        return client.describeEvents(r -> r.sourceType(SourceType.DB_INSTANCE).sourceIdentifier(id).startTime(since))
                .events().stream().map(e -> new Event(e.date(), e.message(), e.eventCategories())).sorted(Comparator.comparing(Event::time)).toList();
    }

    public List<Event> events(Instant since) {
        try {
            return client.describeEvents(r -> r.sourceType(SourceType.DB_INSTANCE).sourceIdentifier(instance).startTime(since))
                    .events().stream().map(e -> new Event(e.date(), e.message(), e.eventCategories()))
                    .sorted(Comparator.comparing(Event::time)).toList();
        } catch (SdkException e) {
            throw Aws.explain(e, "rds.events", instance);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
