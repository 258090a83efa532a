package region;

//SOURCES ../common/FileTree.java ../common/Json.java ../common/Wait.java PgBinaries.java PgNode.java ServerAccount.java

import common.FileTree;
import common.Json;
import common.Wait;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The region's continuous archive, as RDS's automated backups are: every WAL segment the primary
 * fills, or closes after archive_timeout, is copied compressed into DATA_ROOT/archive/wal by the
 * server itself (archive_command); a base backup is taken when the primary is created
 * (DATA_ROOT/archive/base/TIME); and a new instance can be restored from them to any moment
 * between the end of the oldest base backup and the newest archived segment. Both AZs archive
 * into the same folder: after a failover the new primary goes on where the old one stopped, on
 * a new timeline, as RDS's backups carry on across a Multi-AZ failover.
 *
 * A restored instance is a new server on a port of its own (DATA_ROOT/pitr-ID); it is never put
 * behind the writer endpoint, and it archives nothing.
 */
final class Archive {
    /** How long a segment may wait before the server closes and archives it: the local region's "latest restorable time" lag. */
    static final Duration ARCHIVE_TIMEOUT = Duration.ofSeconds(5);
    /** 1 MB segments (initdb --wal-segsize=1): the segment number runs 0..0xFFF within each 4 GB "log". */
    private static final long SEGMENT_BYTES = 1 << 20;
    private static final long SEGMENTS_PER_LOG = 0x100000000L / SEGMENT_BYTES;
    private static final Pattern SEGMENT = Pattern.compile("([0-9A-F]{8})([0-9A-F]{8})([0-9A-F]{8})");
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** One base backup: where it is, when it was consistent, and the first WAL segment it needs. */
    record Base(String dir, Instant startedAt, Instant consistentAt, String startSegment) {}

    /** The span a restore may target: from the oldest base backup's end to the newest archived segment. */
    record Window(Instant earliest, Instant latest) {}

    private final Path root;
    private final ServerAccount account;

    Archive(Path dataRoot, ServerAccount account) {
        this.root = dataRoot.resolve("archive");
        this.account = account;
    }

    Path wal() { return root.resolve("wal"); }

    Path bases() { return root.resolve("base"); }

    /** Creates the archive's folders, owned by the account the servers run as: they write into it. */
    void prepare() throws IOException {
        Files.createDirectories(wal());
        Files.createDirectories(bases());
        account.ownTree(root);
    }

    /**
     * A node's settings for archiving into this folder, for postgresql.auto.conf. "always": a
     * standby archives what it receives too, so that the segments a primary had not archived yet
     * when it was lost are in the archive all the same, and a failover leaves no gap. Both write
     * the same names with the same content; each through a part file of its own.
     */
    List<String> archiveSettings(String az) {
        Path part = wal().resolve("%f.gz." + az + ".part");
        return List.of(
                "archive_mode = always",
                // Compressed: a segment closed by archive_timeout is mostly empty and shrinks to a few kB.
                "archive_command = " + quoted("gzip -1 -c %p > " + shell(part) + " && mv -f " + shell(part) + " " + shell(wal().resolve("%f.gz"))),
                "archive_timeout = '" + ARCHIVE_TIMEOUT.toSeconds() + "s'");
    }

