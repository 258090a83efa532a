import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aws.Deployment;
import aws.Rds;
import common.Json;
import common.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Region;

/**
 * The AWS deployment through the real AWS SDK over HTTP: CloudFormation and Secrets Manager
 * answered by a local fake (FakeAws), RDS by the local region's own API, so that the instance
 * maz2 describes really is Multi-AZ and the password the agent reads really opens it.
 */
class AwsDeployTest {
    Kit kit;
    FakeAws aws;

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.run("maz3", "stop");
            kit.purge();
        }
        if (aws != null) aws.close();
    }

    @Test
    void maz1AndMaz2DeployTheStacksTheAgentReadsItsPasswordAndTeardownLeavesNothing(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        aws = new FakeAws(Kit.password(home));
        Region.State lab = kit.state();
        aws.outputs.put("InstanceId", Region.INSTANCE_ID);
        aws.outputs.put("Endpoint", "127.0.0.1");
        aws.outputs.put("Port", Integer.toString(lab.endpointPort()));
        aws.outputs.put("SecretArn", "arn:aws:secretsmanager:local:000000000000:secret:db007");
        Map<String, String> env = new HashMap<>(aws.env());
        // The local region speaks plain TCP; RDS would be reached with TLS and its certificate checked.
        env.put("DB007_DB_TLS", "disable");
        String rdsApi = "http://127.0.0.1:" + lab.apiPort();

        Kit.Result vpc = kit.run(env, "maz1", "--target", "aws", "--region", "local", "--student", "alice", "--allowed-cidr", "203.0.113.7/32");
        assertEquals(0, vpc.exit(), vpc.all());
        assertTrue(vpc.out().contains("Creating stack db007-alice-vpc"), vpc.out());
        assertTrue(vpc.out().contains("CREATE_COMPLETE"), "the stack's events are shown: " + vpc.out());
        assertTrue(vpc.out().contains("subnet 1 in local-1a, subnet 2 in local-1b"), vpc.out());
        assertTrue(vpc.out().contains("teardown --target aws") && vpc.out().contains("USD an hour"), "every deploy says how to tear down and what it costs: " + vpc.out());
        FakeAws.Stack made = aws.stacks.get("db007-alice-vpc");
        assertEquals(FakeAws.template("vpc-public.yaml"), made.template);
        assertEquals(Map.of("Student", "alice"), made.parameters);
        String endOfDay = java.time.LocalDate.now(java.time.ZoneOffset.UTC).atTime(23, 59, 59).toInstant(java.time.ZoneOffset.UTC).toString();
        assertEquals(Map.of("Workshop", "db007-maz", "Student", "alice", "Expires", endOfDay, "Owner", "arn:aws:iam::000000000000:user/test"), made.tags,
                "the Owner tag names the identity that made it, Expires when a class's clean-up may take it");

        Kit.Result db = kit.run(env, "maz2", "--target", "aws", "--region", "local", "--rds-endpoint-url", rdsApi);
        assertEquals(0, db.exit(), db.all());
        FakeAws.Stack database = aws.stacks.get("db007-alice-db");
        assertEquals(FakeAws.template("database.yaml"), database.template);
        assertEquals(Map.of("Student", "alice", "VpcStack", "db007-alice-vpc", "Engine", "postgres", "AllowedCidr", "203.0.113.7/32",
                "PubliclyAccessible", "true"), database.parameters);
        assertTrue(db.out().contains("primary in az1, standby in az2, MultiAZ: true"), db.out());
        assertTrue(db.out().contains("USD an hour"), "every deploy says what it costs: " + db.out());
        Deployment d = Json.read(home.resolve("aws/deployment.json"), Deployment.class);
        assertEquals("arn:aws:secretsmanager:local:000000000000:secret:db007", d.secretArn());
        assertFalse(Files.readString(home.resolve("aws/deployment.json")).contains(Kit.password(home)), "no password on disk");

        // Deploying again changes nothing, and says so.
        Kit.Result again = kit.run(env, "maz1", "--target", "aws", "--region", "local");
        assertEquals(0, again.exit(), again.all());
        assertTrue(again.out().contains("already as asked"), again.out());

        // Steps 3 and 4 with the instance maz2 recorded, and the password from Secrets Manager alone.
        String[] onAws = {"--target", "aws", "--region", "local", "--rds-endpoint-url", rdsApi};
        Kit.Result agent = kit.run(env, "maz3", concat(onAws, "--background"));
        assertEquals(0, agent.exit(), agent.all());
        Kit.agentHasWritten(home.resolve("evidence/maz"), 20);
        Kit.Result recon = kit.run(env, "maz4", onAws);
        assertEquals(0, recon.exit(), recon.all());
        assertTrue(aws.calls.stream().anyMatch(c -> c.startsWith("secretsmanager.GetSecretValue") && c.contains("secret:db007")), aws.calls.toString());
        kit.ok("maz3", "stop");

        Kit.Result down = kit.run(env, "teardown", "--target", "aws", "--region", "local");
        assertEquals(0, down.exit(), down.all());
        assertTrue(down.out().contains("Nothing billable is left"), down.out());
        assertTrue(aws.stacks.isEmpty(), "both stacks deleted");
        int dbDeleted = aws.calls.indexOf("DeleteStack db007-alice-db");
        int vpcDeleted = aws.calls.indexOf("DeleteStack db007-alice-vpc");
        assertTrue(dbDeleted >= 0 && dbDeleted < vpcDeleted, "the database goes before the VPC it sits in: " + aws.calls);
        assertTrue(aws.calls.contains("DescribeDBSnapshots db007"), "RDS itself is asked what is left");
    }

    /**
     * A class shares one account and CloudShell calls everyone cloudshell-user: the name comes from
     * each caller's AWS identity, and a stack another identity made is refused to anyone else,
     * whatever --student says, for a deploy as for a teardown.
     */
    @Test
    void twoIdentitiesGetTwoNamesAndNeitherMayTouchTheOthersStacks(@TempDir Path dir) throws Exception {
        aws = new FakeAws("unused");
        String[] vpc = {"--target", "aws", "--region", "local", "--allowed-cidr", "203.0.113.7/32"};
        Map<String, String> alice = new HashMap<>(aws.env());
        alice.put("AWS_ACCESS_KEY_ID", "Alice");
        Map<String, String> bob = new HashMap<>(aws.env());
        bob.put("AWS_ACCESS_KEY_ID", "Students:bob@school.fr");
        Kit aliceKit = new Kit(Files.createDirectories(dir.resolve("alice")));
        Kit bobKit = new Kit(Files.createDirectories(dir.resolve("bob")));
        Kit.Result a = aliceKit.run(alice, "maz1", vpc);
        assertEquals(0, a.exit(), a.all());
        Kit.Result b = bobKit.run(bob, "maz1", vpc);
        assertEquals(0, b.exit(), b.all());
        assertTrue(aws.stacks.containsKey("db007-alice-vpc") && aws.stacks.containsKey("db007-bob-school-fr-vpc"), aws.stacks.keySet().toString());
        assertEquals("arn:aws:iam::000000000000:user/Alice", aws.stacks.get("db007-alice-vpc").tags.get("Owner"));
        assertEquals("alice", aws.stacks.get("db007-alice-vpc").tags.get("Student"));

        int calls = aws.calls.size();
        Kit.Result taken = new Kit(Files.createDirectories(dir.resolve("bob2"))).run(bob, "maz1", concat(vpc, "--student", "alice"));
        assertEquals(1, taken.exit(), taken.all());
        assertTrue(taken.err().contains("db007-alice-vpc belongs to another AWS identity (arn:aws:iam::000000000000:user/Alice)"), taken.err());
        Kit.Result down = new Kit(Files.createDirectories(dir.resolve("bob3"))).run(bob, "teardown", "--target", "aws", "--region", "local", "--student", "alice");
        assertTrue(down.exit() != 0 && down.err().contains("belongs to another AWS identity"), down.all());
        assertTrue(aws.calls.subList(calls, aws.calls.size()).stream().noneMatch(c -> c.startsWith("UpdateStack") || c.startsWith("DeleteStack")),
                "nothing of alice's was changed: " + aws.calls);
    }

    @Test
    void aRegionWithOneAzAStackInRollbackAndMissingCredentialsEachSayWhatToDo(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        aws = new FakeAws("unused");
        String[] args = {"--target", "aws", "--region", "local", "--student", "oneaz", "--allowed-cidr", "203.0.113.7/32"};
        Kit.Result oneAz = kit.run(aws.env(), "maz1", args);
        assertEquals(1, oneAz.exit(), oneAz.all());
        assertTrue(oneAz.err().contains("needs two Availability Zones"), oneAz.err());
        Kit.Result rolledBack = kit.run(aws.env(), "maz1", args);
        assertEquals(1, rolledBack.exit(), rolledBack.all());
        assertTrue(rolledBack.err().contains("ROLLBACK_COMPLETE") && rolledBack.err().contains("teardown --target aws"), rolledBack.err());

        Map<String, String> noCredentials = new HashMap<>(aws.env());
        noCredentials.put("AWS_ACCESS_KEY_ID", "");
        noCredentials.put("AWS_SECRET_ACCESS_KEY", "");
        noCredentials.put("AWS_SHARED_CREDENTIALS_FILE", home.resolve("none").toString());
        noCredentials.put("AWS_CONFIG_FILE", home.resolve("none").toString());
        Kit.Result none = kit.run(noCredentials, "maz1", "--target", "aws", "--region", "local", "--student", "bob", "--allowed-cidr", "203.0.113.7/32");
        assertEquals(2, none.exit(), none.all());
        assertTrue(none.err().contains("no usable AWS credentials"), none.err());
        assertFalse(none.err().contains("Exception"), "no stack trace without --verbose: " + none.err());

        Kit.Result open = kit.run(aws.env(), "maz1", "--target", "aws", "--region", "local", "--allowed-cidr", "0.0.0.0/0");
        assertEquals(2, open.exit(), open.all());
        assertTrue(open.err().contains("whole Internet"), open.err());
    }

    @Test
    void aFailoverIsNotAskedOfAnInstanceThatIsNotMultiAz() throws Exception {
        aws = new FakeAws("unused");
        Rds.Options o = new Rds.Options();
        o.target = "aws";
        o.region = "local";
        o.instance = "single";
        o.endpointUrl = java.net.URI.create(aws.url());
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        try (Rds api = Rds.open(o)) {
            Problem p = assertThrows(Problem.class, api::rebootWithFailover);
            assertTrue(p.getMessage().contains("single is not Multi-AZ"), p.getMessage());
            assertTrue(aws.calls.stream().noneMatch(c -> c.startsWith("RebootDBInstance")), "nothing rebooted: " + aws.calls);
        } finally {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
        }
    }

    /**
     * A CloudShell session that ends while maz2 waits (15 to 30 minutes on AWS) leaves its stack
     * CREATE_IN_PROGRESS: maz2 run again follows that stack to its end instead of refusing it or
     * asking for a second one.
     */
    @Test
    void maz2RunAgainWhileItsStackIsStillBeingCreatedFollowsItToItsEnd(@TempDir Path dir) throws Exception {
        aws = new FakeAws("unused");
        Kit kit = new Kit(dir);
        Map<String, String> alice = new HashMap<>(aws.env());
        alice.put("AWS_ACCESS_KEY_ID", "alice");
        Kit.Result vpc = kit.run(alice, "maz1", "--target", "aws", "--region", "local", "--allowed-cidr", "203.0.113.7/32");
        assertEquals(0, vpc.exit(), vpc.all());
        // What the first maz2 left when its session ended: its stack, asked for and still being created.
        FakeAws.Stack left = new FakeAws.Stack("db007-alice-db");
        left.status = "CREATE_IN_PROGRESS";
        left.template = FakeAws.template("database.yaml");
        left.parameters = Map.of("Student", "alice", "VpcStack", "db007-alice-vpc", "Engine", "postgres", "AllowedCidr", "203.0.113.7/32", "PubliclyAccessible", "true");
        String expires = Json.read(dir.resolve("aws/deployment.json"), Deployment.class).expires();
        left.tags = Map.of("Workshop", "db007-maz", "Student", "alice", "Expires", expires, "Owner", "arn:aws:iam::000000000000:user/alice");
        aws.stacks.put(left.name, left);

        Kit.Result again = kit.run(alice, "maz2", "--target", "aws", "--region", "local");
        assertTrue(again.out().contains("The stack db007-alice-db is already changing (CREATE_IN_PROGRESS)"), again.all());
        assertEquals("CREATE_COMPLETE", aws.stacks.get("db007-alice-db").status);
        assertTrue(aws.calls.stream().noneMatch(c -> c.equals("CreateStack db007-alice-db")), "no second stack asked for: " + aws.calls);
        assertEquals("db007-alice", Json.read(dir.resolve("aws/deployment.json"), Deployment.class).instance(), "the deployment is recorded as after an uncut run");
        assertTrue(again.out().contains("primary in local-1a, standby in local-1b"), again.out());
    }

    private static String[] concat(String[] a, String... more) {
        String[] r = java.util.Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, r, a.length, more.length);
        return r;
    }
}
