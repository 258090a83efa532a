package region;

//SOURCES ../common/Home.java ../common/Http.java ../common/Json.java Topology.java

import com.google.gson.annotations.SerializedName;
import common.Home;
import common.Http;
import common.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The local region as the workshop steps see it: its state (in DB007_HOME/lab), how to
 * reach its control plane (the RDS-like API) and its writer endpoint, and the master password.
 * The control plane itself lives in the region package and is started by {@code lab up}.
 */
public final class Region {
    public static final String INSTANCE_ID = "db007";
    public static final String MASTER_USER = "db007";
    /** RDS PostgreSQL's default database; creating another would cost a checkpoint at every up. */
    public static final String DATABASE = "postgres";

    private Region() {}

    public static Path stateFile() { return Home.lab().resolve("region.json"); }

    public static Path passwordFile() { return Home.lab().resolve("password"); }

    /** What {@code lab up} records and the control plane keeps current: the region's layout. */
    public record State(int ownerUid, String ownerUser, String bootId, String dataRoot, String runAs,
                        String pgBin, String pgVersion, int apiPort, int endpointPort,
                        List<NodeSpec> nodes, String primaryAz, Long controlPlanePid) {
        public NodeSpec node(String az) {
            return nodes.stream().filter(n -> n.az().equals(az)).findFirst().orElseThrow();
        }

        public State withPrimary(String az) {
            return new State(ownerUid, ownerUser, bootId, dataRoot, runAs, pgBin, pgVersion, apiPort, endpointPort, nodes, az, controlPlanePid);
        }

        public State withNodes(List<NodeSpec> n) {
            return new State(ownerUid, ownerUser, bootId, dataRoot, runAs, pgBin, pgVersion, apiPort, endpointPort, n, primaryAz, controlPlanePid);
        }

        public State withControlPlane(Long pid) {
            return new State(ownerUid, ownerUser, bootId, dataRoot, runAs, pgBin, pgVersion, apiPort, endpointPort, nodes, primaryAz, pid);
        }
    }

    /**
     * One AZ's server: its own port, and the ports of the relays in front of it, one for
     * replication from the other AZ and one for the control plane (null in a lab made before them).
     */
    public record NodeSpec(String az, int port, Integer replicationPort, Integer controlPort) {
        public NodeSpec withRelays(int replication, int control) {
            return new NodeSpec(az, port, replication, control);
        }
    }

    /** The instance's status as RDS words it (DescribeDBInstances' DBInstanceStatus). */
    public enum InstanceStatus { CREATING, BACKING_UP, AVAILABLE, REBOOTING, MODIFYING, STOPPING, STOPPED, FAILED, DELETING }

    /** A server's health as the control plane last saw it: ok, down (no process), frozen (stopped), hung (a commit stuck), silent (no answer). */
    public enum Health { OK, DOWN, FROZEN, HUNG, SILENT }

    /** A standby's place in replication, as the primary's pg_stat_replication says it. */
    public enum SyncState { SYNC, ASYNC, POTENTIAL, QUORUM }

    /** The kinds of event the control plane records, each with RDS-like English text beside it. */
    public enum EventType {
        PRIMARY_CREATED, NODE_STARTED, PRIMARY_LOST, FAILOVER_STARTED, STANDBY_PROMOTED, FAILOVER_COMPLETED, REBOOT_STARTED, REBOOT_COMPLETED,
        STANDBY_REBUILD_STARTED, STANDBY_RESTARTED, STANDBY_REJOINED, STANDBY_IN_SYNC, STANDBY_LOST, REBUILD_ABANDONED, UNPROTECTED, PROTECTED,
        MULTI_AZ_RECOVERY_STARTED, MULTI_AZ_RECOVERY_COMPLETED,
        RESTORE_STARTED, RESTORE_COMPLETED, RESTORE_FAILED, RESTORE_DELETED, NETWORK_FAULT, NETWORK_HEALED,
        REPLICA_CREATE_STARTED, REPLICA_CREATED, REPLICA_FAILED, REPLICA_STREAMING_LOST, REPLICA_PROMOTE_STARTED, REPLICA_PROMOTED, REPLICA_DELETED
    }

    /** What a link of the region's network does now: up, blackholed (bytes vanish) or reset (refused); a delay each way. */
    public enum LinkMode { UP, BLACKHOLED, RESET }

