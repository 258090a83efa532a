package region;

//SOURCES ../common/Database.java ../common/FileTree.java ../common/Home.java ../common/Wait.java DataFolderCopy.java PgBinaries.java Processes.java
//SOURCES KeptConnection.java Region.java ServerAccount.java

import common.Database;
import common.FileTree;
import common.Home;
import common.Wait;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One PostgreSQL server of the region, in one AZ: its data folder, its port, and what the control
 * plane does to it (create, start, stop, kill, promote, clone). Only initdb, pg_ctl and postgres
 * are used, because that is all the embedded binaries hold.
 */
final class PgNode {
    final String az;
    final int port;
    /** Where the other AZ's standby reaches this server for replication, and the control plane reaches it: relays of the region's network. */
    final int replicationPort;
    final int controlPort;
    final Path dataDir;
    final Path logFile;
    private final PgBinaries bin;
    private final ServerAccount account;
    /** Settings every configuration of this node carries besides its role: the region's WAL archive. */
    private List<String> archiving = List.of();

    /** A server reached directly, with no relay in front of it (a restored instance). */
    PgNode(String az, int port, Path dataRoot, PgBinaries bin, ServerAccount account) {
        this(az, port, port, port, dataRoot, bin, account);
    }

    PgNode(String az, int port, int replicationPort, int controlPort, Path dataRoot, PgBinaries bin, ServerAccount account) {
        this.az = az;
        this.port = port;
        this.replicationPort = replicationPort;
        this.controlPort = controlPort;
        this.dataDir = dataRoot.resolve(az);
        this.logFile = dataRoot.resolve(az + ".log");
        this.bin = bin;
        this.account = account;
    }

    boolean hasData() { return Files.exists(dataDir.resolve("PG_VERSION")); }

    void archiving(List<String> settings) { this.archiving = List.copyOf(settings); }

