package mission;

//SOURCES ../common/Problem.java

import common.Problem;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The agent's journal: one CSV line per write attempt, appended and flushed as soon as the
 * attempt's outcome is known. It is the ground truth for RPO: a write counts as acknowledged
 * only if the database said so, and every attempt has its own sequence number, so a deleted
 * line leaves a hole that shows.
 */
public final class Journal implements AutoCloseable {
    public static final String FILE = "journal.csv";
    public static final String HEADER = "seq,sent_at,done_at,outcome,conn,az,server,latency_us,checksum,error";

    /** ack: the commit was acknowledged. fail: the write certainly did not happen. unknown: sent, no answer. */
    public enum Outcome { ack, fail, unknown }

    /**
     * One attempt. conn numbers the agent's connection attempts: every attempt made on one
     * connection has the same number, and a write whose answer was lost ends its connection.
     */
    public record Entry(long seq, Instant sentAt, Instant doneAt, Outcome outcome, long conn, String az, String server,
                        long latencyMicros, String checksum, String error) {
        String csv() {
            return seq + "," + sentAt + "," + doneAt + "," + outcome + "," + conn + "," + clean(az) + "," + clean(server) + ","
                    + latencyMicros + "," + checksum + "," + clean(error);
        }
    }

    private final BufferedWriter out;

    private Journal(BufferedWriter out) {
        this.out = out;
    }

    /**
     * A new journal, its header in place the moment the file appears: it is written beside it and
     * moved in, since another process (step 3 in the foreground, the panel) may read it at once.
     */
    public static Journal create(Path file) throws IOException {
        if (Files.exists(file)) throw new java.nio.file.FileAlreadyExistsException(file.toString());
        Path fresh = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(fresh, HEADER + System.lineSeparator(), StandardCharsets.UTF_8);
        Files.move(fresh, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        return new Journal(w);
    }

    /**
     * The journal of a run that was cut off (a session that ended, a killed agent), opened to go
     * on: a last line its writer left half-written is cut away first, since that attempt's
     * outcome was never known. Its sequence number is then skipped by the writer that resumes.
     */
    public static Journal resume(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            int tail = (int) Math.min(size, 64 << 10);
            ByteBuffer buf = ByteBuffer.allocate(tail);
            ch.read(buf, size - tail);
            int end = tail;
            while (end > 0 && buf.get(end - 1) != '\n') end--;
            if (end == 0 && size > tail) throw new IOException(file + ": no whole line in its last " + tail + " bytes");
            ch.truncate(size - tail + end);
        }
        return new Journal(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.WRITE));
    }

    /** Written and handed to the operating system before the next attempt starts. */
    public void append(Entry e) throws IOException {
        out.write(e.csv());
        out.newLine();
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** Reads a whole journal; a malformed line is a Problem naming the file and the line. */
    public static List<Entry> read(Path file) {
        List<Entry> entries = new ArrayList<>();
        // A live agent may be halfway through a line: only whole lines are read, whoever reads.
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "journal.unreadable", file, e.getMessage());
        }
        text = text.substring(0, text.lastIndexOf('\n') + 1);
        try (BufferedReader r = new BufferedReader(new java.io.StringReader(text))) {
            String header = r.readLine();
            if (!HEADER.equals(header)) throw Problem.failed("journal.header", file);
            int lineNo = 1;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank()) continue;
                entries.add(parse(file, lineNo, line));
            }
        } catch (IOException e) {
            throw new Problem(Problem.CHECK_FAILED, e, "journal.unreadable", file, e.getMessage());
        }
        return entries;
    }

    /** Reads what is there so far, ignoring a last line still being written; for following a live journal. */
    public static List<Entry> readFrom(Path file, long[] position) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size <= position[0]) return entries;
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size - position[0], 8 << 20));
            ch.read(buf, position[0]);
            String chunk = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            int end = chunk.lastIndexOf('\n');
            if (end < 0) return entries;
            for (String line : chunk.substring(0, end).split("\n")) {
                if (!line.isBlank() && !line.equals(HEADER)) entries.add(parse(file, -1, line));
            }
            position[0] += chunk.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
        }
        return entries;
    }

    private static Entry parse(Path file, int lineNo, String line) {
        String[] f = line.split(",", 10);
        try {
            if (f.length != 10) throw new IllegalArgumentException(f.length + " fields instead of 10");
            return new Entry(Long.parseLong(f[0]), Instant.parse(f[1]), Instant.parse(f[2]), Outcome.valueOf(f[3]), Long.parseLong(f[4]),
                    f[5].isEmpty() ? null : f[5], f[6].isEmpty() ? null : f[6], Long.parseLong(f[7]), f[8], f[9].isEmpty() ? null : f[9]);
        } catch (RuntimeException e) {
            throw Problem.failed("journal.line", file.getFileName(), lineNo, e.getMessage());
        }
    }

    /** The checksum every write carries: SHA-256 over its sequence number, client time and payload. */
    public static String checksum(String run, long seq, Instant sentAt, String payload) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((run + "|" + seq + "|" + sentAt + "|" + payload).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String clean(String s) {
        // Commas and line breaks would split the CSV line; error texts may contain both.
        return s == null ? "" : s.replace(',', ';').replace('\n', ' ').replace('\r', ' ');
    }
}
