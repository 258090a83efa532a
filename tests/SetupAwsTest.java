import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "setup --target aws" against FakeAws, through the SDK and the SDK's signer: a class that fits
 * the account passes, one that does not is refused with the quota named and what to do, the
 * permissions come from IAM's simulation, and nothing is created along the way.
 */
class SetupAwsTest {
    FakeAws aws;

    @AfterEach
    void stop() {
        if (aws != null) aws.close();
    }

    private Map<String, Map<?, ?>> checks(Path home, String... args) {
        Kit.Result r = new Kit(home).run(new HashMap<>(aws.env()), "setup", concat(args, "--target", "aws", "--region", "local", "--no-build", "--json"));
        Map<?, ?> o = Json.read(r.out(), Map.class);
        return ((List<?>) o.get("checks")).stream().map(c -> (Map<?, ?>) c).collect(Collectors.toMap(c -> (String) c.get("check"), c -> c));
    }

    @Test
    void aClassThatFitsPassesAndOneThatDoesNotIsRefusedWithTheQuotaNamed(@TempDir Path home) throws Exception {
        aws = new FakeAws("unused");
        Map<String, Map<?, ?>> fits = checks(home, "--students", "10", "--class", "spring");
        assertTrue(fits.values().stream().allMatch(c -> Boolean.TRUE.equals(c.get("ready"))), fits.toString());
        assertTrue(fits.get("quota.vpcs").get("detail").toString().startsWith("1 used of 5 (the documented default"), fits.get("quota.vpcs").toString());
        assertTrue(fits.get("quota.instances").get("detail").toString().contains("2 used of 40 (RDS's account attributes); 10 student(s) need 20 more: fits"),
                fits.get("quota.instances").toString());
        assertTrue(fits.get("azs").get("detail").toString().contains("local-1a, local-1b, local-1c"));
        assertTrue(fits.get("permissions").get("detail").toString().contains("allowed to this identity"));
        assertTrue(fits.get("cost").get("detail").toString().contains("for 10 students, about 0.40 USD an hour"), fits.get("cost").toString());

        // Thirty students each with a VPC of their own: five VPCs are the Region's default, and 60 instances are more than 38 left.
        Kit.Result refused = new Kit(home).run(new HashMap<>(aws.env()), "setup", "--target", "aws", "--region", "local", "--no-build", "--students", "30");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.out().contains("1 used of 5 (the documented default: Service Quotas did not answer); 30 student(s) need 30 more: does NOT fit. Use one VPC for the class"),
                refused.out());
        assertTrue(refused.out().contains("2 used of 40 (RDS's account attributes); 30 student(s) need 60 more: does NOT fit"), refused.out());
        assertTrue(refused.out().contains("Not ready: fix the lines marked NO"), refused.out());

        // Service Quotas' own value, where it answers: a raised quota makes room.
        aws.vpcQuota = 40.0;
        aws.instancesMax = 100;
        Map<String, Map<?, ?>> raised = checks(home, "--students", "30");
        assertEquals(true, raised.get("quota.vpcs").get("ready"), raised.get("quota.vpcs").toString());
        assertTrue(raised.get("quota.vpcs").get("detail").toString().contains("(Service Quotas)"));
        assertTrue(aws.calls.stream().noneMatch(c -> c.startsWith("Create") || c.startsWith("Delete")), "nothing created: " + aws.calls);
    }

    @Test
    void missingPermissionsAndASingleZoneAreSaid(@TempDir Path home) throws Exception {
        aws = new FakeAws("unused");
        aws.denied = Set.of("rds:RebootDBInstance", "cloudformation:CreateStack");
        aws.zones = List.of("local-1a");
        Map<String, Map<?, ?>> c = checks(home);
        assertEquals(false, c.get("permissions").get("ready"));
        assertTrue(c.get("permissions").get("detail").toString().contains("not allowed to this identity: cloudformation:CreateStack, rds:RebootDBInstance"), c.toString());
        assertEquals(false, c.get("azs").get("ready"));
        assertTrue(c.get("azs").get("detail").toString().contains("only 1 AZ(s)"));
        aws.denied = null;
        assertTrue(checks(home).get("permissions").get("detail").toString().startsWith("not checked"), "a caller that may not simulate is told so");
        assertFalse(aws.calls.isEmpty());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
