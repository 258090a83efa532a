import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.rds.RdsClient;
import software.amazon.awssdk.services.rds.model.DBInstance;
import software.amazon.awssdk.services.rds.model.DbInstanceNotFoundException;
import software.amazon.awssdk.services.rds.model.Event;
import software.amazon.awssdk.services.rds.model.SourceType;

/** The real AWS SDK for Java v2, over HTTP, against the local region's control plane. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RdsApiTest {
    Kit kit;
    RdsClient rds;

    @BeforeAll
    void up(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        rds = RdsClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + kit.state().apiPort()))
                .region(Region.of("local"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    @AfterAll
    void purge() {
        if (rds != null) rds.close();
        kit.purge();
    }

    @Test
    void describeRebootWithFailoverAndEventsWorkAsOnRds() throws Exception {
        DBInstance before = describe();
        assertEquals("available", before.dbInstanceStatus());
        assertTrue(before.multiAZ());
        assertEquals("az1", before.availabilityZone());
        assertEquals("az2", before.secondaryAvailabilityZone());
        assertEquals("127.0.0.1", before.endpoint().address());
        assertEquals(kit.state().endpointPort(), before.endpoint().port());

        Instant asked = Instant.now();
        DBInstance rebooting = rds.rebootDBInstance(b -> b.dbInstanceIdentifier(region.Region.INSTANCE_ID).forceFailover(true)).dbInstance();
        assertEquals("rebooting", rebooting.dbInstanceStatus());

        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        DBInstance after = describe();
        while (!("az2".equals(after.availabilityZone()) && "az1".equals(after.secondaryAvailabilityZone()) && kit.status().healthy())
                && Instant.now().isBefore(deadline)) {
            Thread.sleep(100);
            after = describe();
        }
        assertEquals("available", after.dbInstanceStatus());
        assertEquals("az2", after.availabilityZone());
        assertEquals("az1", after.secondaryAvailabilityZone());

        List<Event> events = rds.describeEvents(b -> b.sourceType(SourceType.DB_INSTANCE).sourceIdentifier(region.Region.INSTANCE_ID)
                .startTime(asked.minusSeconds(1))).events();
        assertTrue(events.stream().anyMatch(e -> e.message().equals("Multi-AZ instance failover started.") && e.eventCategories().contains("failover")), events.toString());
        assertTrue(events.stream().anyMatch(e -> e.message().startsWith("Multi-AZ instance failover completed")), events.toString());
        assertTrue(events.stream().allMatch(e -> !e.date().isBefore(asked.minusSeconds(1))), "StartTime filters the events");
    }

    @Test
    void anUnknownInstanceIsReportedAsRdsReportsIt() {
        assertThrows(DbInstanceNotFoundException.class, () -> rds.describeDBInstances(b -> b.dbInstanceIdentifier("nope")));
    }

    private DBInstance describe() {
        return rds.describeDBInstances(b -> b.dbInstanceIdentifier(region.Region.INSTANCE_ID)).dbInstances().get(0);
    }
}
