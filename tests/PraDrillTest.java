import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import recovery.LocalSite;

/** The PRA drill on local folders, for real: app process, SQLite files, backups, disaster, restore. */
class PraDrillTest {
    Path home;

    @AfterEach
    void down() throws Exception {
        if (home != null) new LocalSite(home.resolve("pra")).down(true);
    }

    @Test
    void theDrillLosesExactlyWhatWasWrittenAfterTheLastBackup(@TempDir Path dir) throws Exception {
        home = dir;
        Kit kit = new Kit(dir);
        Kit.Result r = kit.run("pra", "--json");
        assertEquals(0, r.exit(), r.all());
        Map<?, ?> o = Json.read(r.out(), Map.class);
        assertEquals("pass", o.get("verdict"));
        long acked = ((Number) o.get("acknowledged_messages")).longValue();
        long restored = ((Number) o.get("restored_messages")).longValue();
        long lost = ((Number) o.get("lost_messages")).longValue();
        assertEquals(acked, restored + lost, "every acknowledged message is either restored or counted lost");
        assertTrue(lost > 0, "the drill writes after its last backup, so something is lost");
        assertTrue(((Number) o.get("rto_s")).doubleValue() > 0);
        Path evidence = dir.resolve("evidence/pra");
        for (String f : new String[] {"adds.csv", "backups.json", "restore.json", "status.json", "drill.json"}) {
            assertTrue(Files.exists(evidence.resolve(f)), f);
        }

        // Restoring again onto the live data volume is refused without --force, and nothing is lost.
        Kit.Result again = kit.run("pra_restore");
        assertEquals(1, again.exit(), again.all());
        assertTrue(again.err().contains("--force"), again.err());
        assertEquals(200, new LocalSite(dir.resolve("pra")).get("/health").status(), "a refused restore leaves the app running");
        Kit.Result forced = kit.run("pra_restore", "--force", "--point", (String) o.get("restored_from"));
        assertEquals(0, forced.exit(), forced.all());
        assertTrue(forced.out().contains("is kept as"), forced.out());
    }
}
