package common;

//SOURCES Aws.java Deployment.java Evidence.java Home.java Json.java Problem.java Region.java

//DEPS software.amazon.awssdk:rds:2.42.33

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Option;
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
                           String host, int port, String masterUser, String secretArn) {}

    /** One RDS event, as DescribeEvents returns it; step 7 keeps those of the failover in events.json. */
    public record Event(Instant time, String message, List<String> categories) {}

    public static final String EVENTS = "events.json";

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

    public static Rds open(Options o) throws IOException {
        RdsClientBuilder b = RdsClient.builder().httpClient(UrlConnectionHttpClient.create());
        if (o.local()) {
            if (!Files.exists(Region.stateFile(Home.dir()))) throw Problem.environment("lab.none", Home.dir());
            URI api = o.endpointUrl != null ? o.endpointUrl : Region.api(Region.load(Home.dir()), "");
            // The local API checks no signature, but the SDK signs every call: any credentials do.
            b.endpointOverride(api).region(software.amazon.awssdk.regions.Region.of("local"))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        } else {
            if (o.endpointUrl != null) b.endpointOverride(o.endpointUrl);
            o.configure(b);
        }
        try {
            return new Rds(b.build(), o.instance());
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
                d.masterUserSecret() == null ? null : d.masterUserSecret().secretArn());
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