    /**
     * One link of the region's network, as lab status --json shows it: its name (client-az1,
     * az1-az2, cp-az1…, az1-dr to another Region), what it does, the delay a fault adds, the
     * link's own latency (not a fault), its open connections.
     */
    public record Link(String name, LinkMode mode, long delayMs, long latencyMs, int connections) {
        public boolean plain() {
            return mode == LinkMode.UP && delayMs == 0;
        }
    }

    /**
     * What the control plane answers at /db007/status, and {@code lab status --json} prints.
     * "protected" says whether a synchronous standby protects every commit; when it does not,
     * since when and why (unprotected_reason: starting, failover, primary-restarted,
     * standby-lost, standby-hung). failure says what went wrong when phase is "failed".
     */
    public record Status(String primaryAz, String standbyAz, Topology.Phase phase, String failure, InstanceStatus instanceStatus,
                         @SerializedName("protected") boolean writesProtected, String unprotectedSince, Topology.Exposure unprotectedReason,
                         Endpoint endpoint, int apiPort, List<Node> nodes, List<Event> events, List<Link> links) {
        public Node node(String az) {
            return nodes.stream().filter(n -> n.az().equals(az)).findFirst().orElse(null);
        }

        /**
         * The first stretch without a synchronous standby after a moment: from the "unprotected"
         * event on or after it to the "protected" event that ended it; null while not ended.
         */
        public Window unprotectedAfter(Instant since) {
            Instant from = null;
            for (Event e : events) {
                Instant at = Instant.parse(e.time());
                if (at.isBefore(since.minusMillis(5))) continue;
                if (from == null && e.type() == EventType.UNPROTECTED) from = at;
                else if (from != null && e.type() == EventType.PROTECTED) return new Window(from, at);
            }
            return null;
        }

        /** The first event of that kind at or after a moment (a few milliseconds of clock aside); null when none came. */
        public Instant firstEvent(EventType type, Instant since) {
            return events.stream().filter(e -> e.type() == type).map(e -> Instant.parse(e.time()))
                    .filter(t -> !t.isBefore(since.minusMillis(5))).findFirst().orElse(null);
        }

        /** The phase as a person reads it (a message key's last word): "backing-up" while a ready region takes its first backup. */
        public String shownPhase() {
            return phase == Topology.Phase.READY && instanceStatus == InstanceStatus.BACKING_UP ? Json.key(InstanceStatus.BACKING_UP) : phase.key();
        }

        /**
         * Ready and available, a synchronous standby in sync, both servers answering and every
         * link of the network plainly up: never while a client's commit would wait, nor while the
         * instance refuses a reboot.
         */
        public boolean healthy() {
            Node standby = standbyAz == null ? null : node(standbyAz);
            Node primary = primaryAz == null ? null : node(primaryAz);
            return phase == Topology.Phase.READY && instanceStatus == InstanceStatus.AVAILABLE && writesProtected && standby != null
                    && standby.syncState() == SyncState.SYNC && primary != null && primary.health() == Health.OK && standby.health() == Health.OK
                    && (links == null || links.stream().allMatch(Link::plain));
        }
    }

    /** A stretch of time, such as writes without protection. */
    public record Window(Instant from, Instant to) {
        public long millis() {
            return Duration.between(from, to).toMillis();
        }
    }

    public record Endpoint(String address, int port) {}

    /** The region's link to another Region (step 11): the port a replica there connects to, and the latency each way. */
    public record InterRegion(int port, long latencyMs) {}

    public static Path interRegionFile() { return Home.lab().resolve("inter-region.json"); }

    /** One server: its role, and its health as the control plane last saw it. */
    public record Node(String az, Topology.Role role, int port, Long pid, SyncState syncState, Health health) {}

    /** One transition of the topology, with its UTC time; type is a stable key, message is RDS-like English. */
    public record Event(String time, EventType type, String az, String message) {}

    public static State load() throws IOException {
        return Json.read(stateFile(), State.class);
    }

    public static String password() throws IOException {
        return Files.readString(passwordFile()).trim();
    }

    public static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Asks the running control plane; null when none answers. */
    public static Status status(State state) {
        try {
            Http.Reply r = Http.get(api(state, "/db007/status"), Duration.ofSeconds(2), Duration.ofSeconds(3));
            return r.status() == 200 ? Json.read(r.body(), Status.class) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** A call to the control plane: an RDS Query API action, or one of its own /db007/ paths. */
    public static Http.Reply post(State state, String path, String form) throws IOException {
        return Http.post(api(state, path), form, Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public static URI api(State state, String path) {
        return URI.create("http://127.0.0.1:" + state.apiPort() + path);
    }
}
