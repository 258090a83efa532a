package grading;

//SOURCES ../common/Bundle.java ../common/Problem.java

import common.Bundle;
import common.Problem;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A bundle read as hostile input: copied, zip or folder, into a scratch folder of its own within
 * limits checked while it is inflated, so that nothing in it (a name, a link, a size) reaches
 * outside that folder. The grader's only way into a student's files.
 */
public final class BundleReader {
    private BundleReader() {}

    /**
     * How much a bundle may hold. An honest one holds a few MB: journals and rows of a mission
     * (about 1 MB a minute of writing), small SQLite backups, the app's log.
     */
    public record Limits(int entries, long totalBytes, long entryBytes, long ratio) {
        public static final Limits CLASS = new Limits(5_000, 256L << 20, 64L << 20, 200);
    }

    /**
     * Copies a bundle, zip or folder, into the empty scratch folder given, and returns it. Refused
     * with a reason in the student's terms, and nothing kept, when the bundle breaks a limit,
     * names a file outside itself, or holds a link or anything else than plain files.
     */
    public static Path unpack(Path bundle, Path scratch, Limits limits) throws IOException {
        Path root = scratch.toAbsolutePath().normalize();
        try {
            if (Files.isDirectory(bundle, LinkOption.NOFOLLOW_LINKS)) copyFolder(bundle, root, limits);
            else if (Files.isRegularFile(bundle, LinkOption.NOFOLLOW_LINKS) && looksLikeZip(bundle)) unzip(bundle, root, limits);
            else throw Problem.failed("bundle.refused.kind");
        } catch (ZipException e) {
            throw Problem.failed("bundle.refused.zip", Bundle.printable(String.valueOf(e.getMessage())));
        }
        return root;
    }

