package region;

//SOURCES ../common/Database.java ../common/Wait.java Region.java

import common.Database;
import common.Wait;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A writer that is not the agent, to check the region from outside: one connection to the writer
 * endpoint, numbered rows committed one after the other, a new connection at once after any
 * error, and the time of every acknowledgement kept. What it was told is what it checks at the
 * end: every acknowledged number must be in the table. Its rows have the size of the agent's
 * (a time, a payload, a checksum), so that the two can be compared for speed.
 */
public final class Witness implements AutoCloseable {
    /** Two acknowledgements further apart than the gap allowed: the writes stopped in between. */
    public record Stall(Instant from, Instant to) {
        public Duration length() {
            return Duration.between(from, to);
        }
    }

    /** As long as the agent's checksums; a plain writer computes none. */
    private static final String CHECKSUM = "0123456789abcdef0123456789abcdef";

    private final java.util.function.IntSupplier port;
    private final String password;
    private final String table;
    private final List<Instant> acks = new ArrayList<>();
    /** Each acknowledged write's latency, in microseconds, in the order of acks. */
    private final List<Long> latencies = new ArrayList<>();
    private final Set<Long> acknowledged = new HashSet<>();
    private final Thread thread;
    private volatile boolean writing = true;

    /** Writes into its own table through the endpoint at that port, from now until closed. */
    public Witness(int endpointPort, String password, String table) throws SQLException {
        this(() -> endpointPort, password, table);
    }

    /**
     * The same client at whatever port the supplier gives at each connection: bench points it at a
     * bare pair and moves it to the standby the moment it is promoted, as an operator would.
     */
    public Witness(java.util.function.IntSupplier port, String password, String table) throws SQLException {
        this.port = port;
        this.password = password;
        this.table = table;
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table + " (id bigint PRIMARY KEY, sent_at timestamptz NOT NULL, payload text NOT NULL,"
                    + " checksum text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp())");
        }
        thread = new Thread(this::write, "witness");
        thread.setDaemon(true);
        thread.start();
    }

    private Connection connect() throws SQLException {
        Connection c = Database.connect(new Database.Login("postgres", "127.0.0.1", port.getAsInt(), Region.MASTER_USER, password, Region.DATABASE, null),
                2, 30, "db007-witness");
        // The agent's own timeout, so that behind a blackhole both measure the region, not their patience.
        c.setNetworkTimeout(Runnable::run, 1000);
        return c;
    }

    private void write() {
        Connection c = null;
        PreparedStatement insert = null;
        for (long id = 1; writing; id++) {
            try {
                if (c == null) {
                    c = connect();
                    insert = c.prepareStatement("INSERT INTO " + table + " (id, sent_at, payload, checksum) VALUES (?, ?, ?, ?)");
                }
                insert.setLong(1, id);
                long sent = System.nanoTime();
                insert.setTimestamp(2, Timestamp.from(Instant.now()));
                insert.setString(3, "db007 witness " + table + " #" + id);
                insert.setString(4, CHECKSUM);
                insert.executeUpdate();
                long took = (System.nanoTime() - sent) / 1000;
                synchronized (acks) {
                    acks.add(Instant.now());
                    latencies.add(took);
                    acknowledged.add(id);
                }
            } catch (SQLException e) {
                try {
                    if (c != null) c.close();
                } catch (SQLException ignored) {
                    // Broken already.
                }
                c = null;
                Wait.pause(5);
            }
        }
        try {
            if (c != null) c.close();
        } catch (SQLException ignored) {
            // Done with it.
        }
    }

    public long acknowledgedCount() {
        synchronized (acks) {
            return acknowledged.size();
        }
    }

    /** When the writes last went through, or null before the first. */
    public Instant lastAck() {
        synchronized (acks) {
            return acks.isEmpty() ? null : acks.get(acks.size() - 1);
        }
    }

    /** Every stretch without an acknowledgement longer than the gap allowed, between from and to. */
    public List<Stall> stalls(Duration allowed, Instant from, Instant to) {
        List<Stall> found = new ArrayList<>();
        synchronized (acks) {
            for (int i = 1; i < acks.size(); i++) {
                Instant a = acks.get(i - 1);
                Instant b = acks.get(i);
                if (b.isBefore(from) || a.isAfter(to)) continue;
                if (Duration.between(a, b).compareTo(allowed) > 0) found.add(new Stall(a, b));
            }
        }
        return found;
    }

    /** The longest stretch without an acknowledgement ending in [from, to]: the writes' outage then. */
    public Stall longest(Instant from, Instant to) {
        Stall best = null;
        synchronized (acks) {
            for (int i = 1; i < acks.size(); i++) {
                Instant a = acks.get(i - 1);
                Instant b = acks.get(i);
                if (b.isBefore(from) || b.isAfter(to)) continue;
                if (best == null || Duration.between(a, b).compareTo(best.length()) > 0) best = new Stall(a, b);
            }
        }
        return best;
    }

    /** The median latency of the writes acknowledged between two moments, in microseconds; null when none. */
    public Long medianLatencyMicros(Instant from, Instant to) {
        List<Long> in = new ArrayList<>();
        synchronized (acks) {
            for (int i = 0; i < acks.size(); i++) if (!acks.get(i).isBefore(from) && acks.get(i).isBefore(to)) in.add(latencies.get(i));
        }
        if (in.isEmpty()) return null;
        in.sort(null);
        return in.get(in.size() / 2);
    }

    /** Acknowledgements between two moments, for a rate. */
    public long acknowledgedBetween(Instant from, Instant to) {
        synchronized (acks) {
            return acks.stream().filter(t -> !t.isBefore(from) && t.isBefore(to)).count();
        }
    }

    /** Stops writing; then counts the acknowledged numbers the table no longer holds. */
    public long lost() throws SQLException, InterruptedException {
        close();
        Set<Long> present = new HashSet<>();
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT id FROM " + table)) {
            while (r.next()) present.add(r.getLong(1));
        }
        synchronized (acks) {
            return acknowledged.stream().filter(id -> !present.contains(id)).count();
        }
    }

    @Override
    public void close() throws InterruptedException {
        writing = false;
        thread.join(60_000);
    }
}
