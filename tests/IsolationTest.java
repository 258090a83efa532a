import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.Backups;
import recovery.LocalSite;
import region.Region;
import region.ServerAccount;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.rds.RdsClient;

/**
 * A machine shared by a class: the lab is started by one account, and a second, unprivileged
 * one (nobody) tries everything it can reach on 127.0.0.1. Each attempt is refused and changes
 * nothing, while the owner's own calls go through. Runs as root, which CI is, since only root
 * can act as another account here.
 */
class IsolationTest {
    @Test
    void anotherAccountCanNeitherDriveTheRegionNorWriteIntoTheAppWhileTheOwnerCan(@TempDir Path home) throws Exception {
        assumeTrue(ServerAccount.currentUid() == 0, "acting as a second account needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")) && Files.isExecutable(Path.of("/usr/bin/curl")), "setpriv and curl are needed");
        Kit kit = new Kit(home);
        LocalSite site = new LocalSite(home.resolve("pra"));
        try {
            kit.ok("lab", "up");
            Region.State state = kit.state();
            String api = "http://127.0.0.1:" + state.apiPort() + "/?Version=2014-10-31&DBInstanceIdentifier=db007&Action=";
            for (String action : List.of("DescribeDBInstances", "RebootDBInstance&ForceFailover=true", "DescribeEvents")) {
                Curl r = curlAsNobody(api + action);
                assertEquals(403, r.status(), action + ": " + r.body());
                assertTrue(r.body().contains("<Code>AccessDenied</Code>"), r.body());
            }
            assertEquals(403, curlAsNobody("http://127.0.0.1:" + state.apiPort() + "/db007/status").status());
            Thread.sleep(500);
            Region.Status s = kit.status();
            assertEquals("az1", s.primaryAz(), "no failover happened");
            assertTrue(s.events().stream().noneMatch(e -> e.type() == Region.EventType.FAILOVER_STARTED), s.events().toString());
            assertTrue(Files.readString(Kit.lab(home).resolve("control-plane.log")).contains("refused GET / from uid 65534"), "the attempt is in the log");

            // The writer endpoint asks for the master password, as it always did.
            Properties p = new Properties();
            p.setProperty("user", Region.MASTER_USER);
            p.setProperty("password", "guess");
            SQLException refused = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + state.endpointPort() + "/postgres", p).close());
            assertEquals("28P01", refused.getSQLState(), refused.getMessage());

            // The owner still drives the region through the SDK, as the steps do.
            try (RdsClient rds = RdsClient.builder().endpointOverride(URI.create("http://127.0.0.1:" + state.apiPort()))
                    .region(software.amazon.awssdk.regions.Region.of("local")).httpClient(UrlConnectionHttpClient.create())
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("any", "any"))).build()) {
                assertEquals("az1", rds.describeDBInstances().dbInstances().get(0).availabilityZone());
            }

            // The PRA app: the owner adds and reads, the other account does neither.
            kit.ok("pra_deploy", "--backup-every", "3600", "--no-traffic");
            assertEquals(200, site.get("/add?message=mine").status());
            Backups.Point backup = Backups.take(site.data(), site.backups());
            String app = site.url("");
            for (String path : List.of("/add?message=intruder", "/backup", "/backup?file=" + backup.file(), "/consultation")) {
                Curl r = curlAsNobody(app + path);
                assertEquals(403, r.status(), path + ": " + r.body());
            }
            assertEquals(1, site.count(), "the other account wrote nothing");
            assertTrue(site.get("/consultation").body().contains("mine"));
            assertFalse(site.get("/consultation").body().contains("intruder"));
            assertTrue(Files.readString(site.appLog()).contains("REFUSED /add from uid 65534"), "the app says whom it refused");
        } finally {
            site.down(true);
            kit.purge();
        }
    }

    record Curl(int status, String body) {}

    /** curl run as nobody (uid 65534): the other student. */
    private static Curl curlAsNobody(String url) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                "curl", "-q", "-s", "-w", "\n%{http_code}", url));
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(proc.waitFor(30, TimeUnit.SECONDS));
        int nl = out.lastIndexOf('\n');
        return new Curl(Integer.parseInt(out.substring(nl + 1).trim()), out.substring(0, Math.max(0, nl)));
    }
}
