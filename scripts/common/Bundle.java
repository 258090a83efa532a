package common;

//SOURCES Cli.java Json.java

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What a student hands in: the evidence folders of both workshops (and the PRA backups the
 * grader restores itself) in one zip, with a manifest giving each file's SHA-256.
 *
 * A bundle comes from a machine the student controls: the grader reads it as hostile
 * (grading.BundleReader).
 */
public final class Bundle {
    public static final String MANIFEST = "manifest.json";

    private Bundle() {}

    public record Manifest(String kit, String student, String createdAt, Map<String, String> files) {}

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
     * A text from a student's file, safe to print on one line: no control character (no escape
     * sequence, no new line), no mark that turns the text around.
     */
    public static String printable(String text) {
        if (text == null) return "";
        return text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}\\u200B-\\u200F\\u202A-\\u202E\\u2066-\\u2069]", "?");
    }

    /** A text from a student's file (a file name, a check's name) on one line, and short enough for a table's column. */
    public static String shortText(String text) {
        String clean = printable(text);
        return clean.length() > 64 ? clean.substring(0, 64) + "…" : clean;
    }

    /**
     * A student's name as the grader shows it, in the terminal, the CSV, the JUnit file and the
     * class page: printable, at most 64 characters, and in quotes whenever it holds more than
     * letters, digits, spaces and . _ ' @ -. A name such as "bob 40 / 40" or "<b>top</b>" then
     * reads as a name, never as the grader's own score or markup beside it.
     */
    public static String name(String text) {
        String clean = printable(text).strip();
        if (clean.length() > 64) clean = clean.substring(0, 64) + "…";
        if (!clean.isEmpty() && clean.matches("[\\p{L}\\p{M}0-9 ._'@-]+")) return clean;
        return "\"" + clean.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Markdown file cut at its "## N" headings: N (a number, or T1, T2 for the practical tasks) and its text. */
    public static Map<String, String> answerSections(Path file) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return m;
        String current = null;
        StringBuilder text = new StringBuilder();
        Pattern heading = Pattern.compile("^##\\s*(?:Exercise|Exercice|Question|Task|Tâche|TP)?\\s*([0-9]+|T[0-9]+)\\b.*");
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            Matcher h = heading.matcher(line);
            if (h.matches()) {
                if (current != null) m.put(current, text.toString().trim());
                current = h.group(1);
                text.setLength(0);
            } else if (current != null) {
                text.append(line).append('\n');
            }
        }
        if (current != null) m.put(current, text.toString().trim());
        return m;
    }
}
