package mission;

//SOURCES ../aws/MasterLogin.java ../aws/Rds.java ../common/Database.java ../common/Evidence.java ../common/Json.java
//SOURCES ../common/Messages.java ../common/Problem.java ../common/Wait.java Journal.java OrdinaryClient.java

import aws.MasterLogin;
import aws.Rds;
import common.Database;
import common.Evidence;
import common.Json;
import common.Messages;
import common.Problem;
import common.Wait;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DB007 agent: it writes timestamped rows without pause through the instance's endpoint,
 * reads the newest one back on a second connection, and journals every attempt as soon as its
 * outcome is known. It runs in the calling thread until its duration is over or the evidence
 * folder holds an "agent.stop" file: the same way to stop it whether it runs in the foreground
 * (maz3), in a background process (maz3 --background), inside the mission, or in bench.
 *
 * Every write carries a sequence number, the client's time and a checksum of its payload. On any
 * error the agent reconnects at once, as an application on RDS does, and follows the primary.
 */
public final class Agent {
    /** The agent's own files in the evidence folder. */
    public static final String SUMMARY = "agent.json";
    public static final String STOP = "agent.stop";
    public static final String LOG = "agent.log";

    /** How long the agent waits for any answer before it gives the connection up: an ideal client's short timeout. */
    static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(1);

    /** The reader looks at the newest acknowledged row this often. */
    static final long READ_EVERY_MS = 20;

    /** After an error, the next attempt after this pause: no longer than a plain client's, so the outage it lives is the region's. */
    static final long RETRY_PAUSE_MS = 5;

    /**
     * Failing for longer than this, the agent backs off: each pause twice the last, at most
     * {@link #BACKOFF_CAP_MS}, and drawn at random below that (full jitter), so that a fleet of
     * clients does not knock on a recovering database in step. Every Multi-AZ outage is over
     * before it; a lost Region is not.
     */
    static final long BACKOFF_AFTER_MS = 2000;
    static final long BACKOFF_CAP_MS = 250;

    /**
     * Where the application sends its writes, when it has been told to move (step 11): the file
     * its configuration would be. The agent reads it again whenever it changes, and takes it at
     * its next connection. "dark" says the Region is declared lost: no connection is tried there.
     */
    public static final String ROUTE = "agent.route";

    /**
     * The least time between two writes, in nanoseconds: none (the agent writes without pause),
     * unless DB007_AGENT_RATE caps its writes a second. A lab whose agent writes without pause
     * takes about a core (its relays, two servers' WAL, the agent itself): on a machine shared by
     * several labs, as in a classroom or the kit's own tests, the cap leaves room for the others.
     */
    static long writeEvery() {
        String rate = System.getenv("DB007_AGENT_RATE");
        if (rate == null || rate.isBlank()) return 0;
        long perSecond = rate.strip().matches("[0-9]{1,6}") ? Long.parseLong(rate.strip()) : 0;
        if (perSecond <= 0) throw Problem.environment("maz3.rate.invalid", rate);
        return 1_000_000_000L / perSecond;
    }

    /** The address in agent.route, or dark. */
    public record Route(String host, Integer port, String instance, String region, boolean dark) {}