    /**
     * A new primary. initdb takes a second, most of what up costs, and gives the same result
     * for every lab on the same binaries: so it runs once, into a template that each new
     * primary copies; the copy then gets this lab's own master password, in single-user mode.
     */
    void initdb(String password) throws IOException {
        Path template = template();
        // cp as the server account: the copy is its own from the start, and cp is several times faster than a Java walk.
        run(Duration.ofSeconds(120), "cp", "-R", "-p", template.toString(), dataDir.toString());
        // On standard input, never on a command line where ps would show it; stored as a SCRAM hash.
        Process single = new ProcessBuilder(account.command(List.of(bin.program("postgres").toString(), "--single", "-D", dataDir.toString(), "postgres")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try (var in = single.getOutputStream()) {
            in.write(("ALTER ROLE " + Region.MASTER_USER + " PASSWORD '" + password + "';\n").getBytes(StandardCharsets.UTF_8));
        }
        try {
            if (!single.waitFor(60, TimeUnit.SECONDS) || single.exitValue() != 0) {
                single.destroyForcibly();
                throw new IOException("could not set the master password of " + az + " in single-user mode");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The settings every node shares, appended to initdb's postgresql.conf in the template. */
    private static final String SETTINGS = String.join("\n",
                "",
                "# DB007 region: the same on every node; what differs per node is in postgresql.auto.conf",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "wal_level = replica",
                "max_wal_senders = 8",
                "max_replication_slots = 8",
                "hot_standby = on",
                "synchronous_commit = on",
                "# The 5 s default makes a standby wait that long before it notices a promotion request.",
                "wal_retrieve_retry_interval = '20ms'",
                "wal_receiver_status_interval = '1s'",
                "# Little WAL kept between checkpoints: the lab holds a few MB of data, on a student's small disk.",
                "min_wal_size = '16MB'",
                "max_wal_size = '256MB'",
                "# A crash recovery replays what came after the last checkpoint: half a minute of it at most.",
                "checkpoint_timeout = '30s'",
                "wal_compression = on",
                "# Each commit's time is kept: a point-in-time restore can stop exactly before a given commit.",
                "track_commit_timestamp = on",
                "# No logical replication here: without its launcher to wait for, a fast shutdown (a planned failover) is 90 ms shorter.",
                "max_logical_replication_workers = 0",
                "password_encryption = 'scram-sha-256'",
                "max_connections = 40",
                "shared_buffers = '32MB'",
                "log_line_prefix = '%m [%p] '",
                "");

    /**
     * A server restarted after a crash first syncs its whole data folder to disk: file by file, that
     * took 0.9 s of a primary's 1.1 s restart here, while its clients wait. One syncfs() of the file
     * system does the same.
     */
    private static final String SYNC_AT_RECOVERY = "recovery_init_sync_method = syncfs\n";
    /** Elsewhere (a student's Mac) PostgreSQL has no syncfs, and would refuse to start with the setting. */
    private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");

    /** A new region's standby: a copy of its primary's folder before that primary first starts, as good as a base backup. */
    void copyUnstarted(PgNode primary) throws IOException {
        if (primary.running()) throw new IOException("the primary in " + primary.az + " runs: its folder cannot be copied as it is");
        FileTree.delete(dataDir);
        run(Duration.ofSeconds(120), "cp", "-R", "-p", primary.dataDir.toString(), dataDir.toString());
    }

    /** The initdb'd template for these binaries, made on first use (throwaway password, common settings). */
    private Path template() throws IOException {
        Path home = account.switchesUser() ? Path.of("/var/tmp/db007") : Home.cache();
        String id = Integer.toHexString(bin.bin().toAbsolutePath().toString().hashCode());
        // "w5": the settings below; a template made with other settings is not reused.
        Path template = home.resolve("template-pg" + bin.version() + "-w5-" + id);
        if (Files.exists(template.resolve("PG_VERSION"))) return template;
        Files.createDirectories(home);
        Path work = Files.createDirectories(home.resolve(template.getFileName() + ".tmp-" + ProcessHandle.current().pid()));
        Path data = work.resolve("data");
        Path pwfile = work.resolve("pw");
        byte[] random = new byte[18];
        new SecureRandom().nextBytes(random);
        Files.writeString(pwfile, Base64.getUrlEncoder().encodeToString(random) + "\n");
        Files.setPosixFilePermissions(pwfile, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        account.own(work);
        account.own(pwfile);
        try {
            // --no-sync: its final fsync costs a second and guards only against a machine crash during this very run.
            run(Duration.ofSeconds(120), bin.program("initdb").toString(), "-D", data.toString(), "-U", Region.MASTER_USER,
                    "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync",
                    // 1 MB WAL segments instead of 16: a node keeps a few MB of WAL, not 50 (CloudShell's home is 1 GB).
                    "--wal-segsize=1");
            Files.writeString(data.resolve("postgresql.conf"), bin.major() >= 14 && LINUX ? SETTINGS + SYNC_AT_RECOVERY : SETTINGS, StandardOpenOption.APPEND);
            try {
                Files.move(data, template, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                // Another lab made the same template at the same moment: theirs is as good.
            }
        } finally {
            FileTree.delete(work);
        }
        return template;
    }

    /** Everything that makes this node itself: its port, its AZ, and its place in replication. */
    void configure(String syncStandby, PgNode upstream, String password) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "# Written by the DB007 control plane.",
                "port = " + port,
                "cluster_name = '" + az + "'",
                "db007.az = '" + az + "'",
                "synchronous_standby_names = '" + (syncStandby == null ? "" : syncStandby) + "'"));
        lines.addAll(archiving);
        // A replication link gone silent (an AZ cut off) is noticed in seconds, not the default minute.
        lines.add("wal_sender_timeout = '5s'");
        lines.add("wal_receiver_timeout = '5s'");
        // A replica in another Region (step 11) has no slot, which would not follow a failover: the last 64 MB of WAL wait for it.
        lines.add("wal_keep_size = '64MB'");
        if (upstream != null) {
            lines.add("primary_conninfo = 'host=127.0.0.1 port=" + upstream.replicationPort + " user=" + Region.MASTER_USER
                    + " password=" + password + " application_name=" + az + " connect_timeout=2'");
            lines.add("primary_slot_name = '" + slotName() + "'");
        }
        Path conf = dataDir.resolve("postgresql.auto.conf");
        Files.writeString(conf, String.join("\n", lines) + "\n");
        account.own(conf);
        Path signal = dataDir.resolve("standby.signal");
        if (upstream != null) {
            Files.writeString(signal, "");
            account.own(signal);
        } else {
            Files.deleteIfExists(signal);
        }
    }

    String slotName() { return az; }

    /**
     * A read replica in another Region (step 11): it streams from upstreamPort, the region's
     * link to it, with no slot and no synchronous role, and archives nothing into the region's
     * archive, which a Region's loss takes with it.
     */
    void configureReplica(int upstreamPort, String password) throws IOException {
        List<String> lines = List.of(
                "# Written by the DB007 replica Region.",
                "port = " + port,
                "cluster_name = '" + az + "'",
                "db007.az = '" + az + "'",
                "synchronous_standby_names = ''",
                "archive_mode = off",
                "wal_receiver_timeout = '5s'",
                "primary_conninfo = 'host=127.0.0.1 port=" + upstreamPort + " user=" + Region.MASTER_USER + " password=" + password
                        + " application_name=" + az + " connect_timeout=10'");
        Path conf = dataDir.resolve("postgresql.auto.conf");
        Files.writeString(conf, String.join("\n", lines) + "\n");
        account.own(conf);
        Path signal = dataDir.resolve("standby.signal");
        Files.writeString(signal, "");
        account.own(signal);
    }

    /**
     * Starts the server and returns once it accepts connections. It does what pg_ctl start -w
     * does, but looks at postmaster.pid every 5 ms instead of every 100 ms: up and failover
     * both wait on this.
     */
    void start() throws IOException {
        start(() -> false);
    }

    /**
     * The same, given up (the server stopped) as soon as giveUp says so: a standby whose primary
     * died right after its base backup never reaches a consistent state, and would be waited for
     * the whole minute while its primary waits to be restarted.
     */
    void start(java.util.function.BooleanSupplier giveUp) throws IOException {
        Process postmaster = new ProcessBuilder(account.command(List.of(bin.program("postgres").toString(), "-D", dataDir.toString())))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        try {
            Wait.until("postgres in " + az + " to accept connections", Duration.ofSeconds(60), Duration.ofMillis(5), () -> {
                if (!postmaster.isAlive()) throw new IOException("postgres in " + az + " exited at start (code " + postmaster.exitValue() + ")" + logTail());
                if (giveUp.getAsBoolean()) {
                    postmaster.destroyForcibly();
                    throw new IOException("the start of postgres in " + az + " was given up");
                }
                try {
                    List<String> pid = Files.readAllLines(dataDir.resolve("postmaster.pid"));
                    // Line 8 is the postmaster's status: "ready" for a primary, "standby" for a hot standby.
                    return pid.size() >= 8 && pid.get(0).trim().equals(Long.toString(postmaster.pid()))
                            && (pid.get(7).trim().equals("ready") || pid.get(7).trim().equals("standby"));
                } catch (IOException notYetWritten) {
                    // The postmaster writes its pid file a few milliseconds after it starts.
                    return false;
                }
            });
        } catch (Wait.TimedOut e) {
            throw new IOException("postgres in " + az + " is not ready after 60 s" + logTail());
        }
    }

    /**
     * A fast shutdown: sessions are ended and the last WAL reaches the standby before the server
     * exits. SIGINT is what pg_ctl -m fast sends; waiting here, rather than in pg_ctl, notices
     * the exit within milliseconds instead of pg_ctl's tenth of a second.
     */
    void stopFast(Duration timeout) throws IOException {
        Long pid = postmasterPid();
        if (pid == null) return;
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(pid)).redirectErrorStream(true).start();
        try {
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try {
            Wait.until("postgres in " + az + " to stop", timeout, Duration.ofMillis(2), () -> !Processes.alive(pid));
        } catch (Wait.TimedOut e) {
            throw new IOException(az + " did not stop within " + timeout.toMillis() + " ms");
        }
    }

    Long postmasterPid() {
        return postmasterPid(dataDir);
    }

    /** The postmaster of the server in that data folder, if it is alive. */
    static Long postmasterPid(Path dataDir) {
        Long pid = recordedPid(dataDir);
        return pid != null && Processes.alive(pid) ? pid : null;
    }

    /** The pid the postmaster wrote in its data folder, alive or not; null when there is none. */
    private static Long recordedPid(Path dataDir) {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** A postmaster stopped by SIGSTOP (FROZEN) is alive but takes no new connection: for a client, it is down. */
    enum ProcessState { GONE, RUNNING, FROZEN }

    /** One look at the postmaster: one read of its pid file and one of /proc (the monitor looks 20 times a second). */
    ProcessState processState() {
        Long pid = recordedPid(dataDir);
        if (pid == null) return ProcessState.GONE;
        char state = Processes.state(pid);
        if (state == 'T' || state == 't') return ProcessState.FROZEN;
        // '?' where there is no /proc (macOS), or for a process gone.
        if (state == '?') return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent() ? ProcessState.RUNNING : ProcessState.GONE;
        return state == 'Z' || state == 'X' ? ProcessState.GONE : ProcessState.RUNNING;
    }

    boolean running() { return processState() != ProcessState.GONE; }

    boolean frozen() { return processState() == ProcessState.FROZEN; }

    /** Kills every process of this server with SIGKILL, the postmaster and each backend, even stopped ones. */
    int kill() {
        List<ProcessHandle> victims = new ArrayList<>(Processes.in(dataDir));
        Long pid = postmasterPid();
        if (pid != null) ProcessHandle.of(pid).filter(p -> !victims.contains(p)).ifPresent(victims::add);
        return Processes.kill(victims);
    }

    /** Moves the data folder aside so that this server can never start again as a primary. */
    Path fence() throws IOException {
        if (!Files.exists(dataDir)) return null;
        Path fenced = dataDir.resolveSibling(az + ".fenced-" + Instant.now().toEpochMilli());
        Files.move(dataDir, fenced, StandardCopyOption.ATOMIC_MOVE);
        return fenced;
    }

    /** The master user's login to this node, as the control plane reaches it: through its link to the node's AZ. */
    Database.Login login(String password) {
        return new Database.Login("postgres", "127.0.0.1", controlPort, Region.MASTER_USER, password, Region.DATABASE, null);
    }

    Connection connect(String password, int socketTimeoutSeconds) throws SQLException {
        return Database.connect(login(password), connectTimeoutSeconds, socketTimeoutSeconds, "db007-control-plane");
    }

    /** How long a connection to this server may take: 2 s in a region; more across Regions, where a login is several round trips. */
    int connectTimeoutSeconds = 2;

    /**
     * Promotes this standby and waits until it takes writes. pg_promote(wait => true) polls only
     * ten times a second, so the wait is done here, more finely.
     */
    void promote(String password, Duration timeout) throws SQLException {
        try (Connection c = connect(password, 5); Statement s = c.createStatement()) {
            s.execute("SELECT pg_promote(false)");
            Wait.until("standby " + az + " to leave recovery", timeout, Duration.ofMillis(2), () -> {
                try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery()")) {
                    r.next();
                    return !r.getBoolean(1);
                }
            });
        } catch (Wait.TimedOut e) {
            throw new SQLException("standby " + az + " still in recovery after " + timeout.toMillis() + " ms");
        }
    }

    /**
     * Makes this node a copy of the running primary with PostgreSQL's low-level base backup:
     * a replication slot first, so the primary keeps the WAL the copy will need, then
     * backup start, a file copy, backup stop and the backup label it returns. The copy is made
     * beside the data folder and takes its place only once whole: half a copy, left by a primary
     * lost in the middle, can never be started as a server.
     */
    void cloneFrom(PgNode primary, String password, BooleanSupplier abandoned) throws IOException, SQLException {
        if (Files.exists(dataDir)) FileTree.delete(dataDir);
        Path copy = dataDir.resolveSibling(az + ".partial");
        try (Connection c = primary.connect(password, 120); Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slotName() + "' AND NOT active");
            try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slotName() + "'")) {
                r.next();
                if (r.getInt(1) == 0) s.execute("SELECT pg_create_physical_replication_slot('" + slotName() + "', true)");
            }
        }
        primary.baseBackupTo(copy, password, abandoned);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
        account.ownTree(copy);
        Files.move(copy, dataDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * A base backup of this running server into a new folder, with PostgreSQL's low-level API:
     * backup start, a file copy, backup stop and the backup label it returns, which is written into
     * the copy and returned with the moment the stop returned: the copy is consistent from its
     * end-of-backup record on, written during the stop, so a restore may aim no earlier. The stop
     * closes the WAL segment that ends the backup (lastSegment) and does not wait for its
     * archiving: PostgreSQL checks the archive only once a second, and whoever needs the segment
     * archived watches for it. Half a copy is deleted.
     */
    record Backup(String label, Instant stoppedAt, String lastSegment) {}

    Backup baseBackupTo(Path copy, String password, BooleanSupplier abandoned) throws IOException, SQLException {
        FileTree.delete(copy);
        try (Connection c = connect(password, 300); Statement s = c.createStatement()) {
            boolean modern = bin.major() >= 15;
            s.execute(modern ? "SELECT pg_backup_start('db007 " + az + "', true)" : "SELECT pg_start_backup('db007 " + az + "', true, false)");
            DataFolderCopy.copy(dataDir, copy, abandoned);
            String label;
            String lastSegment;
            // pg_walfile_name names the segment that holds the byte before the stop, as the stop's own wait does.
            try (ResultSet r = s.executeQuery("SELECT labelfile, spcmapfile, pg_walfile_name(lsn) FROM "
                    + (modern ? "pg_backup_stop(false)" : "pg_stop_backup(false, false)"))) {
                r.next();
                label = r.getString(1);
                Files.writeString(copy.resolve("backup_label"), label);
                String map = r.getString(2);
                if (map != null && !map.isBlank()) Files.writeString(copy.resolve("tablespace_map"), map);
                lastSegment = r.getString(3);
            }
            return new Backup(label, Instant.now(), lastSegment);
        } catch (IOException | SQLException e) {
            FileTree.delete(copy);
            throw e;
        }
    }

    /**
     * Promotes a server paused at its recovery target: it writes an end-of-recovery record and
     * checkpoints afterwards, in the background. PostgreSQL 13 cannot be promoted during a pause:
     * it is let go, and checkpoints first.
     */
    void promoteAtTarget(String password) throws SQLException {
        try (Connection c = connect(password, 10); Statement s = c.createStatement()) {
            // From PostgreSQL 14 the promotion ends the pause itself. Ending it here as well would
            // race the promotion's signal, and the server would end its recovery as if unasked.
            s.execute(bin.major() >= 14 ? "SELECT pg_promote(false)" : "SELECT pg_wal_replay_resume()");
        }
    }

    /** The size of the server's log so far: what it writes from now on is read with logSince. */
    long logSize() {
        try {
            return Files.exists(logFile) ? Files.size(logFile) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    String logSince(long from) {
        try (var in = Files.newInputStream(logFile)) {
            in.skipNBytes(Math.min(from, Files.size(logFile)));
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private void run(Duration timeout, String... command) throws IOException {
        Process p = new ProcessBuilder(account.command(List.of(command))).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer after " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.exitValue() != 0) {
            throw new IOException(Path.of(command[0]).getFileName() + " " + command[1] + " failed for " + az + ": " + out + logTail());
        }
    }

    /** The last lines of the server's log, to explain a failure. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return lines.isEmpty() ? "" : "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

}
