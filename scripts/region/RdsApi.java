package region;

//SOURCES ../common/Http.java ../common/Json.java ../common/SocketOwner.java Archive.java RdsXml.java Region.java Restores.java

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import common.Http;
import common.Json;
import common.SocketOwner;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The control plane's HTTP face, on 127.0.0.1 only. At "/" it speaks the part of Amazon RDS's
 * Query API that the mission uses (DescribeDBInstances, RebootDBInstance, DescribeEvents), so
 * the AWS SDK and the AWS CLI drive the local region with --endpoint-url as they drive RDS.
 * Under /db007/ it has what RDS has no call for: status, repair and shutdown.
 */
final class RdsApi implements AutoCloseable {
    /** What the API asks of the region behind it. */
    interface Backend {
        Region.Status status();

        /** Null when accepted; else RDS's message for the refusal. */
        String requestReboot(boolean forceFailover);

        void requestRepair();

        void requestShutdown();

        List<Restores.Restored> restored();

        Archive.Window restoreWindow();

        /** Null when accepted; else RDS's error code and message. */
        String[] requestRestore(String target, Instant time, boolean latest) throws IOException;

        String[] deleteRestored(String id) throws IOException;

        /** A line in the region's log, for the API's refusals. */
        void note(String line);

        /** A network fault (isolate, cut, slow, heal); null when done, else why not. */
        String fault(String what, String link, String mode, long delayMs);

        /** The link to another Region, opened if need be, with that latency each way. */
        Region.InterRegion interRegion(long latencyMs) throws IOException;
    }

    private final HttpServer server;
    private final Backend plane;
    private final int ownerUid;
    private final String ownerName;

