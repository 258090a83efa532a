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
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
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
                         String secretArn, String deployedAt, String className, String stackRole, String expires) {

    /** The choices of maz1, maz2 and teardown on AWS. */
    public static final class Options {
        @Option(names = "--student", paramLabel = "NAME", descriptionKey = "aws.student") public String student;
        @Option(names = "--network", paramLabel = "public|private", defaultValue = "public", descriptionKey = "aws.network") public String network;
        @Option(names = "--engine", paramLabel = "postgres|mysql", defaultValue = "postgres", descriptionKey = "aws.engine") public String engine;
        @Option(names = "--allowed-cidr", paramLabel = "CIDR", descriptionKey = "aws.allowed-cidr") public String allowedCidr;
        @Option(names = "--class", paramLabel = "NAME", descriptionKey = "aws.class") public String className;
        @Option(names = "--expires", paramLabel = "WHEN", descriptionKey = "aws.expires") public String expires;

        /**
         * --student, else the deployment's, else the caller's AWS identity (never the OS user, which
         * is cloudshell-user for a whole class): the stacks' and the instance's names.
         */
        public String student(Deployment d, java.util.function.Supplier<String> identity) {
            String s = student != null ? student : d != null ? d.student() : identity.get();
            s = s.replaceAll("[^A-Za-z0-9-]", "-").toLowerCase(Locale.ROOT);
            // "class-…" names a class's own stacks (Classroom): no student may take it.
            if (!s.matches("[a-z][a-z0-9-]{0,30}") || s.startsWith("class-")) throw Problem.environment("aws.student.invalid", s);
            return s;
        }

        /** --class, else the deployment's: null for a student on their own. */
        public String className(Deployment d) {
            String c = className != null ? className : d != null ? d.className() : null;
            if (c != null && !c.matches("[a-z][a-z0-9-]{0,30}")) throw Problem.environment("aws.class.invalid", c);
            return c;
        }

        /**
         * When what is deployed may be deleted by the instructor's "class down --expired": --expires
         * as an instant (2026-12-05T18:00:00Z) or a day (2026-12-05, its end), else the end of today, UTC.
         */
        public String expires() {
            if (expires == null) return LocalDate.now(ZoneOffset.UTC).plusDays(1).atStartOfDay(ZoneOffset.UTC).minusSeconds(1).toInstant().toString();
            try {
                return expires.length() == 10 ? LocalDate.parse(expires).plusDays(1).atStartOfDay(ZoneOffset.UTC).minusSeconds(1).toInstant().toString()
                        : Instant.parse(expires).toString();
            } catch (DateTimeParseException e) {
                throw Problem.environment("aws.expires.invalid", expires);
            }
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

    /**
     * The tags every resource of the mission carries, so that a class's account can be swept by
     * student and by class ("class status", "class down"), and what is past its expiry found.
     */
    public static Map<String, String> tags(String student, String className, String expires) {
        Map<String, String> t = new LinkedHashMap<>();
        t.put("Workshop", "db007-maz");
        t.put("Student", student);
        if (className != null) t.put("Class", className);
        if (expires != null) t.put("Expires", expires);
        return t;
    }

    public Map<String, String> tags() {
        return tags(student, className, expires);
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
        return new Deployment(region, student, network, engine, allowedCidr, vpcStack, databaseStack, instance, endpoint, port, secretArn, at,
                className, stackRole, expires);
    }

    /** The stack names of one student: several students may share an account, never a stack. */
    public static String vpcStack(String student) {
        return "db007-" + student + "-vpc";
    }

    public static String databaseStack(String student) {
        return "db007-" + student + "-db";
    }
}
