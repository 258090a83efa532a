package common;


//DEPS org.postgresql:postgresql:42.7.14
//DEPS com.mysql:mysql-connector-j:9.5.0

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.Properties;

/**
 * The kit's one JDBC connection factory: the agent, the proof, the control plane's probes and
 * the witness all connect here, each with timeouts it chooses, short enough to notice a
 * failover. PostgreSQL everywhere; MySQL too on AWS (--engine mysql), where only the driver, the
 * URL and a few statements differ. Who logs in where comes from the caller: the local region's
 * nodes, or aws.MasterLogin for the mission's instance.
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
        return connect(login, connectTimeoutSeconds, socketTimeoutSeconds, application, true);
    }

    /** The same, with TCP keepalive as asked: off is the drivers' default, which an ordinary application keeps. */
    public static Connection connect(Login login, int connectTimeoutSeconds, int socketTimeoutSeconds, String application, boolean tcpKeepAlive)
            throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        p.setProperty("password", login.password());
        p.setProperty("tcpKeepAlive", Boolean.toString(tcpKeepAlive));
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
        int loginSeconds = Math.max(connectTimeoutSeconds, 2) + (triedOnce.getAndSet(true) ? 0 : FIRST_LOGIN_EXTRA_SECONDS);
        p.setProperty("loginTimeout", Integer.toString(loginSeconds));
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
     * A JVM's first PostgreSQL login loads the driver's SCRAM code and runs its 4,096 rounds of
     * hashing before any of it is compiled: half a second of CPU on an idle machine, over 2 s on
     * two cores busy with a class's labs, where it timed out while the server was fine. The time
     * is this JVM's, not the server's: the first attempt gets this much more, whatever its outcome
     * (an agent started while its server hangs waits this once, not at every retry); later ones
     * keep the short limit that notices a hung server.
     */
    private static final int FIRST_LOGIN_EXTRA_SECONDS = 8;
    private static final java.util.concurrent.atomic.AtomicBoolean triedOnce = new java.util.concurrent.atomic.AtomicBoolean();

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
