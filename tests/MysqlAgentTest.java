import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import common.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an RDS instance whose engine is MySQL, the agent, the recon and the proof speak MySQL:
 * against a real server of the MySQL protocol on this machine (MariaDB, from the distribution;
 * .ci/run installs it), through MySQL's own JDBC driver. RDS is the local fake, which shows a
 * Multi-AZ MySQL instance at that server's port.
 */
class MysqlAgentTest {
    Process server;
    Kit kit;
    FakeAws aws;

    @AfterEach
    void stop() throws Exception {
        if (kit != null) kit.run("maz3", "stop");
        if (aws != null) aws.close();
        if (server != null) {
            server.destroy();
            server.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void theAgentWritesAndTheProofCountsOnMysql(@TempDir Path dir) throws Exception {
        Path mariadbd = Path.of("/usr/sbin/mariadbd");
        assumeTrue(Files.isExecutable(mariadbd), "MariaDB is not installed here (apt-get install mariadb-server)");
        int port = startServer(mariadbd, dir.resolve("mysql"));
        aws = new FakeAws("unused");
        aws.mysqlPort = port;
        kit = new Kit(dir);
        Map<String, String> env = new HashMap<>(aws.env());
        env.put("DB007_DB_PASSWORD", "any");
        env.put("DB007_DB_TLS", "disable");
        // Above the suite's cap (the pom's): the proof below counts more than 100 writes in about 1.5 s.
        env.put("DB007_AGENT_RATE", "400");
        String[] mysql = {"--target", "aws", "--region", "local", "--instance", "mysql-db", "--rds-endpoint-url", aws.url()};

        Kit.Result agent = kit.run(env, "maz3", concat(mysql, "--background"));
        assertEquals(0, agent.exit(), agent.all());
        Kit.agentHasWritten(dir.resolve("evidence/maz"), 20);
        Kit.Result recon = kit.run(env, "maz4", mysql);
        assertEquals(0, recon.exit(), recon.all());
        Kit.Result proof = kit.run(env, "maz8", mysql);
        assertEquals(0, proof.exit(), proof.all());
        Map<?, ?> p = Json.read(dir.resolve("evidence/maz/proof.json"), Map.class);
        assertEquals("pass", p.get("verdict"));
        assertTrue(((Number) p.get("acknowledged_writes")).longValue() > 100, "the agent wrote for 1.5 s: " + p);
        assertEquals(0, ((Number) p.get("lost_writes")).longValue());
        assertEquals(0, ((Number) p.get("corrupt_rows")).longValue(), "times and checksums read back from MySQL match the journal to the microsecond");
    }

    /** A throwaway server: its own data folder and port, no grant tables (this test is about SQL, not accounts). */
    private int startServer(Path mariadbd, Path data) throws Exception {
        Files.createDirectories(data);
        boolean root = "root".equals(System.getProperty("user.name"));
        List<String> user = root ? List.of("--user=mysql") : List.of();
        if (root) {
            // The server drops to the mysql account, which must be able to walk into the test's private folder.
            Files.setPosixFilePermissions(data.getParent(), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            new ProcessBuilder("chown", "-R", "mysql:mysql", data.toString()).inheritIO().start().waitFor();
        }
        List<String> install = new ArrayList<>(List.of("/usr/bin/mariadb-install-db", "--no-defaults", "--datadir=" + data, "--skip-test-db",
                "--auth-root-authentication-method=normal"));
        install.addAll(user);
        Process init = new ProcessBuilder(install).redirectErrorStream(true).redirectOutput(data.resolveSibling("install.log").toFile()).start();
        assertTrue(init.waitFor(2, TimeUnit.MINUTES) && init.exitValue() == 0, Files.readString(data.resolveSibling("install.log")));
        // Picked as the lab picks its own, away from the ports outgoing connections get meanwhile.
        int port = common.Ports.free(1)[0];
        List<String> cmd = new ArrayList<>(List.of(mariadbd.toString(), "--no-defaults", "--datadir=" + data, "--port=" + port,
                "--bind-address=127.0.0.1", "--socket=" + data.resolve("mysqld.sock"), "--pid-file=" + data.resolve("mysqld.pid"),
                "--skip-grant-tables", "--skip-name-resolve"));
        cmd.addAll(user);
        server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolveSibling("server.log").toFile()).start();
        boolean listening = common.Wait.within(java.time.Duration.ofSeconds(60), java.time.Duration.ofMillis(100), () -> {
            if (!server.isAlive()) return true;
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
        assertTrue(listening && server.isAlive(), Files.readString(data.resolveSibling("server.log")));
        try (var c = java.sql.DriverManager.getConnection("jdbc:mysql://127.0.0.1:" + port + "/?sslMode=DISABLED&allowPublicKeyRetrieval=true", "db007", "any");
             var s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS db007");
        }
        return port;
    }

    private static String[] concat(String[] a, String b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + 1);
        r[a.length] = b;
        return r;
    }
}
