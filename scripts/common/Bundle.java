package common;

//SOURCES Cli.java Json.java

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * What a student hands in: the evidence folders of both workshops (and the PRA backups the
 * grader restores itself) in one zip, with a manifest giving each file's SHA-256.
 */
public final class Bundle {
    public static final String MANIFEST = "manifest.json";

    private Bundle() {}

    public record Manifest(String kit, String student, String createdAt, Map<String, String> files) {}

    /** Packs the folders, each under its name in the zip, and the manifest. */
    public static Manifest pack(Path zip, String student, Map<String, Path> folders) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            for (Map.Entry<String, Path> f : folders.entrySet()) {
                if (!Files.exists(f.getValue())) continue;
                // A folder goes in whole; a single file goes in under the given name, as name/file.
                Path base = Files.isDirectory(f.getValue()) ? f.getValue() : f.getValue().getParent();
                List<Path> files;
                try (Stream<Path> walk = Files.isDirectory(f.getValue()) ? Files.walk(f.getValue()) : Stream.of(f.getValue())) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path file : files) {
                    String name = f.getKey() + "/" + base.relativize(file).toString().replace('\\', '/');
                    out.putNextEntry(new ZipEntry(name));
                    Files.copy(file, out);
                    out.closeEntry();
                    hashes.put(name, sha256(file));
                }
            }
            Manifest m = new Manifest(Cli.Version.KIT, student, Instant.now().toString(), hashes);
            out.putNextEntry(new ZipEntry(MANIFEST));
            out.write(Json.write(m).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
            return m;
        }
    }

    /** A zip is unpacked into a scratch folder; a folder is used as it is. Zip entries may not climb out. */
    public static Path open(Path bundle, Path scratch) throws IOException {
        if (Files.isDirectory(bundle)) return bundle;
        Path root = Files.createDirectories(scratch.resolve(bundle.getFileName().toString().replaceAll("\\.zip$", "")));
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(bundle))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                Path target = root.resolve(e.getName()).normalize();
                if (!target.startsWith(root)) throw new IOException("entry " + e.getName() + " points outside the bundle");
                if (e.isDirectory()) continue;
                Files.createDirectories(target.getParent());
                try (OutputStream out = Files.newOutputStream(target)) {
                    in.transferTo(out);
                }
            }
        }
        return root;
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