    RdsApi(Backend plane, int port, int ownerUid, String ownerName) throws IOException {
        this.plane = plane;
        this.ownerUid = ownerUid;
        this.ownerName = ownerName;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 32);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "rds-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/db007/status", guarded(ex -> RdsXml.reply(ex, 200, "application/json", Json.write(plane.status()))));
        server.createContext("/db007/repair", guarded(ex -> {
            plane.requestRepair();
            RdsXml.reply(ex, 202, "application/json", Json.line(Map.of("accepted", true)));
        }));
        server.createContext("/db007/fault", guarded(ex -> {
            Map<String, String> p = Http.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            long delay;
            try {
                delay = Long.parseLong(p.getOrDefault("delay_ms", "0"));
            } catch (NumberFormatException e) {
                delay = -1;
            }
            String refused = plane.fault(p.getOrDefault("fault", ""), p.getOrDefault("link", ""), p.get("mode"), delay);
            RdsXml.reply(ex, refused == null ? 200 : 400, "application/json", Json.line(refused == null ? Map.of("done", true) : Map.of("error", refused)));
        }));
        server.createContext("/db007/inter-region", guarded(ex -> {
            Map<String, String> p = Http.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            long latency;
            try {
                latency = Long.parseLong(p.getOrDefault("latency_ms", "40"));
            } catch (NumberFormatException e) {
                latency = -1;
            }
            if (latency < 0 || latency > 10_000) {
                RdsXml.reply(ex, 400, "application/json", Json.line(Map.of("error", "latency_ms must be a whole number of milliseconds from 0 to 10000")));
                return;
            }
            RdsXml.reply(ex, 200, "application/json", Json.line(plane.interRegion(latency)));
        }));
        server.createContext("/db007/shutdown", guarded(ex -> {
            RdsXml.reply(ex, 202, "application/json", Json.line(Map.of("accepted", true)));
            plane.requestShutdown();
        }));
        server.createContext("/", guarded(this::query));
        server.start();
    }

    /**
     * Only the lab's owner (or root) may call: the account that owns the calling socket is read
     * from the kernel. Anyone else gets the answer RDS gives a caller IAM refuses, and the attempt
     * is written in the control plane's log.
     */
    private HttpHandler guarded(HttpHandler handler) {
        return ex -> {
            int uid = SocketOwner.uid(ex.getRemoteAddress(), ex.getLocalAddress().getPort());
            if (SocketOwner.allowed(uid, ownerUid)) {
                handler.handle(ex);
                return;
            }
            plane.note("refused " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " from uid " + uid + ": only " + ownerName + " may call this lab");
            RdsXml.error(ex, 403, "AccessDenied", "User with uid " + uid + " is not authorized to perform this action on the DB007 lab of " + ownerName
                    + ": only its owner may.");
        };
    }

    // Long because it is one case per RDS action, the API's own list, each a few lines.
    private void query(HttpExchange ex) throws IOException {
        Map<String, String> p = Http.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        p.putAll(Http.form(ex.getRequestURI().getRawQuery()));
        String action = p.getOrDefault("Action", "");
        String id = p.get("DBInstanceIdentifier");
        Restores.Restored other = id == null || id.equals(Region.INSTANCE_ID) ? null
                : plane.restored().stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
        if (id != null && !id.equals(Region.INSTANCE_ID) && other == null) {
            RdsXml.error(ex, 404, "DBInstanceNotFound", "DBInstance " + id + " not found.");
            return;
        }
        switch (action) {
            case "DescribeDBInstances" -> {
                StringBuilder all = new StringBuilder();
                if (id == null || other == null) all.append(instance(plane.status(), plane.restoreWindow()));
                for (Restores.Restored r : plane.restored()) if (id == null || r == other) all.append(restored(r, plane.status()));
                RdsXml.ok(ex, action, "<DBInstances>" + all + "</DBInstances>");
            }
            case "DescribeDBInstanceAutomatedBackups" -> {
                Archive.Window w = plane.restoreWindow();
                StringBuilder x = new StringBuilder("<DBInstanceAutomatedBackups><DBInstanceAutomatedBackup>");
                RdsXml.tag(x, "DBInstanceIdentifier", Region.INSTANCE_ID);
                RdsXml.tag(x, "Engine", "postgres");
                RdsXml.tag(x, "Status", w == null ? "pending" : "active");
                RdsXml.tag(x, "BackupRetentionPeriod", "1");
                if (w != null) {
                    x.append("<RestoreWindow>");
                    RdsXml.tag(x, "EarliestTime", w.earliest().toString());
                    RdsXml.tag(x, "LatestTime", w.latest().toString());
                    x.append("</RestoreWindow>");
                }
                RdsXml.ok(ex, action, x.append("</DBInstanceAutomatedBackup></DBInstanceAutomatedBackups>").toString());
            }
            case "RestoreDBInstanceToPointInTime" -> {
                String source = p.getOrDefault("SourceDBInstanceIdentifier", "");
                if (!source.equals(Region.INSTANCE_ID)) {
                    RdsXml.error(ex, 404, "DBInstanceNotFound", "DBInstance " + source + " not found.");
                    return;
                }
                boolean latest = "true".equalsIgnoreCase(p.get("UseLatestRestorableTime"));
                Instant time;
                try {
                    time = latest ? null : Instant.parse(p.getOrDefault("RestoreTime", ""));
                } catch (RuntimeException e) {
                    RdsXml.error(ex, 400, "InvalidParameterValue", "Give RestoreTime (an ISO-8601 time) or UseLatestRestorableTime=true.");
                    return;
                }
                String target = p.getOrDefault("TargetDBInstanceIdentifier", "");
                String[] refused = plane.requestRestore(target, time, latest);
                if (refused != null) {
                    RdsXml.error(ex, 400, refused[0], refused[1]);
                    return;
                }
                Restores.Restored made = plane.restored().stream().filter(r -> r.id().equals(target)).findFirst().orElseThrow();
                RdsXml.ok(ex, action, restored(made, plane.status()));
            }
            case "DeleteDBInstance" -> {
                if (other == null) {
                    RdsXml.error(ex, 400, "InvalidDBInstanceState", "The local region's own instance is deleted with ./jbang lab down --purge.");
                    return;
                }
                String[] refused = plane.deleteRestored(id);
                if (refused != null) {
                    RdsXml.error(ex, 400, refused[0], refused[1]);
                    return;
                }
                RdsXml.ok(ex, action, restored(other.with(Region.InstanceStatus.DELETING, null), plane.status()));
            }
            case "RebootDBInstance" -> {
                boolean force = "true".equalsIgnoreCase(p.get("ForceFailover"));
                String refused = plane.requestReboot(force);
                if (refused != null) {
                    RdsXml.error(ex, 400, "InvalidDBInstanceState", refused);
                    return;
                }
                // As RDS answers an accepted reboot: the instance is rebooting from now on.
                Region.Status s = plane.status();
                RdsXml.ok(ex, action, instance(new Region.Status(s.primaryAz(), s.standbyAz(), s.phase(), s.failure(), Region.InstanceStatus.REBOOTING,
                        s.writesProtected(), s.unprotectedSince(), s.unprotectedReason(), s.endpoint(), s.apiPort(), s.nodes(), s.events(), s.links()), plane.restoreWindow()));
            }
            case "DescribeEvents" -> RdsXml.ok(ex, action, "<Events>" + events(p) + "</Events>");
            default -> RdsXml.error(ex, 400, "InvalidAction", "The local region does not offer " + action + "; it offers DescribeDBInstances, RebootDBInstance, "
                    + "DescribeEvents, DescribeDBInstanceAutomatedBackups, RestoreDBInstanceToPointInTime and DeleteDBInstance (of a restored instance).");
        }
    }

    /** A restored instance: Single-AZ, on its own port, in the primary's AZ. */
    private static String restored(Restores.Restored r, Region.Status s) {
        StringBuilder x = RdsXml.head(r.id(), r.status(), "127.0.0.1", r.port());
        if (s.primaryAz() != null) RdsXml.tag(x, "AvailabilityZone", s.primaryAz());
        RdsXml.tag(x, "MultiAZ", "false");
        RdsXml.tag(x, "PubliclyAccessible", "false");
        RdsXml.tag(x, "InstanceCreateTime", r.createdAt());
        RdsXml.tag(x, "DBInstanceArn", "arn:aws:rds:local:000000000000:db:" + r.id());
        return x.append("</DBInstance>").toString();
    }

    private static String instance(Region.Status s, Archive.Window w) {
        StringBuilder x = RdsXml.head(Region.INSTANCE_ID, s.instanceStatus(), s.endpoint().address(), s.endpoint().port());
        if (s.primaryAz() != null) RdsXml.tag(x, "AvailabilityZone", s.primaryAz());
        if (s.standbyAz() != null) RdsXml.tag(x, "SecondaryAvailabilityZone", s.standbyAz());
        RdsXml.tag(x, "MultiAZ", "true");
        RdsXml.tag(x, "PubliclyAccessible", "false");
        RdsXml.tag(x, "BackupRetentionPeriod", "1");
        if (w != null) RdsXml.tag(x, "LatestRestorableTime", w.latest().toString());
        RdsXml.tag(x, "DBInstanceArn", "arn:aws:rds:local:000000000000:db:" + Region.INSTANCE_ID);
        return x.append("</DBInstance>").toString();
    }

    private String events(Map<String, String> p) {
        Instant from = Instant.EPOCH;
        Instant to = Instant.MAX;
        if (p.containsKey("StartTime")) from = Instant.parse(p.get("StartTime"));
        if (p.containsKey("EndTime")) to = Instant.parse(p.get("EndTime"));
        if (p.containsKey("Duration") && !p.containsKey("StartTime")) from = Instant.now().minus(Duration.ofMinutes(Long.parseLong(p.get("Duration"))));
        else if (!p.containsKey("StartTime")) from = Instant.now().minus(Duration.ofHours(1)); // RDS's own default window
        StringBuilder x = new StringBuilder();
        for (Region.Event e : plane.status().events()) {
            Instant at = Instant.parse(e.time());
            if (at.isBefore(from) || at.isAfter(to)) continue;
            x.append("<Event>");
            RdsXml.tag(x, "SourceIdentifier", Region.INSTANCE_ID);
            RdsXml.tag(x, "SourceType", "db-instance");
            RdsXml.tag(x, "Message", e.message());
            x.append("<EventCategories><EventCategory>").append(category(e.type())).append("</EventCategory></EventCategories>");
            RdsXml.tag(x, "Date", e.time());
            RdsXml.tag(x, "SourceArn", "arn:aws:rds:local:000000000000:db:" + Region.INSTANCE_ID);
            x.append("</Event>");
        }
        return x.toString();
    }

    static String category(Region.EventType type) {
        return switch (type) {
            case FAILOVER_STARTED, STANDBY_PROMOTED, FAILOVER_COMPLETED -> "failover";
            case PRIMARY_LOST, STANDBY_LOST, REBUILD_ABANDONED -> "failure";
            case STANDBY_REBUILD_STARTED, STANDBY_IN_SYNC, STANDBY_RESTARTED, STANDBY_REJOINED, UNPROTECTED, PROTECTED, MULTI_AZ_RECOVERY_STARTED,
                    MULTI_AZ_RECOVERY_COMPLETED -> "recovery";
            case REBOOT_STARTED, REBOOT_COMPLETED, NODE_STARTED -> "availability";
            case REPLICA_CREATE_STARTED, REPLICA_CREATED -> "creation";
            case REPLICA_STREAMING_LOST, REPLICA_PROMOTE_STARTED, REPLICA_PROMOTED -> "read replica";
            case REPLICA_FAILED -> "failure";
            case REPLICA_DELETED -> "deletion";
            default -> "notification";
        };
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
