package common;

//SOURCES Cli.java Json.java Problem.java

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What a student hands in: the evidence folders of both workshops (and the PRA backups the
 * grader restores itself) in one zip, with a manifest giving each file's SHA-256.
 *
 * A bundle comes from a machine the student controls, so the grader reads it as hostile: it is
 * copied, zip or folder, into a scratch folder of its own within limits checked while it is
 * inflated, and nothing in it (a name, a link, a size) reaches outside that folder.
 */
public final class Bundle {
    public static final String MANIFEST = "manifest.json";

    private Bundle() {}

    public record Manifest(String kit, String student, String createdAt, Map<String, String> files) {}

    /**
     * How much a bundle may hold. An honest one holds a few MB: journals and rows of a mission
     * (about 1 MB a minute of writing), small SQLite backups, the app's log.
     */
    public record Limits(int entries, long totalBytes, long entryBytes, long ratio) {
        public static final Limits CLASS = new Limits(5_000, 256L << 20, 64L << 20, 200);
    }

    /** One part of a hand-in: a folder (only the files kept) or a single file, under a name in the zip. */
    public record Part(String name, Path path, Predicate<Path> keep) {
        public static Part of(String name, Path path) {
            return new Part(name, path, f -> true);
        }
    }

    /** Packs the parts, each under its name in the zip, and the manifest. */
    public static Manifest pack(Path zip, String student, List<Part> parts) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Part part : parts) {
                if (!Files.exists(part.path())) continue;
                // A folder goes in with the files kept; a single file goes in under the given name, as name/file.
                Path base = Files.isDirectory(part.path()) ? part.path() : part.path().getParent();
                List<Path> files;
                try (Stream<Path> walk = Files.isDirectory(part.path()) ? Files.walk(part.path()) : Stream.of(part.path())) {
                    files = walk.filter(f -> Files.isRegularFile(f) && part.keep().test(f)).sorted().toList();
                }
                for (Path file : files) {
                    String name = part.name() + "/" + base.relativize(file).toString().replace('\\', '/');
                    out.putNextEntry(new ZipEntry(name));
                    Files.copy(file, out);
                    out.closeEntry();
                    hashes.put(name, sha256(file));
                }
            }
            Manifest m = new Manifest(Cli.Version.KIT, student, Instant.now().toString(), hashes);
            out.putNextEntry(new ZipEntry(MANIFEST));
            out.write(Json.write(m).getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            return m;
        }
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
            else if (Files.isRegularFile(bundle, LinkOption.NOFOLLOW_LINKS)) unzip(bundle, root, limits);
            else throw Problem.failed("bundle.refused.kind");
        } catch (ZipException e) {
            throw Problem.failed("bundle.refused.zip", e.getMessage());
        }
        return root;
    }

    private static void unzip(Path zip, Path root, Limits limits) throws IOException {
        Counting raw = new Counting(Files.newInputStream(zip));
        Set<String> seen = new HashSet<>();
        long total = 0;
        int entries = 0;
        byte[] buffer = new byte[64 << 10];
        try (ZipInputStream in = new ZipInputStream(raw)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (++entries > limits.entries()) throw Problem.failed("bundle.refused.entries", limits.entries());
                Path target = inside(root, e.getName());
                if (!seen.add(target.toString())) throw Problem.failed("bundle.refused.twice", printable(e.getName()));
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                long entryStart = raw.count;
                long written = 0;
                try (OutputStream out = Files.newOutputStream(target)) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        written += n;
                        total += n;
                        if (written > limits.entryBytes()) throw Problem.failed("bundle.refused.entry-size", printable(e.getName()), limits.entryBytes() >> 20);
                        if (total > limits.totalBytes()) throw Problem.failed("bundle.refused.size", limits.totalBytes() >> 20);
                        // Checked as it inflates: a bomb is stopped after its first megabytes, not after its last.
                        long packed = Math.max(1, raw.count - entryStart);
                        if (written > (1 << 20) && written / packed > limits.ratio()) {
                            throw Problem.failed("bundle.refused.ratio", printable(e.getName()), limits.ratio());
                        }
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
        if (entries == 0) throw Problem.failed("bundle.refused.empty");
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
                if (!attrs.isRegularFile()) throw Problem.failed(attrs.isSymbolicLink() ? "bundle.refused.link" : "bundle.refused.special", printable(name));
                if (++entries[0] > limits.entries()) throw Problem.failed("bundle.refused.entries", limits.entries());
                if (attrs.size() > limits.entryBytes()) throw Problem.failed("bundle.refused.entry-size", printable(name), limits.entryBytes() >> 20);
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
            throw Problem.failed("bundle.refused.name", printable(name));
        }
        Path target = root.resolve(n).normalize();
        if (!target.startsWith(root) || target.equals(root)) throw Problem.failed("bundle.refused.name", printable(name));
        return target;
    }

    /**
     * A text from a student's file, safe to print on one line: no control character (no escape
     * sequence, no new line), no mark that turns the text around.
     */
    public static String printable(String text) {
        if (text == null) return "";
        return text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u200B-\\u200F\\u202A-\\u202E\\u2066-\\u2069]", "?");
    }

    /** A name from a student's file, printable and short enough for a table's column. */
    public static String name(String text) {
        String clean = printable(text);
        return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Counts the compressed bytes the zip reader has taken, to compare with what they inflate to. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) count++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += k;
            return k;
        }
    }
}
