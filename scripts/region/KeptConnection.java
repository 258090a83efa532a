package region;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * One connection to a server kept for a run of looks at it (a wait polled every 20 ms, a watch,
 * a Prober's question every 50 ms), opened at the first look and again after a failed one, as a
 * client keeps its connection. A new connection per look cost a SCRAM
 * exchange each time, about 25 ms of CPU between client and server here: polled every 20 ms, a
 * wait for a standby to stream kept a core busy while the failover it belonged to needed it.
 * Its socket timeout bounds a look at a hung server as a new connection's login timeout did.
 * The looks come from one thread; close may come from another (a Prober stopped while its
 * server hangs), and drops the connection under the look that waits on it.
 */
final class KeptConnection implements AutoCloseable {
    private final PgNode node;
    private final String password;
    private final int timeoutSeconds;
    private final List<String> setup;
    private volatile Connection connection;

    /** What a look asks on the connection's statement. */
    @FunctionalInterface
    interface Look<T> {
        T ask(Statement s) throws SQLException;
    }

    KeptConnection(PgNode node, String password, int timeoutSeconds) {
        this(node, password, timeoutSeconds, List.of());
    }

    /** The setup statements run once on each new connection, before its first look. */
    KeptConnection(PgNode node, String password, int timeoutSeconds, List<String> setup) {
        this.node = node;
        this.password = password;
        this.timeoutSeconds = timeoutSeconds;
        this.setup = setup;
    }

    /** One look; a failed one drops the connection, and the next look opens a new one. */
    <T> T ask(Look<T> look) throws SQLException {
        Connection c = connection;
        if (c == null) {
            c = node.connect(password, timeoutSeconds);
            try (Statement s = c.createStatement()) {
                for (String sql : setup) s.execute(sql);
            } catch (SQLException e) {
                abort(c);
                throw e;
            }
            connection = c;
        }
        try (Statement s = c.createStatement()) {
            return look.ask(s);
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        Connection c = connection;
        connection = null;
        if (c != null) abort(c);
    }

    /** Drops a connection at once: close would wait for a hung server's answer. */
    static void abort(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException ignored) {
            // It is being thrown away.
        }
    }
}