    /**
     * Unpacks, on every core, the archived segments a restore from this base backup replays (and
     * the timelines' history files) into the new server's pg_wal, those not unpacked already:
     * before it starts, then again while it waits for more. Each lands under its own name in one
     * rename, so the server never reads half a file.
     */
    private int stage(Base base, Path pgWal, Set<String> done) throws IOException {
        Matcher start = SEGMENT.matcher(base.startSegment());
        if (!start.matches()) throw new IOException("the base backup names no start segment: " + base.startSegment());
        long from = number(start);
        List<Path> wanted = new ArrayList<>();
        try (Stream<Path> list = Files.list(wal())) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = segmentName(p);
                Matcher m = SEGMENT.matcher(name);
                if (!p.toString().endsWith(".gz") || done.contains(name)) continue;
                if ((m.matches() && number(m) >= from) || name.endsWith(".history")) wanted.add(p);
            }
        }
        if (wanted.isEmpty()) return 0;
        Files.createDirectories(pgWal);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(Math.max(1, Runtime.getRuntime().availableProcessors()));
        try {
            List<java.util.concurrent.Future<?>> unpacking = new ArrayList<>();
            for (Path p : wanted) {
                unpacking.add(pool.submit(() -> {
                    Path to = pgWal.resolve(segmentName(p));
                    Path part = to.resolveSibling(to.getFileName() + ".part");
                    try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(p), 1 << 16)) {
                        Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    }
                    account.own(part);
                    Files.move(part, to, StandardCopyOption.ATOMIC_MOVE);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : unpacking) f.get();
        } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
            throw new IOException("could not unpack the archived WAL: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
        }
        for (Path p : wanted) done.add(segmentName(p));
        return wanted.size();
    }

    /** Where the newest segment unpacked so far starts in the WAL, in bytes. */
    private static long lastSegmentStart(Set<String> staged) {
        long last = 0;
        for (String name : staged) {
            Matcher m = SEGMENT.matcher(name);
            if (m.matches()) last = Math.max(last, number(m));
        }
        return last * SEGMENT_BYTES;
    }

    /**
     * A base backup of the running primary into the archive, taken with the low-level API: it is
     * consistent once the segment that ends it is archived, so it joins the archive only then.
     */
    Base takeBase(PgNode primary, String password) throws IOException, SQLException {
        prepare();
        Instant started = Instant.now();
        Path dir = bases().resolve(NAME.format(started));
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        PgNode.Backup backup = primary.baseBackupTo(partial, password, () -> false);
        Matcher m = Pattern.compile("START WAL LOCATION: \\S+ \\(file ([0-9A-F]{24})\\)").matcher(backup.label());
        if (!m.find()) throw new IOException("the base backup's label names no start segment: " + backup.label());
        // Watched here every 20 ms: pg_backup_stop's own wait looks once a second, and took a second of every new lab's creation.
        Path ends = wal().resolve(backup.lastSegment() + ".gz");
        try {
            Wait.until("segment " + backup.lastSegment() + " in the archive", Duration.ofSeconds(60), Duration.ofMillis(20), () -> Files.exists(ends) ? ends : null);
        } catch (Wait.TimedOut e) {
            FileTree.delete(partial);
            throw new IOException(e.getMessage(), e);
        }
        // Consistent from its stop on, now that the segment holding the stop is archived.
        Base base = new Base(dir.getFileName().toString(), started, backup.stoppedAt(), m.group(1));
        Json.writeAtomically(partial.resolve("db007-base.json"), base);
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
        account.ownTree(dir);
        return base;
    }

    /** Every complete base backup, oldest first. */
    List<Base> bases(boolean any) throws IOException {
        List<Base> all = new ArrayList<>();
        if (!Files.isDirectory(bases())) return all;
        try (Stream<Path> list = Files.list(bases())) {
            for (Path d : (Iterable<Path>) list.filter(p -> Files.exists(p.resolve("db007-base.json")))::iterator) all.add(Json.read(d.resolve("db007-base.json"), Base.class));
        }
        all.sort(Comparator.comparing(Base::consistentAt));
        return all;
    }

    /** The newest archived segment and when it was archived (the file's time); null before the first. */
    Instant latestArchived() throws IOException {
        if (!Files.isDirectory(wal())) return null;
        try (Stream<Path> list = Files.list(wal())) {
            return list.filter(p -> SEGMENT.matcher(segmentName(p)).matches()).map(p -> {
                try {
                    return Files.getLastModifiedTime(p).toInstant();
                } catch (IOException e) {
                    return Instant.EPOCH;
                }
            }).max(Comparator.naturalOrder()).orElse(null);
        }
    }

    /**
     * The restorable window. A segment archived at time T holds every commit made before it was
     * closed, which is at most T: the newest archived segment's time bounds what can be restored.
     */
    Window window() throws IOException {
        List<Base> all = bases(true);
        Instant latest = latestArchived();
        // Right after the first base backup, until the next segment is archived (5 s at most), nothing is restorable yet.
        if (all.isEmpty() || latest == null || latest.isBefore(all.get(0).consistentAt())) return null;
        return new Window(all.get(0).consistentAt(), latest);
    }

    /**
     * The first segment missing between a base backup's start and the newest archived segment,
     * whatever the timeline: after a failover the new timeline's segments carry on the numbering.
     * Null when the archive is whole.
     */
    String firstGap(Base base) throws IOException {
        TreeSet<Long> have = new TreeSet<>();
        String timeline = base.startSegment().substring(0, 8);
        try (Stream<Path> list = Files.list(wal())) {
            for (Path p : (Iterable<Path>) list::iterator) {
                Matcher m = SEGMENT.matcher(segmentName(p));
                if (!m.matches()) continue;
                have.add(number(m));
                if (m.group(1).compareTo(timeline) > 0) timeline = m.group(1);
            }
        }
        Matcher start = SEGMENT.matcher(base.startSegment());
        if (!start.matches()) return base.startSegment();
        long from = number(start);
        if (have.isEmpty() || have.last() < from) return base.startSegment();
        for (long n = from; n <= have.last(); n++) {
            if (!have.contains(n)) return String.format("%s%08X%08X", timeline, n / SEGMENTS_PER_LOG, n % SEGMENTS_PER_LOG);
        }
        return null;
    }

    /**
     * Restores a new server, stopped at the given moment: the newest base backup consistent
     * before it, its WAL replayed from the archive up to (not including) the first commit at or
     * after the target, then promoted. Returns once it takes writes.
     */
    Restore restore(String id, int port, Instant target, PgNode template, PgBinaries bin, String password) throws IOException, SQLException {
        Base base = null;
        for (Base b : bases(true)) if (!b.consistentAt().isAfter(target)) base = b;
        if (base == null) throw new IllegalArgumentException("no base backup ends before " + target);
        Instant begun = Instant.now();
        String gap = firstGap(base);
        if (gap != null) throw new IllegalStateException(gap);
        // Unreadable staged files would be left for PostgreSQL to stumble on: a failed restore removes its folder.
        Path dataRoot = root.getParent();
        PgNode node = new PgNode("pitr-" + id, port, dataRoot, bin, account);
        Path partial = dataRoot.resolve(node.dataDir.getFileName() + ".partial");
        FileTree.delete(partial);
        FileTree.copy(bases().resolve(base.dir()), partial);
        Files.deleteIfExists(partial.resolve("db007-base.json"));
        Instant copied = Instant.now();
        Set<String> staged = new HashSet<>();
        int files = stage(base, partial.resolve("pg_wal"), staged);
        Instant unpacked = Instant.now();
        // Standby mode with no restore_command: the server replays what is in its pg_wal without
        // running a command for each segment (a million rows: 5 to 9 s instead of 13 to 18), stops
        // at the target as archive recovery would, and looks again in pg_wal, where awaitTarget
        // puts what is archived meanwhile.
        Files.writeString(partial.resolve("standby.signal"), "");
        Files.writeString(partial.resolve("postgresql.auto.conf"), String.join("\n",
                "# Written by the DB007 control plane: a point-in-time restore, never behind the writer endpoint.",
                "port = " + port,
                "cluster_name = '" + node.az + "'",
                "db007.az = '" + template.az + "'",
                "synchronous_standby_names = ''",
                "archive_mode = off",
                // Replay only: no restartpoint in the middle of it, and room for the pages it touches.
                "max_wal_size = '4GB'",
                "checkpoint_timeout = '1h'",
                "shared_buffers = '128MB'",
                "recovery_target_time = '" + DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC).format(target) + "+00'",
                "recovery_target_inclusive = off",
                "recovery_target_timeline = 'latest'",
                "recovery_target_action = '" + (files > LONG_REPLAY_FILES ? "pause" : "promote") + "'",
                "") + "\n");
        Files.setPosixFilePermissions(partial, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        account.ownTree(partial);
        FileTree.delete(node.dataDir);
        Files.move(partial, node.dataDir, StandardCopyOption.ATOMIC_MOVE);
        long logFrom = node.logSize();
        node.start();
        files += awaitTarget(node, base, staged, password, logFrom, files > LONG_REPLAY_FILES);
        return new Restore(files, Duration.between(begun, copied), Duration.between(copied, unpacked), Duration.between(unpacked, Instant.now()));
    }

    /** Whether a server is still in recovery, paused at its target, and how far its replay has come (bytes of WAL). */
    private record Replay(boolean inRecovery, boolean paused, Long position) {}

    /** Null while the server takes no connection yet (it has not reached a consistent state). */
    private static Replay replay(KeptConnection looks) {
        try {
            return looks.ask(s -> {
                try (ResultSet r = s.executeQuery("SELECT pg_is_in_recovery(), pg_is_in_recovery() AND pg_is_wal_replay_paused(), "
                        + "(pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")) {
                    r.next();
                    long position = r.getLong(3);
                    return new Replay(r.getBoolean(1), r.getBoolean(2), r.wasNull() ? null : position);
                }
            });
        } catch (SQLException notYet) {
            return null;
        }
    }

    /**
     * Waits until the restored server has stopped at its target and been promoted, unpacking
     * into its pg_wal what is archived meanwhile; returns how many files that was. The server
     * stops at the first commit at or after the target, which a working region archives within
     * seconds (its health probe commits every 50 ms, archive_timeout closes a segment within 5 s).
     * When the replay stands at the end of the archive and nothing new has come for twice that
     * long, no such commit is coming: the restore fails and says why, as PostgreSQL's own archive
     * recovery would, rather than wait ten minutes or promote a copy that may lack writes.
     */
    private int awaitTarget(PgNode node, Base base, Set<String> staged, String password, long logFrom, boolean promoteAtPause) throws IOException {
        Path pgWal = node.dataDir.resolve("pg_wal");
        // What the watch below keeps between its looks: files staged, the last replay position and since when it stands still.
        var seen = new Object() {
            int files;
            Long replayed;
            Instant still = Instant.now();
            boolean promote = promoteAtPause;
        };
        try (KeptConnection looks = new KeptConnection(node, password, 5)) {
            Wait.until("the restored server to reach its target and be promoted", Duration.ofMinutes(10), Duration.ofMillis(50), () -> {
                if (!node.running()) throw new IOException("the restored server stopped during recovery" + node.logTail());
                Replay r = replay(looks);
                if (r != null && !r.inRecovery()) return true;
                if (r != null && r.paused() && seen.promote) {
                    try {
                        node.promoteAtTarget(password);
                    } catch (SQLException e) {
                        throw new IOException("the restored server could not be promoted: " + e.getMessage(), e);
                    }
                    seen.promote = false;
                    return false;
                }
                int more = stage(base, pgWal, staged);
                seen.files += more;
                if (r == null || r.position() == null || more > 0 || !r.position().equals(seen.replayed)) {
                    seen.replayed = r == null ? null : r.position();
                    seen.still = Instant.now();
                } else if (r.position() >= lastSegmentStart(staged) && Duration.between(seen.still, Instant.now()).compareTo(NOTHING_MORE) > 0
                        && !node.logSince(logFrom).contains("recovery stopping")) {
                    throw new IOException("the archive holds no commit at or after the target: its replay ended at byte " + r.position()
                            + " of the WAL and nothing more was archived for " + NOTHING_MORE.toSeconds() + " s. Is the region's primary archiving?"
                            + " Try again once the region is ready, or choose an earlier time.");
                }
                return false;
            });
        } catch (Wait.TimedOut e) {
            throw new IOException("the restored server is still recovering after 10 minutes" + node.logTail());
        }
        return seen.files;
    }

    /**
     * Beyond this many segments (1 MB each) to replay, the restored server pauses at its target
     * and is promoted on request. Promoting itself, it checkpoints before it takes connections:
     * the pages it replayed, and the rename and fsync of every segment it recycles (5 s after a
     * million rows here). Promoted on request, it checkpoints in the background, but PostgreSQL
     * looks for the request during a pause only once a second: a loss for a short replay.
     */
    private static final int LONG_REPLAY_FILES = 128;

    /** How long a replay at the end of the archive waits for more before giving up: two archive_timeouts. */
    static final Duration NOTHING_MORE = ARCHIVE_TIMEOUT.multipliedBy(2);

    /** Where a restore spent its time: copying the base backup, unpacking the WAL, replaying it. */
    record Restore(int files, Duration copy, Duration unpack, Duration replay) {}

    private static String segmentName(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".gz") ? n.substring(0, n.length() - 3) : n;
    }

    private static long number(Matcher m) {
        return Long.parseLong(m.group(2), 16) * SEGMENTS_PER_LOG + Long.parseLong(m.group(3), 16);
    }

    /** A value for postgresql.conf: single quotes, any inside doubled. */
    private static String quoted(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    /** A path for the shell the server runs archive_command in. */
    private static String shell(Path p) {
        return "\"" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`") + "\"";
    }
}
