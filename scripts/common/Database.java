package common;

//SOURCES ../aws/Aws.java ../aws/Deployment.java ../aws/Rds.java ../region/Region.java Home.java Http.java Json.java Problem.java

//DEPS org.postgresql:postgresql:42.7.14
//DEPS com.mysql:mysql-connector-j:9.5.0
//DEPS software.amazon.awssdk:secretsmanager:2.42.33

import aws.Aws;
import aws.Deployment;
import aws.Rds;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Security;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import region.Region;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The one way the steps open a JDBC connection to the mission's database: through the
 * instance's endpoint, as the master user, with timeouts short enough to notice a failover.
 * PostgreSQL everywhere; MySQL too on AWS (--engine mysql), where only the driver, the URL and
 * a few statements differ.
 */
public final class Database {
    private Database() {}

    /**
     * Where and as whom: the password never leaves this record into a log or evidence. caBundle,
     * when set, is the certificate bundle the server's certificate must chain to, and the host
     * name must match it (RDS); null on the local region, which speaks plain TCP on 127.0.0.1.
     */
    public record Login(String engine, String host, int port, String user, String password, String database, Path caBundle) {
        @Override
        public String toString() {
            return user + "@" + host + ":" + port + "/" + database;
        }

        /** The same login at another address: the local region's servers, one by one. */
        public Login at(String otherHost, int otherPort) {
            return new Login(engine, otherHost, otherPort, user, password, database, caBundle);
        }

        public boolean mysql() {
            return engine.equals("mysql");
        }
    }

    /** Where RDS publishes the certificate authorities of every Region (a public file). */
    static final String RDS_CA_BUNDLE = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem";

    /**
     * The login for the instance. Locally, the lab's password. On AWS: DB007_DB_PASSWORD if the
     * student set it, else the master password from Secrets Manager, where RDS keeps it (the
     * secret named by the instance, or by the deployment maz2 recorded); and TLS with the
     * server's certificate verified against the RDS certificate bundle.
     */
    public static Login login(Rds.Options options, Rds.Instance instance) throws IOException {
        String user = instance.masterUser() == null ? Region.MASTER_USER : instance.masterUser();
        if (options.local()) return new Login("postgres", instance.host(), instance.port(), user, Region.password(Home.dir()), Region.DATABASE, null);
        // RDS says "postgres", or "mysql"; the template gives MySQL a database named db007, PostgreSQL has "postgres".
        String engine = instance.engine() != null && instance.engine().startsWith("mysql") ? "mysql" : "postgres";
        String password = System.getenv("DB007_DB_PASSWORD");
        if (password == null || password.isBlank()) password = fromSecretsManager(options, instance);
        // The kit's own tests drive the AWS code paths against the local region, which has no TLS.
        Path ca = "disable".equals(System.getenv("DB007_DB_TLS")) ? null : caBundle();
        return new Login(engine, instance.host(), instance.port(), user, password, engine.equals("mysql") ? "db007" : Region.DATABASE, ca);
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

    /**
     * RDS moves the endpoint's DNS name to the new primary at a failover; the JVM would otherwise
     * keep the old address for 30 s or forever. A security property, read once at the first
     * lookup, so this runs first thing in every command that connects.
     */
    public static void lowerDnsCache() {
        Security.setProperty("networkaddress.cache.ttl", "1");
        Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** Timeouts in whole seconds, short enough to notice a failover: 1 and 2 are the PostgreSQL driver's shortest useful values. */
    public static Connection connect(Login login, int connectTimeoutSeconds, int socketTimeoutSeconds, String application) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        p.setProperty("password", login.password());
        p.setProperty("tcpKeepAlive", "true");
        if (login.mysql()) {
            p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds * 1000));
            p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds * 1000));
            // Instants stay instants: the session in UTC, so a TIMESTAMP(6) reads back the journal's time.
            p.setProperty("connectionTimeZone", "UTC");
            p.setProperty("forceConnectionTimeZoneToSession", "true");
            p.setProperty("connectionAttributes", "program_name:" + application);
            if (login.caBundle() != null) {
                p.setProperty("sslMode", "VERIFY_IDENTITY");
                p.setProperty("trustCertificateKeyStoreUrl", trustStore(login.caBundle()).toUri().toString());
                p.setProperty("trustCertificateKeyStoreType", "PKCS12");
                p.setProperty("trustCertificateKeyStorePassword", TRUST_STORE_PASSWORD);
            } else {
                p.setProperty("sslMode", "DISABLED");
                p.setProperty("allowPublicKeyRetrieval", "true");
            }
            return DriverManager.getConnection("jdbc:mysql://" + login.host() + ":" + login.port() + "/" + login.database(), p);
        }
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(Math.max(connectTimeoutSeconds, 2)));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        p.setProperty("ApplicationName", application);
        if (login.caBundle() != null) {
            // verify-full: the certificate chains to the bundle and names the host; anything less lets an impostor in.
            p.setProperty("sslmode", "verify-full");
            p.setProperty("sslrootcert", login.caBundle().toString());
        }
        return DriverManager.getConnection("jdbc:postgresql://" + login.host() + ":" + login.port() + "/" + login.database(), p);
    }

    /**
     * Which server a connection reached: its AZ when it says it (the local region's servers do),
     * and its address. A connection stays on one server, so this is asked once per connection.
     */
    public static String[] server(Connection c, Login login) throws SQLException {
        String sql = login.mysql() ? "SELECT NULL, @@hostname"
                : "SELECT current_setting('db007.az', true), inet_server_addr()::text || ':' || inet_server_port()";
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return new String[] {r.getString(1), r.getString(2)};
        }
    }

    /** Whether the server is a read-only replica: a writer endpoint must never lead to one. */
    public static boolean readOnly(Connection c, Login login) throws SQLException {
        String sql = login.mysql() ? "SELECT @@read_only = 1 OR @@innodb_read_only = 1" : "SELECT pg_is_in_recovery()";
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getBoolean(1);
        }
    }

    /** A trust store protects nothing secret (public certificates only), but the driver insists on a password. */
    private static final String TRUST_STORE_PASSWORD = "db007-public-certificates";

    /** The PEM bundle as a PKCS12 trust store beside it, which MySQL's driver reads and PEM it does not. */
    static Path trustStore(Path pem) throws SQLException {
        Path p12 = pem.resolveSibling(pem.getFileName() + ".p12");
        try {
            if (Files.exists(p12) && Files.getLastModifiedTime(p12).compareTo(Files.getLastModifiedTime(pem)) >= 0) return p12;
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int n = 0;
            try (InputStream in = Files.newInputStream(pem)) {
                for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("rds-" + (++n), cert);
                }
            }
            try (OutputStream out = Files.newOutputStream(p12)) {
                store.store(out, TRUST_STORE_PASSWORD.toCharArray());
            }
            return p12;
        } catch (IOException | GeneralSecurityException e) {
            throw new SQLException("could not turn " + pem + " into a trust store: " + e.getMessage(), "08001", e);
        }
    }
}
