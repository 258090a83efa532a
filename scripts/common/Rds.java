package common;

//DEPS software.amazon.awssdk:rds:2.42.33
//DEPS software.amazon.awssdk:url-connection-client:2.42.33
// The SDK logs through SLF4J; without a binding, SLF4J prints a warning into every student's output.
//DEPS org.slf4j:slf4j-nop:1.7.36

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
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
    public static final class Options {
        @Option(names = "--target", paramLabel = "local|aws", defaultValue = "local", descriptionKey = "option.target")
        public String target;

        @Option(names = "--instance", paramLabel = "ID", defaultValue = Region.INSTANCE_ID, descriptionKey = "option.instance")
        public String instance;

        @Option(names = "--region", paramLabel = "REGION", descriptionKey = "option.region")
        public String region;

        @Option(names = "--profile", paramLabel = "PROFILE", descriptionKey = "option.profile")
        public String profile;

        @Option(names = "--rds-endpoint-url", paramLabel = "URL", descriptionKey = "option.rds-endpoint-url")
        public URI endpointUrl;

        public boolean local() {
            if (!target.equals("local") && !target.equals("aws")) throw Problem.environment("target.unknown", target);
            return target.equals("local");
        }
    }

    /** What DescribeDBInstances says, reduced to what the mission looks at. */
    public record Instance(String id, String status, String engine, String primaryAz, String standbyAz, boolean multiAz,
                           String host, int port, String masterUser) {}

    /** One RDS event, as DescribeEvents returns it. */
    public record Event(Instant time, String message, List<String> categories) {}

    private final RdsClient client;
    private final Options options;

    private Rds(RdsClient client, Options options) {
        this.client = client;
        this.options = options;
    }

    public static Rds open(Options o) throws IOException {
        RdsClientBuilder b = RdsClient.builder().httpClient(UrlConnectionHttpClient.create());
        if (o.local()) {
            if (!Files.exists(Region.stateFile(Region.home()))) throw Problem.environment("lab.none", Region.home());
            URI api = o.endpointUrl != null ? o.endpointUrl : Region.api(Region.load(Region.home()), "");
            // The local API checks no signature, but the SDK signs every call: any credentials do.
            b.endpointOverride(api).region(software.amazon.awssdk.regions.Region.of("local"))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
        } else {
            if (o.endpointUrl != null) b.endpointOverride(o.endpointUrl);
            if (o.region != null) b.region(software.amazon.awssdk.regions.Region.of(o.region));
            b.credentialsProvider(o.profile != null ? ProfileCredentialsProvider.create(o.profile) : DefaultCredentialsProvider.builder().build());
        }
        try {
            return new Rds(b.build(), o);
        } catch (SdkException e) {
            throw new Problem(Problem.USAGE, e, "aws.client", e.getMessage());
        }
    }

    public Instance describe() {
        try {
            DBInstance d = client.describeDBInstances(r -> r.dbInstanceIdentifier(options.instance)).dbInstances().get(0);
            return new Instance(d.dbInstanceIdentifier(), d.dbInstanceStatus(), d.engine(), d.availabilityZone(),
                    d.secondaryAvailabilityZone(), Boolean.TRUE.equals(d.multiAZ()),
                    d.endpoint() == null ? null : d.endpoint().address(), d.endpoint() == null ? 0 : d.endpoint().port(), d.masterUsername());
        } catch (SdkException e) {
            throw new Problem(Problem.USAGE, e, "rds.describe", options.instance, e.getMessage());
        }
    }

    /** RebootDBInstance with ForceFailover: the standby becomes primary, as the mission asks. */
    public Instance rebootWithFailover() {
        try {
            DBInstance d = client.rebootDBInstance(r -> r.dbInstanceIdentifier(options.instance).forceFailover(true)).dbInstance();
            return new Instance(d.dbInstanceIdentifier(), d.dbInstanceStatus(), d.engine(), d.availabilityZone(),
                    d.secondaryAvailabilityZone(), Boolean.TRUE.equals(d.multiAZ()), null, 0, d.masterUsername());
        } catch (SdkException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "rds.reboot", options.instance, e.getMessage());
        }
    }

    public List<Event> events(Instant since) {
        try {
            return client.describeEvents(r -> r.sourceType(SourceType.DB_INSTANCE).sourceIdentifier(options.instance).startTime(since))
                    .events().stream().map(e -> new Event(e.date(), e.message(), e.eventCategories()))
                    .sorted(Comparator.comparing(Event::time)).toList();
        } catch (SdkException e) {
            throw new Problem(Problem.USAGE, e, "rds.events", options.instance, e.getMessage());
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
