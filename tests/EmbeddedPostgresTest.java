import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import region.Region;

/**
 * A bare machine's path: no PostgreSQL installed, so the kit fetches the embedded binaries from
 * Maven Central (initdb, pg_ctl and postgres only) and still builds a synchronous pair and fails over.
 */
class EmbeddedPostgresTest {
    Kit kit;

    @AfterEach
    void purge() {
        if (kit != null) kit.purge();
    }

    @Test
    void theEmbeddedBinariesRunTheWholeRegion(@TempDir Path home) throws Exception {
        kit = new Kit(home);
        Kit.Result up = kit.ok("lab", "up", "--pg-bin", "embedded");
        assertTrue(up.out().contains("PostgreSQL " + region.PgBinaries.EMBEDDED_VERSION.replaceAll("\\.0$", "")), up.all());
        try (Connection c = kit.endpoint(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t AS SELECT generate_series(1, 100) AS id");
        }
        kit.ok("lab", "failover");
        Region.Status s = kit.status();
        assertEquals("az2", s.primaryAz());
        assertEquals(Region.SyncState.SYNC, s.node("az1").syncState());
        try (Connection c = kit.endpoint(); Statement st = c.createStatement();
             ResultSet r = st.executeQuery("SELECT count(*), current_setting('server_version_num')::int / 10000 FROM t")) {
            r.next();
            assertEquals(100, r.getLong(1));
            assertEquals(17, r.getInt(2), "the embedded server, not the system one, is running");
        }
    }
}
