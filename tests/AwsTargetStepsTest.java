import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Region;

/**
 * Steps 3 to 9 with --target aws, through the real AWS SDK's default chains (credentials and
 * password from the environment), against an RDS API given on the command line: the local
 * region's, so that the forced failover really happens.
 */
class AwsTargetStepsTest {
    Kit kit;

    @AfterEach
    void purge() {
        kit.run("maz3", "stop");
        kit.purge();
    }

    @Test
    @SuppressWarnings("unchecked")
    void stepsThreeToNineRunAgainstAnyRdsEndpoint(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("maz1");
        kit.ok("maz2");
        // The local region speaks plain TCP, so the certificate check RDS gets is off here.
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "test", "AWS_SECRET_ACCESS_KEY", "test",
                "DB007_DB_PASSWORD", Kit.password(home), "DB007_DB_TLS", "disable");
        String[] aws = {"--target", "aws", "--region", "local", "--instance", Region.INSTANCE_ID, "--rds-endpoint-url", "http://127.0.0.1:" + kit.state().apiPort()};
        for (String step : new String[] {"maz3", "maz4", "maz5", "maz6", "maz7", "maz8", "maz9"}) {
            String[] args = step.equals("maz3") ? concat(aws, "--background") : step.equals("maz6") ? new String[0] : aws;
            Kit.Result r = kit.run(env, step, args);
            assertEquals(0, r.exit(), step + "\n" + r.all());
            // On AWS the unprotected window comes from RDS's events (RDS-EVENT-0053), which the region's RDS API emits as RDS does.
            if (step.equals("maz9")) assertTrue(r.out().contains("by RDS's own events, writes were unprotected for"), r.out());
            if (step.equals("maz3")) Kit.agentHasWritten(home.resolve("evidence/maz"), 20);
        }
        Map<?, ?> proof = Json.read(home.resolve("evidence/maz/proof.json"), Map.class);
        assertEquals("pass", proof.get("verdict"));
        Map<?, ?> order = Json.read(home.resolve("evidence/maz/steps/maz9.json"), Map.class);
        assertEquals("az2", ((Map<?, ?>) order.get("observed")).get("primary_az"));
        assertTrue(((Number) ((Map<?, ?>) order.get("observed")).get("unprotected_ms")).longValue() > 0, order.toString());
        assertTrue(((Number) proof.get("acknowledged_writes")).longValue() > 0);

        // The instructor grades with read access to the account: RDS's own history of the failover beside the bundle's.
        Path zip = home.resolve("alice.zip");
        kit.ok("bundle", "--student", "alice", "--out", zip.toString());
        Path bundle = grading.BundleReader.unpack(zip, home.resolve("unpacked"), grading.BundleReader.Limits.CLASS);
        String[] asking = {"--target", "aws", "--region", "local", "--rds-endpoint-url", aws[aws.length - 1], "--csv", home.resolve("g.csv").toString(),
                "--junit", home.resolve("g.xml").toString()};
        Kit.Result honest = kit.run(env, "grade", concat(new String[] {bundle.toString()}, asking));
        assertFalse(honest.out().contains("RDS"), "an honest bundle agrees with RDS's history: " + honest.out());

        // A self-consistent edit (the failover made to look shorter, the manifest re-hashed) does not agree with RDS's.
        Path events = bundle.resolve("maz/events.json");
        List<Map<String, Object>> edited = new ArrayList<>();
        for (Object o : Json.read(events, List.class)) {
            Map<String, Object> e = new LinkedHashMap<>((Map<String, Object>) o);
            if (String.valueOf(e.get("message")).startsWith("Multi-AZ instance failover completed")) {
                e.put("time", Instant.parse((String) e.get("time")).minusSeconds(5).toString());
            }
            edited.add(e);
        }
        Files.writeString(events, Json.write(edited));
        Kit.rehash(bundle);
        Kit.Result forged = kit.run(env, "grade", concat(new String[] {bundle.toString()}, asking));
        assertTrue(forged.out().contains("is not in RDS's history of " + Region.INSTANCE_ID), forged.out());
        assertTrue(forged.out().contains("the bundle does not show it"), "and RDS's own record of it is named: " + forged.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