    /** What agent.json holds: who the agent is, and its counts when it stopped. */
    public record Summary(String runId, String target, String status, long pid, String startedAt, String stoppedAt,
                          String endpoint, long attempts, long acknowledged, long failed, long unknown, long reads) {
        public boolean running() {
            return "running".equals(status) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        public void write(Evidence evidence) throws IOException {
            evidence.write(SUMMARY, this);
        }

        /** The agent of this evidence folder, or null when none has started there. */
        public static Summary read(Evidence evidence) throws IOException {
            return Files.exists(evidence.file(SUMMARY)) ? Json.read(evidence.file(SUMMARY), Summary.class) : null;
        }
    }

    private final Rds.Options options;
    private final Evidence evidence;
    private final Duration duration;
    private final PrintWriter out;
    private final boolean live;
    private long writeEvery = writeEvery();
    private String runId = Instant.now().toString().replaceAll("[-:.]", "").toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
    /** Set by resume(): the run this agent goes on with, cut off before. */
    private Summary resumed;
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong acks = new AtomicLong();
    private final AtomicLong fails = new AtomicLong();
    private final AtomicLong unknowns = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private volatile String az = "?";
    private volatile Instant lastAck = Instant.now();
    private volatile boolean failing;
    private volatile boolean stopping;
    private volatile Written lastWrite;
    /** Where the writes go now: the reader follows it. */
    private volatile Database.Login current;

    private record Written(long seq, String payload) {}

    public Agent(Rds.Options options, Evidence evidence, Duration duration, PrintWriter out, boolean live) {
        this.options = options;
        this.evidence = evidence;
        this.duration = duration;
        this.out = out;
        this.live = live;
    }

    /** Writes without pause whatever DB007_AGENT_RATE says: bench measures what the agent can do. Before it runs. */
    public Agent flatOut() {
        writeEvery = 0;
        return this;
    }

    /** This run's id, in every row it writes. */
    public String runId() {
        return runId;
    }

    /**
     * Goes on with the run an agent left in this evidence folder when it was cut off (a CloudShell
     * session that ended kills it): same run id, same journal. The seq after the journal's last
     * one is skipped (that write may have been in flight, its row written and its line never),
     * and a new connection starts: the proof sees the time away as the agent's, not an outage.
     */
    public Agent resume() throws IOException {
        Summary s = Summary.read(evidence);
        if (s == null || !Files.exists(evidence.file(Journal.FILE))) throw Problem.environment("maz3.resume.none", evidence.dir());
        if (s.running()) throw Problem.environment("maz3.resume.running", s.pid());
        resumed = s;
        runId = s.runId();
        return this;
    }

    public Summary run() throws Exception {
        Path journalFile = evidence.file(Journal.FILE);
        if (resumed == null && Files.exists(journalFile)) throw Problem.environment("maz3.journal.exists", journalFile);
        Files.deleteIfExists(evidence.file(STOP));
        long firstSeq = 1;
        long firstConnection = 0;
        if (resumed != null) {
            List<Journal.Entry> before = Journal.read(journalFile);
            firstSeq = before.stream().mapToLong(Journal.Entry::seq).max().orElse(0) + 2;
            firstConnection = before.stream().mapToLong(Journal.Entry::conn).max().orElse(0);
            attempts.set(before.size());
            for (Journal.Entry e : before) (e.outcome() == Journal.Outcome.ack ? acks : e.outcome() == Journal.Outcome.fail ? fails : unknowns).incrementAndGet();
            reads.set(resumed.reads());
        }
        Rds.Instance instance;
        try (Rds api = Rds.open(options)) {
            instance = api.describe();
        }
        Database.Login login = MasterLogin.of(options, instance);
        Instant session = Instant.now();
        Instant started = resumed == null ? session : Instant.parse(resumed.startedAt());
        long pid = ProcessHandle.current().pid();
        summary("running", pid, started, null, login).write(evidence);
        Thread status = live ? startStatusLine() : null;
        // The counts in agent.json follow the run, once a second, for whoever looks while it writes.
        Thread counts = new Thread(() -> {
            try {
                while (!stopping) {
                    Thread.sleep(1000);
                    if (!stopping) summary("running", pid, started, null, login).write(evidence);
                }
            } catch (InterruptedException | IOException e) {
                // The final counts are written when the run ends.
            }
        }, "agent-counts");
        counts.setDaemon(true);
        counts.start();
        // Beside the agent, an ordinary application's writer, to show what a typical pool's client lives through the same outage.
        OrdinaryClient ordinary = login.mysql() ? null : OrdinaryClient.start(login, evidence.file(OrdinaryClient.FILE), runId, resumed != null);
        current = login;
        Thread reader = new Thread(this::readLoop, "agent-reader");
        reader.setDaemon(true);
        reader.start();
        try (Journal journal = resumed == null ? Journal.create(journalFile) : Journal.resume(journalFile)) {
            loop(journal, login, session, firstSeq, firstConnection);
        } finally {
            stopping = true;
            if (ordinary != null) ordinary.stop();
            reader.join(3000);
            counts.interrupt();
            counts.join(3000);
            if (status != null) status.interrupt();
        }
        Summary s = summary("stopped", pid, started, Instant.now(), login);
        if (!Files.isDirectory(evidence.dir())) return s;
        s.write(evidence);
        evidence.step("maz3", started, s.acknowledged() > 0, Json.toMap(s));
        return s;
    }

    // Long because one write's whole life (connect, insert, journal, back off) stays in one loop over locals the next
    // write needs: split, a write's fate would be spread across methods.
    private void loop(Journal journal, Database.Login first, Instant started, long firstSeq, long firstConnection) throws IOException, InterruptedException {
        Instant end = duration.isZero() ? Instant.MAX : started.plus(duration);
        Path stopFile = evidence.file(STOP);
        Path routeFile = evidence.file(ROUTE);
        long routeSeen = -1;
        Route route = null;
        Database.Login login = first;
        long failingSince = 0;
        long backoff = RETRY_PAUSE_MS;
        long nextStopCheck = 0;
        Connection c = null;
        PreparedStatement insert = null;
        String writerAz = null;
        String server = null;
        long connection = firstConnection;
        boolean tableReady = false;
        long nextWrite = System.nanoTime();
        for (long seq = firstSeq; ; seq++) {
            if (writeEvery > 0) {
                // Paced from a schedule, not from the last write: a slow write is not made up for by a burst.
                long early = nextWrite - System.nanoTime();
                if (early > 0) java.util.concurrent.locks.LockSupport.parkNanos(early);
                nextWrite = Math.max(nextWrite + writeEvery, System.nanoTime());
            }
            // The end is looked at before every write, not with the files below: --duration 2 is two seconds of writes, not up to 50 ms more.
            if (Instant.now().isAfter(end)) break;
            long now = System.nanoTime();
            if (now >= nextStopCheck) {
                // An evidence folder deleted (with its home, say) leaves nobody to stop this agent and nothing to prove with its journal.
                if (Files.exists(stopFile) || !Files.isDirectory(evidence.dir())) break;
                nextStopCheck = now + 50_000_000L;
                // The application told to move leaves its connection at once, as a restarted application would.
                if (c != null && routeStamp(routeFile) != routeSeen) {
                    close(c);
                    c = null;
                }
            }
            String payload = "db007 " + runId + " #" + seq;
            // PostgreSQL and MySQL's TIMESTAMP(6) keep microseconds: the row's time must be the journal's, to the digit.
            Instant sentAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
            String checksum = Journal.checksum(runId, seq, sentAt, payload);
            boolean sent = false;
            attempts.incrementAndGet();
            try {
                if (c == null) {
                    long changed = routeStamp(routeFile);
                    if (changed != routeSeen) {
                        routeSeen = changed;
                        route = changed < 0 ? null : Json.read(routeFile, Route.class);
                        login = route == null || route.dark() ? first : first.at(route.host(), route.port());
                        current = login;
                    }
                    // Each try of a connection has its number, tried or refused by the route: a failed one ends it.
                    connection++;
                    if (route != null && route.dark()) throw new SQLException("the Region is declared lost: no connection is tried there", "08001");
                    c = Database.connect(login, 1, 2, "db007-agent");
                    // A second at most for any answer: an AZ cut off leaves a connection silent, and the agent moves on.
                    c.setNetworkTimeout(Runnable::run, (int) NETWORK_TIMEOUT.toMillis());
                    if (!tableReady) {
                        createTable(c, login);
                        tableReady = true;
                    }
                    // A connection stays on the server it reached: which one is asked once, here, not in every write.
                    String[] where = Database.server(c, login);
                    writerAz = where[0];
                    server = where[1];
                    insert = c.prepareStatement(INSERT);
                }
                insert.setString(1, runId);
                insert.setLong(2, seq);
                if (login.mysql()) {
                    // As UTC text (the session is in UTC): MySQL's driver drops the microseconds of a Timestamp
                    // when it takes the server for one older than 5.6.4, as it does MariaDB's "5.5.5-" version.
                    insert.setString(3, MYSQL_TIME.format(sentAt));
                } else {
                    insert.setTimestamp(3, Timestamp.from(sentAt));
                }
                insert.setString(4, payload);
                insert.setString(5, checksum);
                sent = true;
                insert.executeUpdate();
                Instant done = Instant.now();
                journal.append(new Journal.Entry(seq, sentAt, done, Journal.Outcome.ack, connection, writerAz, server,
                        Duration.between(sentAt, done).toNanos() / 1000, checksum, null));
                acks.incrementAndGet();
                lastAck = done;
                failing = false;
                failingSince = 0;
                backoff = RETRY_PAUSE_MS;
                az = writerAz == null ? server : writerAz;
                lastWrite = new Written(seq, payload);
            } catch (SQLException e) {
                Journal.Outcome outcome = classify(e, sent);
                Instant done = Instant.now();
                journal.append(new Journal.Entry(seq, sentAt, done, outcome, connection, null, null,
                        Duration.between(sentAt, done).toNanos() / 1000, checksum, (sent ? "" : "connect: ") + firstLine(e)));
                (outcome == Journal.Outcome.unknown ? unknowns : fails).incrementAndGet();
                failing = true;
                close(c);
                c = null;
                long now2 = System.nanoTime();
                if (failingSince == 0) failingSince = now2;
                if ((now2 - failingSince) / 1_000_000 < BACKOFF_AFTER_MS) {
                    Thread.sleep(RETRY_PAUSE_MS);
                } else {
                    backoff = Math.min(BACKOFF_CAP_MS, backoff * 2);
                    Thread.sleep(1 + java.util.concurrent.ThreadLocalRandom.current().nextLong(backoff));
                }
            }
        }
        close(c);
    }

    /** What tells a changed route file: its time and size; -1 when there is none. */
    private static long routeStamp(Path routeFile) throws IOException {
        return Files.exists(routeFile) ? Files.getLastModifiedTime(routeFile).toMillis() * 31 + Files.size(routeFile) : -1;
    }

    /**
     * Reads back the newest acknowledged row on a second connection, as the application's
     * readers would, so that reading never slows the writes the proof is about.
     */
    private void readLoop() {
        Connection c = null;
        PreparedStatement select = null;
        long lastRead = 0;
        while (!stopping) {
            try {
                // The newest acknowledged row, read back every 20 ms rather than after every write: reading
                // never stops, and never costs the primary a second query for each commit the proof is about.
                Thread.sleep(READ_EVERY_MS);
                Written w = lastWrite;
                if (w == null || w.seq() == lastRead) continue;
                if (c == null) {
                    c = Database.connect(current, 1, 2, "db007-agent-reader");
                    select = c.prepareStatement("SELECT payload FROM db007_writes WHERE run_id = ? AND seq = ?");
                }
                select.setString(1, runId);
                select.setLong(2, w.seq());
                try (ResultSet r = select.executeQuery()) {
                    if (r.next() && w.payload().equals(r.getString(1))) reads.incrementAndGet();
                }
                lastRead = w.seq();
            } catch (SQLException e) {
                close(c);
                c = null;
                Wait.pause(RETRY_PAUSE_MS);
            } catch (InterruptedException e) {
                break;
            }
        }
        close(c);
    }

    /**
     * Whether a failed write may still have happened. Only an error the server sent back for
     * this statement proves it did not; a broken connection or a server shutting down leaves
     * the commit's fate unknown (it may have committed, even replicated, before the answer was lost).
     */
    public static Journal.Outcome classify(SQLException e, boolean sent) {
        if (!sent) return Journal.Outcome.fail;
        String state = e.getSQLState();
        boolean connectionLost = state == null || state.startsWith("08") || state.startsWith("57") || state.startsWith("58")
                || e.getCause() instanceof SocketTimeoutException || e.getCause() instanceof IOException;
        return connectionLost ? Journal.Outcome.unknown : Journal.Outcome.fail;
    }

    private static final String INSERT = "INSERT INTO db007_writes (run_id, seq, sent_at, payload, checksum) VALUES (?, ?, ?, ?, ?)";

    private static final DateTimeFormatter MYSQL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

    /** The agent's table: the same columns on both engines, in each one's words. */
    public static void createTable(Connection c, Database.Login login) throws SQLException {
        try (Statement s = c.createStatement()) {
            if (login.mysql()) {
                s.execute("CREATE TABLE IF NOT EXISTS db007_writes (run_id varchar(64) NOT NULL, seq bigint NOT NULL, sent_at timestamp(6) NOT NULL,"
                        + " payload varchar(255) NOT NULL, checksum varchar(128) NOT NULL, written_at timestamp(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                        + " PRIMARY KEY (run_id, seq)) ENGINE=InnoDB");
            } else {
                s.execute("CREATE TABLE IF NOT EXISTS db007_writes (run_id text NOT NULL, seq bigint NOT NULL, sent_at timestamptz NOT NULL,"
                        + " payload text NOT NULL, checksum text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                        + " PRIMARY KEY (run_id, seq))");
            }
        }
    }

    private Thread startStatusLine() {
        boolean terminal = System.console() != null;
        Thread t = new Thread(() -> {
            long lastAcks = 0;
            long lastReads = 0;
            long lastErrors = 0;
            try {
                while (true) {
                    Thread.sleep(1000);
                    long a = acks.get();
                    long r = reads.get();
                    long e = fails.get() + unknowns.get();
                    double outage = failing ? Duration.between(lastAck, Instant.now()).toMillis() / 1000.0 : 0;
                    String line = Messages.get("maz3.live", a - lastAcks, r - lastReads, e - lastErrors, e, az, outage);
                    if (terminal) out.print("\r" + line + "   ");
                    else out.println(line);
                    out.flush();
                    lastAcks = a;
                    lastReads = r;
                    lastErrors = e;
                }
            } catch (InterruptedException done) {
                if (terminal) out.println();
            }
        }, "agent-status");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private Summary summary(String state, long pid, Instant started, Instant stopped, Database.Login login) {
        return new Summary(runId, options.target, state, pid, started.toString(), stopped == null ? null : stopped.toString(),
                login.toString(), attempts.get(), acks.get(), fails.get(), unknowns.get(), reads.get());
    }

    private static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (e.getSQLState() == null ? "" : e.getSQLState() + " ") + (nl < 0 ? m : m.substring(0, nl));
    }

    private static void close(Connection c) {
        try {
            if (c != null) c.close();
        } catch (SQLException ignored) {
            // The connection was already broken; closing is only tidying up.
        }
    }
}
