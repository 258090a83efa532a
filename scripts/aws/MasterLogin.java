package aws;

//SOURCES ../common/Database.java ../common/Home.java ../common/Http.java ../common/Json.java ../common/Problem.java ../region/Region.java Aws.java
//SOURCES Deployment.java Rds.java

//DEPS software.amazon.awssdk:secretsmanager:2.42.33

import common.Database;
import common.Home;
import common.Http;
import common.Json;
import common.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import region.Region;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The master user's login to the mission's instance: the lab's password on the local region;
 * on AWS the password RDS keeps in Secrets Manager (or DB007_DB_PASSWORD), and TLS with the
 * server's certificate checked against the RDS certificate bundle. The password never leaves
 * the Login record into a log or evidence.
 */
public final class MasterLogin {
    private MasterLogin() {}

    /** Where RDS publishes the certificate authorities of every Region (a public file). */
    static final String RDS_CA_BUNDLE = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

    /**
     * The login for the instance. Locally, the lab's password. On AWS: DB007_DB_PASSWORD if the
     * student set it, else the master password from Secrets Manager, where RDS keeps it (the
     * secret named by the instance, or by the deployment maz2 recorded); and TLS with the
     * server's certificate verified against the RDS certificate bundle.
     */
    public static Database.Login of(Rds.Options options, Rds.Instance instance) throws IOException {
        String user = instance.masterUser() == null ? Region.MASTER_USER : instance.masterUser();
        if (options.local()) return new Database.Login("postgres", instance.host(), instance.port(), user, Region.password(), Region.DATABASE, null);
        // RDS says "postgres", or "mysql"; the template gives MySQL a database named db007, PostgreSQL has "postgres".
        String engine = instance.engine() != null && instance.engine().startsWith("mysql") ? "mysql" : "postgres";
        String password = System.getenv("DB007_DB_PASSWORD");
        if (password == null || password.isBlank()) password = fromSecretsManager(options, instance);
        // The kit's own tests drive the AWS code paths against the local region, which has no TLS.
        Path ca = "disable".equals(System.getenv("DB007_DB_TLS")) ? null : caBundle();
        return new Database.Login(engine, instance.host(), instance.port(), user, password, engine.equals("mysql") ? "db007" : Region.DATABASE, ca);
    }

    private static String fromSecretsManager(Rds.Options options, Rds.Instance instance) throws IOException {
        Deployment d = Deployment.load();
        String arn = instance.secretArn() != null ? instance.secretArn() : d == null ? null : d.secretArn();
        if (arn == null) throw Problem.environment("db.password.missing");
        try (SecretsManagerClient sm = options.configure(SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())).build()) {
            String secret = sm.getSecretValue(r -> r.secretId(arn)).secretString();
            Object password = Json.read(secret, Map.class).get("password");
            if (password == null) throw Problem.environment("db.secret.shape", arn);
            return password.toString();
        } catch (SdkException e) {
            throw Aws.explain(e, "db.secret.read", arn);
        }
    }

    /** DB007_CA_BUNDLE, or the RDS bundle fetched once into DB007_HOME/aws. */
    static Path caBundle() throws IOException {
        String given = System.getenv("DB007_CA_BUNDLE");
        if (given != null) return Path.of(given);
        Path cached = Home.aws().resolve("rds-global-bundle.pem");
        if (Files.exists(cached)) return cached;
        Files.createDirectories(cached.getParent());
        try {
            Http.Reply r = Http.get(URI.create(RDS_CA_BUNDLE), Duration.ofSeconds(5), Duration.ofSeconds(20));
            if (r.status() != 200) throw new IOException("HTTP " + r.status());
            Path partial = cached.resolveSibling(cached.getFileName() + ".partial");
            Files.write(partial, r.bytes());
            Files.move(partial, cached, StandardCopyOption.ATOMIC_MOVE);
            return cached;
        } catch (IOException e) {
            throw new Problem(Problem.USAGE, e, "db.ca.download", RDS_CA_BUNDLE, cached);
        }
    }

}
