package region;

//SOURCES ../common/Json.java Region.java

import common.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The region's intended shape: which AZ holds the primary, each node's role, what the control
 * plane is doing, and whether a synchronous standby protects the writes. It is changed only by
 * the control plane's topology thread, which publishes each new value whole; every other thread
 * reads the latest one and never sees half a change.
 */
public record Topology(String primaryAz, Map<String, Role> roles, Phase phase, Region.InstanceStatus instanceStatus, boolean synchronous,
                       Instant unprotectedSince, Exposure exposure) {

    public enum Role {
        PRIMARY, STANDBY, BUILDING, FENCED, DOWN;

        /** As status and the evidence write it: "primary", "standby"… */
        public String key() {
            return Json.key(this);
        }
    }

    public enum Phase {
        STARTING, CREATING_PRIMARY, STARTING_PRIMARY, RESTARTING_PRIMARY, STARTING_STANDBY, BUILDING_STANDBY, REJOINING_STANDBY,
        READY, FAILING_OVER, REBOOTING, STOPPING, FAILED;

        /** "ready", "building-standby"…, as the message bundle and lab status --json name them. */
        public String key() {
            return Json.key(this);
        }
    }

    /** Why writes are not protected by a synchronous standby; null while they are. */
    public enum Exposure {
        STARTING, FAILOVER, PRIMARY_RESTARTED, STANDBY_LOST, STANDBY_HUNG;

        public String key() {
            return Json.key(this);
        }
    }

    public static Topology starting(String primaryAz) {
        return new Topology(primaryAz, Map.of(), Phase.STARTING, Region.InstanceStatus.CREATING, false, Instant.now(), Exposure.STARTING);
    }

    public Role role(String az) {
        return roles.getOrDefault(az, Role.DOWN);
    }

    /** The AZ of the standby, built or being built, or null. */
    public String standbyAz() {
        return roles.entrySet().stream().filter(e -> !e.getKey().equals(primaryAz) && (e.getValue() == Role.STANDBY || e.getValue() == Role.BUILDING))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    public boolean protectedWrites() {
        return unprotectedSince == null;
    }

    public Topology withPrimary(String az) {
        return new Topology(az, roles, phase, instanceStatus, synchronous, unprotectedSince, exposure);
    }

    public Topology with(String az, Role role) {
        Map<String, Role> r = new LinkedHashMap<>(roles);
        r.put(az, role);
        return new Topology(primaryAz, Map.copyOf(r), phase, instanceStatus, synchronous, unprotectedSince, exposure);
    }

    public Topology in(Phase p) {
        return new Topology(primaryAz, roles, p, instanceStatus, synchronous, unprotectedSince, exposure);
    }

    public Topology status(Region.InstanceStatus s) {
        return new Topology(primaryAz, roles, phase, s, synchronous, unprotectedSince, exposure);
    }

    /** Writes no longer wait for a standby, since now, for this reason (unless they were already unprotected). */
    public Topology unprotected(Exposure why) {
        return new Topology(primaryAz, roles, phase, instanceStatus, false, unprotectedSince != null ? unprotectedSince : Instant.now(),
                unprotectedSince != null ? exposure : why);
    }

    /**
     * Commits wait for the standby (or no longer do), as the primary was just told: set while a
     * rebuild makes its standby synchronous, before that standby is confirmed and the writes are
     * protected again, so that the monitor knows whom a stuck commit waits for.
     */
    public Topology commitsWait(boolean wait) {
        return new Topology(primaryAz, roles, phase, instanceStatus, wait, unprotectedSince, exposure);
    }

    /** A synchronous standby protects every commit again. */
    public Topology protectedAgain() {
        return new Topology(primaryAz, roles, phase, instanceStatus, true, null, null);
    }
}
