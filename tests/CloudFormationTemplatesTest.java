import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The CloudFormation templates, read as data and checked for what the mission relies on and
 * what a class must never get by default. (Intrinsics are written in their long form, Fn::…,
 * so that any YAML reader, and this test, can read them.)
 */
class CloudFormationTemplatesTest {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> template(String name) throws Exception {
        try (Reader r = Files.newBufferedReader(Path.of("cloudformation", name))) {
            return (Map<String, Object>) new Yaml().load(r);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> resources(Map<String, Object> t, String type) {
        Map<String, Map<String, Object>> found = new java.util.LinkedHashMap<>();
        ((Map<String, Object>) t.get("Resources")).forEach((k, v) -> {
            Map<String, Object> r = (Map<String, Object>) v;
            if (type.equals(r.get("Type"))) found.put(k, (Map<String, Object>) r.get("Properties"));
        });
        return found;
    }

    @Test
    void bothVpcsSpreadTheirDatabaseSubnetsOverTwoDistinctAzs() throws Exception {
        for (String name : List.of("vpc-public.yaml", "vpc-private.yaml")) {
            Map<String, Map<String, Object>> subnets = resources(template(name), "AWS::EC2::Subnet");
            assertEquals(2, subnets.size(), name);
            List<Object> azs = subnets.values().stream().map(p -> p.get("AvailabilityZone")).toList();
            assertNotEquals(azs.get(0), azs.get(1), name + ": two different AZs");
            for (Object az : azs) {
                List<?> select = (List<?>) ((Map<?, ?>) az).get("Fn::Select");
                assertEquals(Map.of("Fn::GetAZs", ""), select.get(1), name + ": AZs chosen with Fn::GetAZs, not hard-coded");
            }
            for (Map<String, Object> p : subnets.values()) assertTags(p, name);
        }
    }

    @Test
    void thePrivateVariantHasNoRouteToTheInternet() throws Exception {
        Map<String, Object> t = template("vpc-private.yaml");
        assertTrue(resources(t, "AWS::EC2::InternetGateway").isEmpty());
        assertTrue(resources(t, "AWS::EC2::Route").isEmpty());
        resources(t, "AWS::EC2::Subnet").values().forEach(p -> assertEquals(false, p.get("MapPublicIpOnLaunch")));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theDatabaseIsMultiAzEncryptedWithAManagedPasswordAndNoOpenDefault() throws Exception {
        Map<String, Object> t = template("database.yaml");
        Map<String, Object> db = resources(t, "AWS::RDS::DBInstance").values().iterator().next();
        assertEquals(true, db.get("MultiAZ"));
        assertEquals(true, db.get("StorageEncrypted"));
        assertEquals(true, db.get("ManageMasterUserPassword"));
        assertFalse(db.containsKey("MasterUserPassword"), "no password in the template");
        assertTags(db, "database.yaml");

        Map<String, Object> params = (Map<String, Object>) t.get("Parameters");
        Map<String, Object> cidr = (Map<String, Object>) params.get("AllowedCidr");
        assertFalse(cidr.containsKey("Default"), "the student must say who may connect: no default range");
        assertEquals(List.of("postgres", "mysql"), ((Map<String, Object>) params.get("Engine")).get("AllowedValues"));
        assertEquals("postgres", ((Map<String, Object>) params.get("Engine")).get("Default"));

        String text = Files.readString(Path.of("cloudformation", "database.yaml"));
        assertFalse(text.contains("0.0.0.0/0"), "nothing opens the database to the whole Internet");
        Map<String, Object> sg = resources(t, "AWS::EC2::SecurityGroup").values().iterator().next();
        Map<String, Object> ingress = ((List<Map<String, Object>>) sg.get("SecurityGroupIngress")).get(0);
        assertEquals(Map.of("Ref", "AllowedCidr"), ingress.get("CidrIp"));

        Map<String, Object> pg = resources(t, "AWS::RDS::DBParameterGroup").values().iterator().next();
        String tls = pg.get("Parameters").toString();
        assertTrue(tls.contains("rds.force_ssl=1") && tls.contains("require_secure_transport=ON"), "TLS required on both engines: " + tls);
        assertNotNull(((Map<String, Object>) t.get("Outputs")).get("SecretArn"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aPrivateDeploymentIsNotPubliclyAccessible() throws Exception {
        Map<String, Object> t = template("database.yaml");
        Map<String, Object> db = resources(t, "AWS::RDS::DBInstance").values().iterator().next();
        assertEquals(Map.of("Ref", "PubliclyAccessible"), db.get("PubliclyAccessible"));
        Map<String, Object> p = (Map<String, Object>) ((Map<String, Object>) t.get("Parameters")).get("PubliclyAccessible");
        assertTrue(((List<?>) p.get("AllowedValues")).contains("false"), "the private variant can say false");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theReplicasNetworkInTheOtherRegionOpensItsPortToTheStudentOnly() throws Exception {
        Map<String, Object> t = template("replica-network.yaml");
        Map<String, Object> params = (Map<String, Object>) t.get("Parameters");
        assertFalse(((Map<String, Object>) params.get("AllowedCidr")).containsKey("Default"), "no default range in the other Region either");
        assertFalse(Files.readString(Path.of("cloudformation", "replica-network.yaml")).contains("0.0.0.0/0"));
        Map<String, Object> sg = resources(t, "AWS::EC2::SecurityGroup").values().iterator().next();
        Map<String, Object> ingress = ((List<Map<String, Object>>) sg.get("SecurityGroupIngress")).get(0);
        assertEquals(Map.of("Ref", "AllowedCidr"), ingress.get("CidrIp"));
        assertTrue(resources(t, "AWS::RDS::DBInstance").isEmpty(), "the replica is made through the RDS API, timed, not by the template");
        for (Map<String, Object> r : resources(t, "AWS::RDS::DBSubnetGroup").values()) assertTags(r, "replica-network.yaml");
        assertTags(sg, "replica-network.yaml");
        assertTrue(((Map<String, Object>) t.get("Outputs")).keySet().containsAll(List.of("SubnetGroup", "SecurityGroup")));
    }

    /** What CloudFormation needs, for each kind of resource the kit's templates make, to create it. */
    private static final Map<String, String> CREATES = Map.ofEntries(
            Map.entry("AWS::EC2::VPC", "ec2:CreateVpc"), Map.entry("AWS::EC2::InternetGateway", "ec2:CreateInternetGateway"),
            Map.entry("AWS::EC2::VPCGatewayAttachment", "ec2:AttachInternetGateway"), Map.entry("AWS::EC2::Subnet", "ec2:CreateSubnet"),
            Map.entry("AWS::EC2::RouteTable", "ec2:CreateRouteTable"), Map.entry("AWS::EC2::Route", "ec2:CreateRoute"),
            Map.entry("AWS::EC2::SubnetRouteTableAssociation", "ec2:AssociateRouteTable"), Map.entry("AWS::EC2::SecurityGroup", "ec2:CreateSecurityGroup"),
            Map.entry("AWS::RDS::DBSubnetGroup", "rds:CreateDBSubnetGroup"), Map.entry("AWS::RDS::DBParameterGroup", "rds:CreateDBParameterGroup"),
            Map.entry("AWS::RDS::DBInstance", "rds:CreateDBInstance"));

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Map<String, Object> policyProperties) {
        Map<String, Object> doc = (Map<String, Object>) (policyProperties.containsKey("PolicyDocument") ? policyProperties.get("PolicyDocument") : policyProperties);
        return (List<Map<String, Object>>) doc.get("Statement");
    }

    private static List<String> actions(Map<String, Object> statement) {
        Object a = statement.get("Action");
        return a instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(a));
    }

    /** An IAM action pattern ("rds:Describe*") that covers this action. */
    private static boolean covers(List<String> patterns, String action) {
        return patterns.stream().anyMatch(p -> action.equalsIgnoreCase(p) || p.endsWith("*") && action.toLowerCase().startsWith(p.substring(0, p.length() - 1).toLowerCase()));
    }

    /**
     * The students' policy allows every call the kit makes for them (found in its source, SDK call
     * by SDK call), and every change it allows names the student's own resources: no mutating
     * action on "*". The stacks' role can create every kind of resource the templates make, and
     * nothing in the templates is of a kind this test does not know.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theClassAccessLetsStudentsDoWhatTheKitCallsOnTheirOwnResourcesOnly() throws Exception {
        Map<String, Object> t = template("class-access.yaml");
        List<Map<String, Object>> student = statements(resources(t, "AWS::IAM::ManagedPolicy").values().iterator().next());
        List<String> allowed = student.stream().flatMap(s -> actions(s).stream()).toList();
        Map<String, String> services = Map.of("scripts/aws/Rds.java", "rds", "scripts/aws/Stacks.java", "cloudformation",
                "scripts/aws/MasterLogin.java", "secretsmanager", "scripts/aws/ReplicaLag.java", "cloudwatch");
        java.util.regex.Pattern call = java.util.regex.Pattern.compile("\\b(?:client|sm|cw)\\.([a-z][A-Za-z]+)\\(");
        int found = 0;
        for (Map.Entry<String, String> f : services.entrySet()) {
            java.util.regex.Matcher m = call.matcher(Files.readString(Path.of(f.getKey())));
            while (m.find()) {
                String method = m.group(1).replace("Paginator", "");
                if (method.equals("close") || method.equals("waiter")) continue;
                String action = f.getValue() + ":" + Character.toUpperCase(method.charAt(0)) + method.substring(1);
                found++;
                assertTrue(covers(allowed, action), action + " is called by " + f.getKey() + " and not allowed to students");
            }
        }
        assertTrue(found >= 15, "the kit's calls were found: " + found);
        for (String a : aws.Preflight.actions(true).keySet()) assertTrue(covers(allowed, a), "setup --target aws checks " + a + ", which the class's students may not do");
        for (Map<String, Object> s : student) {
            boolean looks = actions(s).stream().allMatch(a -> a.matches("[a-z0-9]+:(Describe|List|Get|Validate|Simulate)\\w*"));
            if (!looks) assertFalse(s.get("Resource").equals("*"), "a change on every resource: " + s);
        }
        String text = Files.readString(Path.of("cloudformation", "class-access.yaml"));
        Map<String, Object> create = student.stream().filter(s -> actions(s).equals(List.of("cloudformation:CreateStack"))).findFirst().orElseThrow();
        Map<String, Object> equals = (Map<String, Object>) ((Map<String, Object>) create.get("Condition")).get("StringEquals");
        assertEquals("${aws:username}", equals.get("aws:RequestTag/Student"), "a student creates stacks in their own name only");
        assertEquals(Map.of("Ref", "ClassName"), equals.get("aws:RequestTag/Class"));
        assertTrue(text.contains("stack/db007-${!aws:username}-*/*"), "and named after them");

        Map<String, Object> role = resources(t, "AWS::IAM::Role").values().iterator().next();
        List<String> roleActions = ((List<Map<String, Object>>) role.get("Policies")).stream()
                .flatMap(p -> statements(p).stream()).flatMap(s -> actions(s).stream()).toList();
        for (String file : List.of("vpc-public.yaml", "vpc-private.yaml", "database.yaml", "replica-network.yaml")) {
            for (Object r : ((Map<String, Object>) template(file).get("Resources")).values()) {
                String type = String.valueOf(((Map<String, Object>) r).get("Type"));
                assertTrue(CREATES.containsKey(type), file + " makes a " + type + ", which this test does not know: say what creating it needs");
                assertTrue(covers(roleActions, CREATES.get(type)), "the stacks' role cannot " + CREATES.get(type) + " for " + file);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void assertTags(Map<String, Object> properties, String where) {
        List<Map<String, Object>> tags = (List<Map<String, Object>>) properties.get("Tags");
        assertNotNull(tags, where + ": tagged");
        assertTrue(tags.stream().anyMatch(t -> "Workshop".equals(t.get("Key"))), where + ": Workshop tag");
        assertTrue(tags.stream().anyMatch(t -> "Student".equals(t.get("Key"))), where + ": Student tag");
    }
}
