import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import aws.Deployment;
import common.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A class of three students on one AWS account, through the real SDK against FakeAws: the
 * instructor's "class up" makes the class's VPC and access, each student joins it with maz1
 * --class and deploys a database into it with maz2, one student restores an instance of their
 * own; "class status" shows everything with its cost, and "class down" deletes what is past its
 * expiry, then the rest, lone instances first and the class's own stacks last, asking first.
 */
class ClassroomTest {
    FakeAws aws;

    @AfterEach
    void stop() {
        if (aws != null) aws.close();
    }

    private Map<String, String> as(String who) {
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("AWS_ACCESS_KEY_ID", who);
        return env;
    }

    // Long because a class's life is one story: set up, three students, a status, two clean-ups.
    @Test
    void threeStudentsJoinAClassAndTheInstructorSeesAndCleansUpEverything(@TempDir Path dir) throws Exception {
        aws = new FakeAws("unused");
        Kit teacher = new Kit(dir.resolve("teacher"));
        Map<String, String> t = as("teacher");

        Kit.Result up = teacher.run(t, "classroom", "up", "spring", "--region", "local");
        assertEquals(0, up.exit(), up.all());
        FakeAws.Stack access = aws.stacks.get("db007-class-spring-access");
        assertEquals(FakeAws.template("class-access.yaml"), access.template);
        assertEquals(Map.of("ClassName", "spring"), access.parameters);
        assertTrue(access.capabilities.contains("CAPABILITY_NAMED_IAM"), "a template that makes IAM objects is acknowledged so");
        FakeAws.Stack vpc = aws.stacks.get("db007-class-spring-vpc");
        assertEquals("spring", vpc.tags.get("Class"));
        assertEquals("class-spring", vpc.tags.get("Student"));
        assertTrue(Instant.parse(vpc.tags.get("Expires")).isAfter(Instant.now()), "the class expires at the end of the day by default");
        assertTrue(up.out().contains("db007-spring-students"), "the instructor is told which group to add the students to: " + up.out());

        for (String student : List.of("alice", "bob", "carol")) {
            Kit kit = new Kit(dir.resolve(student));
            String[] joining = {"--target", "aws", "--region", "local", "--class", "spring", "--allowed-cidr", "203.0.113.7/32"};
            if (student.equals("carol")) joining = concat(joining, "--expires", "2020-01-01");
            Kit.Result joined = kit.run(as(student), "maz1", joining);
            assertEquals(0, joined.exit(), joined.all());
            assertTrue(joined.out().contains("Class spring: your database will go into the class's VPC (db007-class-spring-vpc)"), joined.out());
            assertNull(aws.stacks.get("db007-" + student + "-vpc"), "in a class, no student makes a VPC of their own");
            Kit.Result db = kit.run(as(student), "maz2", "--target", "aws", "--region", "local");
            assertTrue(db.out().contains("db007-" + student), db.all());
            FakeAws.Stack made = aws.stacks.get("db007-" + student + "-db");
            assertEquals("db007-class-spring-vpc", made.parameters.get("VpcStack"));
            assertEquals("arn:aws:iam::000000000000:role/db007-spring-cloudformation", made.role, "the student's stack runs with the class's role");
            assertEquals(Map.of("Workshop", "db007-maz", "Student", student, "Class", "spring", "Expires", made.tags.get("Expires"),
                    "Owner", "arn:aws:iam::000000000000:user/" + student), made.tags);
            Deployment d = Json.read(dir.resolve(student + "/aws/deployment.json"), Deployment.class);
            assertEquals("spring", d.className());
        }
        assertEquals("2020-01-01T23:59:59Z", aws.stacks.get("db007-carol-db").tags.get("Expires"), "a day given to --expires is its end");
        // Bob's step 10 restored an instance of his own, two hours ago, already expired; another class's instance is none of this class's business.
        aws.instances.put("db007-bob-restored", new FakeAws.Instance("db007-bob-restored", false, Instant.now().minus(Duration.ofHours(2)),
                Map.of("Workshop", "db007-maz", "Student", "bob", "Class", "spring", "Expires", "2020-01-01T23:59:59Z")));
        aws.instances.put("db007-zed", new FakeAws.Instance("db007-zed", true, Instant.now(), Map.of("Student", "zed", "Class", "autumn")));

        Kit.Result status = teacher.run(t, "classroom", "status", "spring", "--region", "local", "--json");
        assertEquals(0, status.exit(), status.all());
        Map<?, ?> s = Json.read(status.out(), Map.class);
        assertEquals(3, ((Number) s.get("students")).intValue());
        List<?> items = (List<?>) s.get("items");
        assertEquals(9, items.size(), "two class stacks, three database stacks, their three instances and the restore: " + status.out());
        Map<?, ?> restore = items.stream().map(i -> (Map<?, ?>) i).filter(i -> i.get("name").equals("db007-bob-restored")).findFirst().orElseThrow();
        assertEquals(0.04, ((Number) restore.get("usd_so_far")).doubleValue(), 0.005, "two hours of a Single-AZ db.t3.micro");
        assertEquals(true, restore.get("expired"));
        assertFalse(status.out().contains("db007-zed"), "another class's instance is not listed");
        Kit.Result table = teacher.run(t, "classroom", "status", "spring", "--region", "local");
        assertTrue(table.out().contains("db007-carol-db") && table.out().contains("(expired)") && table.out().contains("Students: 3."), table.out());

        // Asked, and not answered yes: nothing is deleted.
        int before = aws.stacks.size();
        Kit.Result refused = teacher.typing(t, "no\n", "classroom", "down", "spring", "--region", "local", "--expired");
        assertEquals(1, refused.exit(), refused.all());
        assertTrue(refused.out().contains("Nothing was deleted."), refused.out());
        assertEquals(before, aws.stacks.size());
        assertTrue(aws.instances.containsKey("db007-bob-restored"));

        // Only what expired: carol's stack and bob's restore; the others and the class's own stacks stay.
        Kit.Result expired = teacher.typing(t, "yes\n", "classroom", "down", "spring", "--region", "local", "--expired");
        assertEquals(0, expired.exit(), expired.all());
        assertFalse(aws.instances.containsKey("db007-bob-restored"));
        assertNull(aws.stacks.get("db007-carol-db"));
        assertFalse(aws.instances.containsKey("db007-carol"), "carol's instance went with her stack");
        assertTrue(aws.stacks.containsKey("db007-alice-db") && aws.stacks.containsKey("db007-bob-db") && aws.stacks.containsKey("db007-class-spring-vpc"));
        assertTrue(expired.out().contains("Kept: "), expired.out());

        // Then everything, without asking: the students' databases before the class's VPC, its access last.
        Kit.Result down = teacher.run(t, "classroom", "down", "spring", "--region", "local", "--yes");
        assertEquals(0, down.exit(), down.all());
        assertTrue(down.out().contains("Nothing of class spring is left in this Region."), down.out());
        List<String> deletes = aws.calls.stream().filter(c -> c.startsWith("DeleteStack ") || c.startsWith("DeleteDBInstance ")).toList();
        assertTrue(deletes.indexOf("DeleteStack db007-alice-db") < deletes.indexOf("DeleteStack db007-class-spring-vpc")
                && deletes.indexOf("DeleteStack db007-class-spring-vpc") < deletes.indexOf("DeleteStack db007-class-spring-access"), deletes.toString());
        assertTrue(deletes.indexOf("DeleteDBInstance db007-bob-restored") < deletes.indexOf("DeleteStack db007-carol-db"), "the lone restore first: " + deletes);
        assertTrue(aws.stacks.isEmpty());
        assertEquals(List.of("db007-zed"), List.copyOf(aws.instances.keySet()), "another class's instance is untouched");
    }

    @Test
    void aStudentCannotJoinAClassThatIsNotThereNorTakeAClassName(@TempDir Path dir) throws Exception {
        aws = new FakeAws("unused");
        Kit kit = new Kit(dir);
        Kit.Result none = kit.run(as("alice"), "maz1", "--target", "aws", "--region", "local", "--class", "nosuch", "--allowed-cidr", "203.0.113.7/32");
        assertEquals(2, none.exit(), none.all());
        assertTrue(none.err().contains("no class \"nosuch\" in Region local") && none.err().contains("./jbang class up nosuch"), none.err());
        Kit.Result taken = kit.run(as("alice"), "maz1", "--target", "aws", "--region", "local", "--student", "class-spring", "--allowed-cidr", "203.0.113.7/32");
        assertEquals(2, taken.exit(), taken.all());
        assertTrue(aws.stacks.isEmpty(), "nothing was made");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