    private static void unzip(Path zip, Path root, Limits limits) throws IOException {
        Map<String, Integer> types = unixTypes(zip, limits);
        Set<String> seen = new HashSet<>();
        long total = 0;
        int entries = 0;
        byte[] buffer = new byte[64 << 10];
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (ZipEntry e : java.util.Collections.list(file.entries())) {
                if (++entries > limits.entries()) throw Problem.failed("bundle.refused.entries", limits.entries());
                String name = Bundle.printable(e.getName());
                int type = types.getOrDefault(e.getName(), 0);
                // Links are not followed, nor unpacked: a link would let the bundle hand the grader any file of the instructor's machine.
                if (type == S_IFLNK) throw Problem.failed("bundle.refused.link", name);
                if (type != 0 && type != S_IFREG && type != S_IFDIR) throw Problem.failed("bundle.refused.special", name);
                Path target = inside(root, e.getName());
                if (!seen.add(target.toString())) throw Problem.failed("bundle.refused.twice", name);
                for (Path p = target.getParent(); !p.equals(root); p = p.getParent()) {
                    if (Files.exists(p, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        throw Problem.failed("bundle.refused.clash", Bundle.printable(root.relativize(p).toString()));
                    }
                }
                if (e.isDirectory() || type == S_IFDIR) {
                    Files.createDirectories(target);
                    continue;
                }
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) throw Problem.failed("bundle.refused.clash", name);
                Files.createDirectories(target.getParent());
                long packed = Math.max(1, e.getCompressedSize());
                long written = 0;
                CRC32 crc = new CRC32();
                try (InputStream in = file.getInputStream(e); OutputStream out = Files.newOutputStream(target)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        written += n;
                        total += n;
                        if (written > limits.entryBytes()) throw Problem.failed("bundle.refused.entry-size", name, limits.entryBytes() >> 20);
                        if (total > limits.totalBytes()) throw Problem.failed("bundle.refused.size", limits.totalBytes() >> 20);
                        // Checked as it inflates: a bomb is stopped after its first megabytes, not after its last.
                        if (written > (1 << 20) && written / packed > limits.ratio()) throw Problem.failed("bundle.refused.ratio", name, limits.ratio());
                        out.write(buffer, 0, n);
                        crc.update(buffer, 0, n);
                    }
                    // The JDK checks the CRC of a compressed entry only: a stored one is checked here.
                    if (e.getCrc() != -1 && crc.getValue() != e.getCrc()) throw new ZipException("its checksum does not match its content");
                } catch (ZipException | EOFException damaged) {
                    throw Problem.failed("bundle.refused.entry-damaged", name, Bundle.printable(String.valueOf(damaged.getMessage())));
                }
            }
        } catch (ZipException e) {
            throw Problem.failed("bundle.refused.truncated", Bundle.printable(String.valueOf(e.getMessage())));
        }
        if (entries == 0) throw Problem.failed("bundle.refused.empty");
    }

    /** A zip starts with a local file header, "PK\\3\\4" (or, empty, with its end record). */
    private static boolean looksLikeZip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            return head.length == 4 && head[0] == 'P' && head[1] == 'K' && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6);
        }
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFLNK = 0120000;

    /**
     * Each entry's Unix file type, as the zip's central directory records it (0 where the zip
     * does not say): neither of the JDK's zip readers tells a symbolic link from a file, so the
     * directory at the end of the zip is read here. A zip cut short has none, and is refused.
     */
    private static Map<String, Integer> unixTypes(Path zip, Limits limits) throws IOException {
        try (FileChannel ch = FileChannel.open(zip)) {
            long size = ch.size();
            int tail = (int) Math.min(size, 22 + 65535);
            ByteBuffer end = ByteBuffer.allocate(tail).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(end, size - tail);
            int eocd = -1;
            for (int i = tail - 22; i >= 0 && eocd < 0; i--) if (end.getInt(i) == 0x06054b50) eocd = i;
            if (eocd < 0) throw Problem.failed("bundle.refused.truncated", "no end of central directory");
            int count = end.getShort(eocd + 10) & 0xffff;
            long dirSize = end.getInt(eocd + 12) & 0xffffffffL;
            long dirOffset = end.getInt(eocd + 16) & 0xffffffffL;
            if (count == 0xffff || dirOffset == 0xffffffffL) throw Problem.failed("bundle.refused.zip64");
            if (count > limits.entries()) throw Problem.failed("bundle.refused.entries", limits.entries());
            if (dirOffset + dirSize > size - tail + eocd || dirSize > (long) limits.entries() * 2048) {
                throw Problem.failed("bundle.refused.truncated", "central directory out of the file");
            }
            ByteBuffer dir = ByteBuffer.allocate((int) dirSize).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(dir, dirOffset);
            Map<String, Integer> types = new HashMap<>();
            int at = 0;
            for (int i = 0; i < count; i++) {
                if (at + 46 > dirSize || dir.getInt(at) != 0x02014b50) throw Problem.failed("bundle.refused.truncated", "damaged central directory");
                int host = (dir.getShort(at + 4) >> 8) & 0xff;
                int nameLength = dir.getShort(at + 28) & 0xffff;
                int extra = dir.getShort(at + 30) & 0xffff;
                int comment = dir.getShort(at + 32) & 0xffff;
                int mode = dir.getInt(at + 38) >>> 16;
                if (at + 46 + nameLength > dirSize) throw Problem.failed("bundle.refused.truncated", "damaged central directory");
                byte[] name = new byte[nameLength];
                dir.get(at + 46, name);
                // Unix (3) and macOS (19) keep st_mode in the high half of the external attributes.
                if (host == 3 || host == 19) types.put(new String(name, StandardCharsets.UTF_8), mode & S_IFMT);
                at += 46 + nameLength + extra + comment;
            }
            return types;
        }
    }

    private static void copyFolder(Path folder, Path root, Limits limits) throws IOException {
        Path from = folder.toAbsolutePath().normalize();
        long[] total = {0};
        int[] entries = {0};
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(root.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = from.relativize(file).toString();
                // Links are not followed: one would let the bundle hand the grader any file of the instructor's machine.
                if (!attrs.isRegularFile()) throw Problem.failed(attrs.isSymbolicLink() ? "bundle.refused.link" : "bundle.refused.special", Bundle.printable(name));
                if (++entries[0] > limits.entries()) throw Problem.failed("bundle.refused.entries", limits.entries());
                if (attrs.size() > limits.entryBytes()) throw Problem.failed("bundle.refused.entry-size", Bundle.printable(name), limits.entryBytes() >> 20);
                total[0] += attrs.size();
                if (total[0] > limits.totalBytes()) throw Problem.failed("bundle.refused.size", limits.totalBytes() >> 20);
                Files.copy(file, inside(root, name), LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Where an entry of the bundle goes; a name that would climb out, or is absolute, is refused. */
    static Path inside(Path root, String name) {
        String n = name.replace('\\', '/');
        if (n.isEmpty() || n.startsWith("/") || n.matches("^[A-Za-z]:.*") || n.contains("\0") || n.length() > 512
                || List.of(n.split("/")).contains("..")) {
            throw Problem.failed("bundle.refused.name", Bundle.printable(name));
        }
        Path target = root.resolve(n).normalize();
        if (!target.startsWith(root) || target.equals(root)) throw Problem.failed("bundle.refused.name", Bundle.printable(name));
        return target;
    }
}
