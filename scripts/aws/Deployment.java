package aws;

//SOURCES ../common/Home.java ../common/Http.java ../common/Json.java ../common/Problem.java

import common.Home;
import common.Http;
import common.Json;
import common.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * What maz1 and maz2 deployed on AWS, kept on this machine (DB007_HOME/aws/deployment.json) so
 * that the later steps, the agent and teardown find the instance, its secret and the stacks
 * without the student typing them again. It holds names and addresses, never a password.
 */
public record Deployment(String region, String student, String network, String engine, String allowedCidr,
                         String vpcStack, String databaseStack, String instance, String endpoint, Integer port,
                         String secretArn, String deployedAt) {

    /** The choices of maz1, maz2 and teardown on AWS. */
    public static final class Options {
        @Option(names = "--student", paramLabel = "NAME", descriptionKey = "aws.student") public String student;
        @Option(names = "--network", paramLabel = "public|private", defaultValue = "public", descriptionKey = "aws.network") public String network;
        @Option(names = "--engine", paramLabel = "postgres|mysql", defaultValue = "postgres", descriptionKey = "aws.engine") public String engine;
        @Option(names = "--allowed-cidr", paramLabel = "CIDR", descriptionKey = "aws.allowed-cidr") public String allowedCidr;

        /**
         * --student, else the deployment's, else the caller's AWS identity (never the OS user, which
         * is cloudshell-user for a whole class): the stacks' and the instance's names.
         */
        public String student(Deployment d, java.util.function.Supplier<String> identity) {
            String s = student != null ? student : d != null ? d.student() : identity.get();
            s = s.replaceAll("[^A-Za-z0-9-]", "-").toLowerCase(Locale.ROOT);
            if (!s.matches("[a-z][a-z0-9-]{0,30}")) throw Problem.environment("aws.student.invalid", s);
            return s;
        }
    }

    /** Where the kit asks for this machine's public address (an AWS service that answers with the address alone). */
    static final String CHECK_IP = "https://checkip.amazonaws.com";

    /**
     * The only address range the database port is opened to: --allowed-cidr, else this machine's
     * public address as /32 (CloudShell's or the laptop's), else a problem asking for the option.
     */
    public static String allowedCidr(Options o) {
        if (o.allowedCidr != null) {
            if (!o.allowedCidr.matches("(\\d{1,3}\\.){3}\\d{1,3}/(\\d|[12]\\d|3[0-2])")) throw Problem.environment("aws.cidr.invalid", o.allowedCidr);
            if (o.allowedCidr.endsWith("/0")) throw Problem.environment("aws.cidr.open", o.allowedCidr);
            return o.allowedCidr;
        }
        try {
            Http.Reply r = Http.get(URI.create(CHECK_IP), Duration.ofSeconds(5), Duration.ofSeconds(5));
            String ip = r.body().trim();
            if (r.status() != 200 || !ip.matches("(\\d{1,3}\\.){3}\\d{1,3}")) throw new IOException("unexpected answer: " + ip);
            return ip + "/32";
        } catch (IOException e) {
            throw new Problem(Problem.USAGE, e, "aws.cidr.unknown", CHECK_IP);
        }
    }

    /** The tags every resource of the mission carries, so that a class's account can be swept by student. */
    public static Map<String, String> tags(String student) {
        return Map.of("Workshop", "db007-maz", "Student", student);
    }

    public static Path file() {
        return Home.aws().resolve("deployment.json");
    }

    /** The deployment on record, or null when maz1 --target aws has not run here. */
    public static Deployment load() throws IOException {
        return Files.exists(file()) ? Json.read(file(), Deployment.class) : null;
    }

    public void save() throws IOException {
        Files.createDirectories(file().getParent());
        Json.writeAtomically(file(), this);
    }

    public Deployment withDatabase(String databaseStack, String instance, String endpoint, Integer port, String secretArn, String at) {
        return new Deployment(region, student, network, engine, allowedCidr, vpcStack, databaseStack, instance, endpoint, port, secretArn, at);
    }

    /** The stack names of one student: several students may share an account, never a stack. */
    public static String vpcStack(String student) {
        return "db007-" + student + "-vpc";
    }

    public static String databaseStack(String student) {
        return "db007-" + student + "-db";
    }
}
