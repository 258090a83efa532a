package region;

//SOURCES ../common/Wait.java KeptConnection.java PgNode.java

import common.Wait;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Asks one server the same thing every 50 ms, on a connection it keeps as a client would, and
 * says when the server last answered, since when a question has gone unanswered, and what the
 * last answer held. It never blocks the one who reads it: a hung server only makes the
 * unanswered time grow. Its fields are written by its own thread alone.
 */
final class Prober<T> implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMillis(50);

    private final PgNode node;
    private final KeptConnection looks;
    private final String question;
    private final Reader<T> reader;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Instant lastAnswer;
    private volatile Instant unansweredSince;
    private volatile T latest;

    /** What a prober keeps of each answer; null when it keeps nothing. */
    @FunctionalInterface
    interface Reader<T> {
        T read(ResultSet r) throws SQLException;
    }

    /** The setup statements run once per connection; the question, every 50 ms. */
    Prober(PgNode node, String password, List<String> setup, String question, Reader<T> reader, String name) {
        this.node = node;
        // A long socket timeout: a hung server is noticed from the time it takes, not from an error.
        this.looks = new KeptConnection(node, password, 60, setup);
        this.question = question;
        this.reader = reader;
        this.thread = new Thread(this::run, name + "-" + node.az);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    String az() { return node.az; }

    /** When the server last answered; null if it never did. */
    Instant lastAnswer() { return lastAnswer; }

    /** Since when the server has been asked without answering (connecting included); null when it just answered. */
    Instant unansweredSince() { return unansweredSince; }

    /** What the last answer held, as the reader kept it; null before the first. */
    T latest() { return latest; }

    private void run() {
        while (!closed) {
            if (unansweredSince == null) unansweredSince = Instant.now();
            try {
                looks.ask(s -> {
                    boolean rows = s.execute(question);
                    if (rows && reader != null) {
                        try (ResultSet r = s.getResultSet()) {
                            latest = reader.read(r);
                        }
                    }
                    return null;
                });
                lastAnswer = Instant.now();
                unansweredSince = null;
            } catch (SQLException e) {
                // The connection is dropped: the next question opens a new one.
            }
            Wait.pause(EVERY);
        }
        looks.close();
    }

    @Override
    public void close() {
        closed = true;
        looks.close();
        thread.interrupt();
    }
}
