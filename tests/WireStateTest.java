import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import common.Messages;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import region.Region;
import region.Topology;

/**
 * The region's state is typed inside the kit (phases, roles, statuses, events are enums) and
 * the same words on the wire as before it was: lab status --json, the events file and the
 * evidence read by older tools and by docs/evidence.md do not change.
 */
class WireStateTest {
    /** A status as the control plane wrote it when its state was strings. */
    static final String BEFORE = """
            {"primary_az": "az1", "standby_az": "az2", "phase": "building-standby", "instance_status": "backing-up",
             "protected": false, "unprotected_since": "2026-12-01T12:00:00Z", "unprotected_reason": "standby-hung",
             "endpoint": {"address": "127.0.0.1", "port": 5000}, "api_port": 5001,
             "nodes": [{"az": "az1", "role": "primary", "port": 5002, "pid": 10, "health": "ok"},
                       {"az": "az2", "role": "building", "port": 5003, "pid": 11, "sync_state": "async", "health": "silent"}],
             "events": [{"time": "2026-12-01T12:00:00Z", "type": "standby-rebuild-started", "az": "az2", "message": "Building a new standby in az2 from the primary in az1."}]}""";

    @Test
    void theWordsOnTheWireAreTheSameAsWhenTheStateWasStrings() {
        Region.Status s = Json.read(BEFORE, Region.Status.class);
        assertEquals(Topology.Phase.BUILDING_STANDBY, s.phase());
        assertEquals(Region.InstanceStatus.BACKING_UP, s.instanceStatus());
        assertEquals(Topology.Exposure.STANDBY_HUNG, s.unprotectedReason());
        assertEquals(Topology.Role.BUILDING, s.node("az2").role());
        assertEquals(Region.SyncState.ASYNC, s.node("az2").syncState());
        assertEquals(Region.Health.SILENT, s.node("az2").health());
        assertEquals(Region.EventType.STANDBY_REBUILD_STARTED, s.events().get(0).type());
        assertEquals(Json.read(BEFORE, Map.class), Json.read(Json.write(s), Map.class), "written back, word for word");
    }

    @Test
    void aWordNoEnumKnowsIsAnErrorThatListsTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.read(BEFORE.replace("\"ok\"", "\"fine\""), Region.Status.class));
        assertTrue(e.getMessage().contains("\"fine\" is none of [ok, down, frozen, hung, silent]"), e.getMessage());
    }

    /** Every word the state can take has its text in both languages, as lab status and the steps print it. */
    @Test
    void everyWordHasItsTextInBothLanguages() {
        for (String lang : List.of("en", "fr")) {
            Messages.use(lang);
            try {
                for (Topology.Phase p : Topology.Phase.values()) assertTrue(Messages.bundle().containsKey("phase." + p.key()), lang + " phase." + p.key());
                for (Topology.Role r : Topology.Role.values()) assertTrue(Messages.bundle().containsKey("role." + r.key()), lang + " role." + r.key());
                for (Topology.Exposure x : Topology.Exposure.values()) assertTrue(Messages.bundle().containsKey("exposure." + x.key()), lang + " exposure." + x.key());
                for (Region.Health h : Region.Health.values()) assertTrue(Messages.bundle().containsKey("health." + Json.key(h)), lang + " health." + Json.key(h));
                for (Region.EventType t : Region.EventType.values()) assertTrue(Messages.bundle().containsKey("event." + Json.key(t)), lang + " event." + Json.key(t));
                assertTrue(Messages.bundle().containsKey("phase.backing-up"), "the phase shown while the first backup is taken");
            } finally {
                Messages.use("en");
            }
        }
        assertEquals(5, Arrays.stream(Region.Health.values()).count());
    }
}
