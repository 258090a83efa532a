package aws;

//SOURCES Rds.java

//DEPS software.amazon.awssdk:cloudwatch:2.42.33

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * A read replica's lag as RDS publishes it: CloudWatch's ReplicaLag, in seconds, per minute, in
 * the replica's Region. It says what RDS saw over the last minute; the replica's own view, asked
 * in SQL, says what it holds now. Step 11 shows both.
 */
public final class ReplicaLag {
    private ReplicaLag() {}

    /** The newest minute's average ReplicaLag of that instance, in seconds; null when CloudWatch has none yet, or cannot be asked. */
    public static Double latestSeconds(Rds.Options options, String region, java.net.URI endpoint, String instance) {
        var b = options.configure(CloudWatchClient.builder().httpClient(UrlConnectionHttpClient.create()));
        b.region(software.amazon.awssdk.regions.Region.of(region));
        if (endpoint != null) b.endpointOverride(endpoint);
        try (CloudWatchClient cw = b.build()) {
            Instant now = Instant.now();
            return cw.getMetricStatistics(r -> r.namespace("AWS/RDS").metricName("ReplicaLag")
                            .dimensions(Dimension.builder().name("DBInstanceIdentifier").value(instance).build())
                            .startTime(now.minus(Duration.ofMinutes(10))).endTime(now).period(60).statistics(Statistic.AVERAGE))
                    .datapoints().stream().max(Comparator.comparing(Datapoint::timestamp)).map(Datapoint::average).orElse(null);
        } catch (SdkException e) {
            return null;
        }
    }
}
