import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Region;

/**
 * The certificate check the agent makes on AWS, against a real PostgreSQL server with TLS: the
 * local region's primary, given a certificate from a test authority made here with keytool and
 * named "localhost" only. The kit's connection succeeds with that authority and that name, and
 * refuses another authority, or the right authority under a name the certificate does not carry.
 */
class TlsTest {
    Kit kit;

    @AfterEach
    void purge() {
        if (kit != null) kit.purge();
    }

    @Test
    void theServersCertificateIsCheckedAgainstTheBundleAndTheHostName(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        kit.ok("lab", "up");
        Region.State state = kit.state();
        // Where the servers' account can read: the region's own data root.
        Path certs = Files.createDirectories(Path.of(state.dataRoot(), "tls-test"));
        Path ca = authority(certs, "ca");
        Path other = authority(certs, "other-ca");
        serverCertificate(certs, "ca", state.runAs());

        String password = Kit.password(home);
        Database.Login plain = new Database.Login("postgres", "127.0.0.1", state.endpointPort(), Region.MASTER_USER, password, Region.DATABASE, null);
        try (Connection c = Database.connect(plain, 5, 10, "tls-test"); Statement s = c.createStatement()) {
            s.execute("ALTER SYSTEM SET ssl_cert_file = '" + certs.resolve("server.pem") + "'");
            s.execute("ALTER SYSTEM SET ssl_key_file = '" + certs.resolve("server.key") + "'");
            s.execute("ALTER SYSTEM SET ssl = on");
            s.execute("SELECT pg_reload_conf()");
        }
        Database.Login trusted = new Database.Login("postgres", "localhost", state.endpointPort(), Region.MASTER_USER, password, Region.DATABASE, ca);
        // The reload reaches the server's processes a moment later.
        assertTrue(common.Wait.within(java.time.Duration.ofSeconds(10), java.time.Duration.ofMillis(50), () -> {
            try (Connection c = Database.connect(trusted, 5, 10, "tls-test")) {
                return true;
            } catch (SQLException notYet) {
                return false;
            }
        }), "TLS is on after the reload");
        try (Connection c = Database.connect(trusted, 5, 10, "tls-test"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertTrue(r.next() && r.getBoolean(1), "the session is encrypted");
        }
        Database.Login otherAuthority = new Database.Login("postgres", "localhost", state.endpointPort(), Region.MASTER_USER, password, Region.DATABASE, other);
        SQLException stranger = assertThrows(SQLException.class, () -> Database.connect(otherAuthority, 5, 10, "tls-test"));
        assertEquals("08006", stranger.getSQLState(), "a certificate from another authority is refused: " + stranger.getMessage());
        SQLException wrongName = assertThrows(SQLException.class, () -> Database.connect(trusted.at("127.0.0.1", state.endpointPort()), 5, 10, "tls-test"));
        assertTrue(String.valueOf(wrongName.getMessage()).contains("hostname"), "the name is checked too: " + wrongName.getMessage());
    }

    /** A self-signed authority; returns its certificate as PEM. */
    private static Path authority(Path dir, String name) throws Exception {
        keytool("-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=db007 test " + name, "-ext", "bc:c",
                "-validity", "2", "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", "test-only");
        Path pem = dir.resolve(name + ".pem");
        keytool("-exportcert", "-rfc", "-alias", name, "-keystore", dir.resolve(name + ".p12").toString(), "-storepass", "test-only", "-file", pem.toString());
        return pem;
    }

    /** server.pem (signed by the authority, named localhost only) and server.key, readable by the server's account alone. */
    private static void serverCertificate(Path dir, String authority, String account) throws Exception {
        Path store = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost", "-validity", "2",
                "-keystore", store.toString(), "-storepass", "test-only");
        keytool("-certreq", "-alias", "server", "-keystore", store.toString(), "-storepass", "test-only", "-file", dir.resolve("server.csr").toString());
        keytool("-gencert", "-alias", authority, "-keystore", dir.resolve(authority + ".p12").toString(), "-storepass", "test-only", "-rfc",
                "-infile", dir.resolve("server.csr").toString(), "-outfile", dir.resolve("server.pem").toString(), "-ext", "san=dns:localhost", "-validity", "2");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            ks.load(in, "test-only".toCharArray());
        }
        byte[] pkcs8 = ks.getKey("server", "test-only".toCharArray()).getEncoded();
        Path key = dir.resolve("server.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        if (account != null && !account.equals(System.getProperty("user.name"))) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(account);
            for (Path f : List.of(dir, key, dir.resolve("server.pem"))) Files.setOwner(f, owner);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-noprompt"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
    }
}
