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

    @SuppressWarnings("unchecked")
    private static void assertTags(Map<String, Object> properties, String where) {
        List<Map<String, Object>> tags = (List<Map<String, Object>>) properties.get("Tags");
        assertNotNull(tags, where + ": tagged");
        assertTrue(tags.stream().anyMatch(t -> "Workshop".equals(t.get("Key"))), where + ": Workshop tag");
        assertTrue(tags.stream().anyMatch(t -> "Student".equals(t.get("Key"))), where + ": Student tag");
    }
}
