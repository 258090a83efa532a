package common;

//DEPS org.postgresql:postgresql:42.7.14

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * The one way the steps open a JDBC connection to the mission's database: through the
 * instance's endpoint, as the master user, with timeouts short enough to notice a failover.
 */
public final class Database {
    private Database() {}

    /** Where and as whom: the password never leaves this record into a log or evidence. */
    public record Login(String host, int port, String user, String password, String database) {
        @Override
        public String toString() {
            return user + "@" + host + ":" + port + "/" + database;
        }
    }

    public static Login login(Rds.Options options, Rds.Instance instance) throws IOException {
        String password;
        if (options.local()) {
            password = Region.password(Region.home());
        } else {
            password = System.getenv("DB007_DB_PASSWORD");
            if (password == null || password.isBlank()) throw Problem.environment("db.password.missing");
        }
        return new Login(instance.host(), instance.port(), instance.masterUser() == null ? Region.MASTER_USER : instance.masterUser(),
                password, Region.DATABASE);
    }

    /**
     * RDS moves the endpoint's DNS name to the new primary at a failover; the JVM would otherwise
     * keep the old address for 30 s or forever. A security property, read once at the first
     * lookup, so this runs first thing in every command that connects.
     */
    public static void lowerDnsCache() {
        java.security.Security.setProperty("networkaddress.cache.ttl", "1");
        java.security.Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }

    /** connectTimeout and socketTimeout are whole seconds in the PostgreSQL driver; 1 and 2 are its shortest useful values. */
    public static Connection connect(Login login, int connectTimeoutSeconds, int socketTimeoutSeconds, String application) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", login.user());
        p.setProperty("password", login.password());
        p.setProperty("connectTimeout", Integer.toString(connectTimeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(Math.max(connectTimeoutSeconds, 2)));
        p.setProperty("socketTimeout", Integer.toString(socketTimeoutSeconds));
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", application);
        return DriverManager.getConnection("jdbc:postgresql://" + login.host() + ":" + login.port() + "/" + login.database(), p);
    }
}
