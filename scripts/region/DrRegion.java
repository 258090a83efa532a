package region;

//SOURCES ../common/FileTree.java ../common/Home.java ../common/Http.java ../common/Json.java ../common/SocketOwner.java ../common/Wait.java
//SOURCES PgBinaries.java PgNode.java RdsApi.java RdsXml.java Region.java ServerAccount.java Topology.java

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import common.FileTree;
import common.Home;
import common.Http;
import common.Json;
import common.SocketOwner;
import common.Wait;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * The other Region of mission step 11, in a JVM of its own so that it outlives the loss of the
 * mission's region: its own RDS API (CreateDBInstanceReadReplica, DescribeDBInstances,
 * PromoteReadReplica, DeleteDBInstance, DescribeEvents), signed by the SDK for the Region
 * {@value #NAME}, and at most one instance, a read replica of the mission's instance.
 *
 * The replica starts from a copy of the source primary's files (as RDS starts one from a
 * snapshot), then streams the source's WAL asynchronously through the region's inter-Region link,
 * which delays each byte as the distance between two Regions does. Nothing of the mission's
 * region is used once the copy is made: no archive, no slot, no synchronous role. When that
 * region goes dark, what the link was still carrying is lost, as it would be.
 */
public final class DrRegion {
    /** The Region's name, as the SDK signs its calls. */
    public static final String NAME = "local-dr";
    /** The replica's AZ, in the server's own db007.az setting and in DescribeDBInstances. */
    public static final String AZ = "dr";

    /** What lab/dr-region.json keeps: where the Region answers, and its replica. */
    public record State(int ownerUid, String ownerUser, int apiPort, int port, String dataRoot, Long pid, Replica replica) {
        State with(Replica r) {
            return new State(ownerUid, ownerUser, apiPort, port, dataRoot, pid, r);
        }

        State withPid(Long p) {
            return new State(ownerUid, ownerUser, apiPort, port, dataRoot, p, replica);
        }
    }

    /** The Region's one instance: a read replica of sourceArn until promoted (sourceArn null after). */
    public record Replica(String id, Region.InstanceStatus status, String sourceArn, String createdAt, String promotedAt, String failure) {
        Replica with(Region.InstanceStatus s, String source, String promoted, String why) {
            return new Replica(id, s, source, createdAt, promoted, why);
        }
    }

    /** One event of the Region's instance, as DescribeEvents gives it; the instance named, since the Region has no AZs to speak of. */
    public record Event(String time, Region.EventType type, String instance, String message) {}

    public static Path stateFile() { return Home.lab().resolve("dr-region.json"); }

    static Path eventsFile() { return Home.lab().resolve("dr-events.jsonl"); }

    public static void main(String[] args) throws Exception {
        new DrRegion().run();
        System.exit(0);
    }

    private final Region.State source;
    private final String password;
    private final ServerAccount account;
    private final PgBinaries bin;
    private final PgNode node;
    private final List<Event> events = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Written by the API's threads and the replica's own work, one change at a time (synchronized). */
    private State state;
    private volatile boolean streaming;
    private Instant notStreamingSince;

    private DrRegion() throws IOException {
        this.state = Json.read(stateFile(), State.class);
        this.source = Region.load();
        this.password = Region.password();
        this.account = ServerAccount.choose(source.runAs());
        this.bin = PgBinaries.probe(Path.of(source.pgBin()));
        if (bin == null) throw new IOException("the PostgreSQL programs in " + source.pgBin() + " no longer run");
        this.node = new PgNode(AZ, state.port(), Path.of(state.dataRoot()), bin, account);
        if (Files.exists(eventsFile())) {
            for (String line : Files.readAllLines(eventsFile())) if (!line.isBlank()) events.add(Json.read(line, Event.class));
        }
    }

    private void run() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), state.apiPort()), 16);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "dr-api");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/db007/status", guarded(ex -> RdsXml.reply(ex, 200, "application/json", Json.write(status()))));
        server.createContext("/db007/shutdown", guarded(ex -> {
            RdsXml.reply(ex, 202, "application/json", Json.line(Map.of("accepted", true)));
            stopped.countDown();
        }));
        server.createContext("/", guarded(this::query));
        // A replica that was running before this process stopped runs again, from its data.
        Replica r = state.replica();
        if (r != null && Files.isDirectory(node.dataDir) && r.status() != Region.InstanceStatus.DELETING) {
            node.start();
            update(r.with(Region.InstanceStatus.AVAILABLE, r.sourceArn(), r.promotedAt(), null));
        }
        save(state.withPid(ProcessHandle.current().pid()));
        server.start();
        log("replica Region " + NAME + " listening on " + state.apiPort());
        Thread watch = new Thread(this::watchReplication, "dr-watch");
        watch.setDaemon(true);
        watch.start();
        stopped.await();
        server.stop(0);
        node.stopFast(Duration.ofSeconds(30));
        // Recorded in a home that still has its lab; a deleted one is not made again for it.
        if (Files.exists(stateFile())) save(state.withPid(null));
        log("stopped");
    }

    /** What /db007/status says: the state, and whether the replica streams from its source now. */
    public record Status(State state, boolean streaming, List<Event> events) {}

    private synchronized Status status() {
        return new Status(state, streaming, List.copyOf(events));
    }

    // ---- the API ----------------------------------------------------------------------------------

    private com.sun.net.httpserver.HttpHandler guarded(com.sun.net.httpserver.HttpHandler handler) {
        return ex -> {
            int uid = SocketOwner.uid(ex.getRemoteAddress(), ex.getLocalAddress().getPort());
            if (SocketOwner.allowed(uid, state.ownerUid())) {
                handler.handle(ex);
                return;
            }
            log("refused " + ex.getRequestURI().getPath() + " from uid " + uid);
            RdsXml.error(ex, 403, "AccessDenied", "User with uid " + uid + " is not authorized to perform this action on the DB007 lab of "
                    + state.ownerUser() + ": only its owner may.");
        };
    }

    private void query(HttpExchange ex) throws IOException {
        Map<String, String> p = Http.form(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        p.putAll(Http.form(ex.getRequestURI().getRawQuery()));
        String action = p.getOrDefault("Action", "");
        String id = p.get("DBInstanceIdentifier");
        Replica r = state.replica();
        boolean ours = r != null && r.id().equals(id);
        switch (action) {
            case "CreateDBInstanceReadReplica" -> {
                String refused = create(id, p.getOrDefault("SourceDBInstanceIdentifier", ""));
                if (refused != null) {
                    int space = refused.indexOf(' ');
                    RdsXml.error(ex, refused.startsWith("DBInstanceAlreadyExists") ? 400 : refused.startsWith("DBInstanceNotFound") ? 404 : 400,
                            refused.substring(0, space), refused.substring(space + 1));
                    return;
                }
                RdsXml.ok(ex, action, instance(state.replica()));
            }
            case "DescribeDBInstances" -> {
                if (id != null && !ours) {
                    RdsXml.error(ex, 404, "DBInstanceNotFound", "DBInstance " + id + " not found.");
                    return;
                }
                RdsXml.ok(ex, action, "<DBInstances>" + (r == null ? "" : instance(r)) + "</DBInstances>");
            }
            case "PromoteReadReplica" -> {
                if (!ours) {
                    RdsXml.error(ex, 404, "DBInstanceNotFound", "DBInstance " + id + " not found.");
                    return;
                }
                String refused = promote();
                if (refused != null) {
                    RdsXml.error(ex, 400, "InvalidDBInstanceState", refused);
                    return;
                }
                RdsXml.ok(ex, action, instance(state.replica()));
            }
            case "DeleteDBInstance" -> {
                if (!ours) {
                    RdsXml.error(ex, 404, "DBInstanceNotFound", "DBInstance " + id + " not found.");
                    return;
                }
                delete();
                RdsXml.ok(ex, action, instance(r.with(Region.InstanceStatus.DELETING, r.sourceArn(), r.promotedAt(), null)));
            }
            case "DescribeEvents" -> RdsXml.ok(ex, action, "<Events>" + events(p) + "</Events>");
            default -> RdsXml.error(ex, 400, "InvalidAction", "The local replica Region does not offer " + action
                    + "; it offers CreateDBInstanceReadReplica, DescribeDBInstances, PromoteReadReplica, DeleteDBInstance and DescribeEvents.");
        }
    }

    private String instance(Replica r) {
        StringBuilder x = RdsXml.head(r.id(), r.status(), "127.0.0.1", state.port());
        RdsXml.tag(x, "AvailabilityZone", AZ);
        RdsXml.tag(x, "MultiAZ", "false");
        RdsXml.tag(x, "PubliclyAccessible", "false");
        RdsXml.tag(x, "InstanceCreateTime", r.createdAt());
        RdsXml.tag(x, "DBInstanceArn", arn(r.id()));
        if (r.sourceArn() != null) {
            RdsXml.tag(x, "ReadReplicaSourceDBInstanceIdentifier", r.sourceArn());
            // As RDS says how a replica's replication goes: replicating, or stopped with the reason.
            boolean fine = streaming || r.status() != Region.InstanceStatus.AVAILABLE;
            x.append("<StatusInfos><DBInstanceStatusInfo>");
            RdsXml.tag(x, "StatusType", "read replication");
            RdsXml.tag(x, "Normal", Boolean.toString(fine));
            RdsXml.tag(x, "Status", fine ? "replicating" : "error");
            if (!fine) RdsXml.tag(x, "Message", "Replication has stopped: the source instance cannot be reached.");
            x.append("</DBInstanceStatusInfo></StatusInfos>");
        }
        if (r.failure() != null) {
            x.append("<StatusInfos><DBInstanceStatusInfo>");
            RdsXml.tag(x, "StatusType", "read replication");
            RdsXml.tag(x, "Normal", "false");
            RdsXml.tag(x, "Status", "error");
            RdsXml.tag(x, "Message", r.failure());
            x.append("</DBInstanceStatusInfo></StatusInfos>");
        }
        return x.append("</DBInstance>").toString();
    }

    static String arn(String id) {
        return "arn:aws:rds:" + NAME + ":000000000000:db:" + id;
    }

    private String events(Map<String, String> p) {
        Instant from = p.containsKey("StartTime") ? Instant.parse(p.get("StartTime")) : Instant.now().minus(Duration.ofHours(1));
        StringBuilder x = new StringBuilder();
        for (Event e : status().events()) {
            if (Instant.parse(e.time()).isBefore(from)) continue;
            if (p.containsKey("SourceIdentifier") && !p.get("SourceIdentifier").equals(e.instance())) continue;
            x.append("<Event>");
            RdsXml.tag(x, "SourceIdentifier", e.instance());
            RdsXml.tag(x, "SourceType", "db-instance");
            RdsXml.tag(x, "Message", e.message());
            x.append("<EventCategories><EventCategory>").append(RdsApi.category(e.type())).append("</EventCategory></EventCategories>");
            RdsXml.tag(x, "Date", e.time());
            RdsXml.tag(x, "SourceArn", arn(e.instance()));
            x.append("</Event>");
        }
        return x.toString();
    }

    // ---- the replica's life -----------------------------------------------------------------------

    /** Null when the creation starts; else an RDS error code, a space, and the message. */
    private synchronized String create(String id, String sourceArn) {
        if (id == null || !id.matches("[a-z][a-z0-9-]{0,62}")) return "InvalidParameterValue The DBInstanceIdentifier must start with a letter and hold only lower-case letters, digits and hyphens.";
        if (state.replica() != null) return "DBInstanceAlreadyExists DB instance already exists in " + NAME + ": " + state.replica().id() + ".";
        // Across Regions, RDS takes the source by its ARN: another Region's instance has no meaning here by its bare name.
        String wanted = "arn:aws:rds:local:000000000000:db:" + Region.INSTANCE_ID;
        if (!sourceArn.equals(wanted)) return "DBInstanceNotFound The source must be the mission's instance in Region local, by its ARN: " + wanted + ".";
        Region.Status s = Region.status(source);
        if (s == null || s.primaryAz() == null || s.phase() == Topology.Phase.STOPPING) {
            return "InvalidDBInstanceState The source instance is not available: its Region does not answer.";
        }
        Replica r = new Replica(id, Region.InstanceStatus.CREATING, sourceArn, Instant.now().toString(), null, null);
        update(r);
        event(Region.EventType.REPLICA_CREATE_STARTED, id, "Creating read replica " + id + " in " + NAME + " from " + sourceArn + ".");
        Thread t = new Thread(() -> build(s.primaryAz()), "dr-create");
        t.setDaemon(true);
        t.start();
        return null;
    }

    /** The copy of the source primary's files, then streaming through the inter-Region link. */
    private void build(String primaryAz) {
        Replica r = state.replica();
        try {
            Region.InterRegion link = interRegion();
            Path root = Path.of(state.dataRoot());
            Files.createDirectories(root);
            account.own(root);
            // The source as this Region reaches it: every question through the link, the files from its data folder.
            PgNode primary = new PgNode(primaryAz, link.port(), link.port(), link.port(), Path.of(source.dataRoot()), bin, account);
            primary.connectTimeoutSeconds = 30;
            Path copy = root.resolve(AZ + ".partial");
            primary.baseBackupTo(copy, password, () -> false);
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
            account.ownTree(copy);
            if (Files.exists(node.dataDir)) FileTree.delete(node.dataDir);
            Files.move(copy, node.dataDir, StandardCopyOption.ATOMIC_MOVE);
            node.configureReplica(link.port(), password);
            node.start();
            try (KeptConnection looks = new KeptConnection(node, password, 2)) {
                Wait.until("the replica to stream from its source", Duration.ofSeconds(60), Duration.ofMillis(20), () -> streamsNow(looks));
            }
            update(r.with(Region.InstanceStatus.AVAILABLE, r.sourceArn(), null, null));
            event(Region.EventType.REPLICA_CREATED, r.id(), "Read replica " + r.id() + " created; it replicates from " + r.sourceArn() + ".");
        } catch (Exception e) {
            log("replica creation failed: " + e);
            update(r.with(Region.InstanceStatus.FAILED, r.sourceArn(), null, "The creation failed: " + e.getMessage()));
            event(Region.EventType.REPLICA_FAILED, r.id(), "The creation of read replica " + r.id() + " failed: " + e.getMessage());
        }
    }

    /** The region's inter-Region link, opened by the mission's control plane if the student has not set its latency yet. */
    private Region.InterRegion interRegion() throws IOException {
        if (Files.exists(Region.interRegionFile())) return Json.read(Region.interRegionFile(), Region.InterRegion.class);
        Http.Reply reply = Region.post(source, "/db007/inter-region", "latency_ms=40");
        if (reply.status() != 200) throw new IOException("the mission's region did not open its inter-Region link: " + reply.body());
        return Json.read(reply.body(), Region.InterRegion.class);
    }

    /** Null when the promotion starts; else RDS's reason for refusing it. */
    private synchronized String promote() {
        Replica r = state.replica();
        if (r.sourceArn() == null) return "DB instance " + r.id() + " is not a read replica.";
        if (r.status() != Region.InstanceStatus.AVAILABLE) return "DB instance " + r.id() + " is not in available state (" + Json.key(r.status()) + ").";
        update(r.with(Region.InstanceStatus.MODIFYING, r.sourceArn(), null, null));
        event(Region.EventType.REPLICA_PROMOTE_STARTED, r.id(), "Promoting read replica " + r.id() + " to a standalone instance.");
        Thread t = new Thread(() -> {
            try {
                // What has arrived is replayed and kept; what had not is not waited for: the source may be gone.
                node.promote(password, Duration.ofSeconds(60));
                Replica done = state.replica();
                update(done.with(Region.InstanceStatus.AVAILABLE, null, Instant.now().toString(), null));
                event(Region.EventType.REPLICA_PROMOTED, done.id(), "Read replica " + done.id() + " promoted: a standalone instance that takes writes.");
            } catch (Exception e) {
                log("promotion failed: " + e);
                Replica failed = state.replica();
                update(failed.with(Region.InstanceStatus.FAILED, failed.sourceArn(), null, "The promotion failed: " + e.getMessage()));
            }
        }, "dr-promote");
        t.setDaemon(true);
        t.start();
        return null;
    }

    private synchronized void delete() {
        Replica r = state.replica();
        update(r.with(Region.InstanceStatus.DELETING, r.sourceArn(), r.promotedAt(), null));
        Thread t = new Thread(() -> {
            node.kill();
            try {
                FileTree.delete(node.dataDir);
            } catch (IOException e) {
                log("could not delete " + node.dataDir + ": " + e.getMessage());
            }
            synchronized (this) {
                save(state.with(null));
            }
            event(Region.EventType.REPLICA_DELETED, r.id(), "DB instance " + r.id() + " deleted.");
        }, "dr-delete");
        t.setDaemon(true);
        t.start();
    }

    /** Twice a second: does the replica stream from its source? A replica that stops is said so, in its status and an event. */
    private void watchReplication() {
        try (KeptConnection looks = new KeptConnection(node, password, 2)) {
            watchReplication(looks);
        }
    }

    private void watchReplication(KeptConnection looks) {
        while (stopped.getCount() > 0) {
            Wait.pause(Duration.ofMillis(500));
            if (!Files.exists(stateFile())) {
                // Its home deleted, nobody is left to stop this Region: it stops itself, as the first Region's control plane does.
                log("the state file " + stateFile() + " is gone: stopping");
                stopped.countDown();
                return;
            }
            Replica r = state.replica();
            if (r == null || r.sourceArn() == null || r.status() != Region.InstanceStatus.AVAILABLE) {
                streaming = false;
                notStreamingSince = null;
                continue;
            }
            boolean now = streamsNow(looks);
            if (now) notStreamingSince = null;
            else if (notStreamingSince == null) notStreamingSince = Instant.now();
            if (streaming && !now) event(Region.EventType.REPLICA_STREAMING_LOST, r.id(), "Replication has stopped for read replica " + r.id()
                    + ": its source cannot be reached.");
            streaming = now;
        }
    }

    private static boolean streamsNow(KeptConnection looks) {
        try {
            return looks.ask(s -> {
                try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_stat_wal_receiver WHERE status = 'streaming'")) {
                    r.next();
                    return r.getInt(1) > 0;
                }
            });
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    // ---- records ------------------------------------------------------------------------------------

    private synchronized void update(Replica r) {
        save(state.with(r));
    }

    private synchronized void save(State s) {
        state = s;
        try {
            Json.writeAtomically(stateFile(), s);
        } catch (IOException e) {
            log("could not record the state: " + e.getMessage());
        }
    }

    private void event(Region.EventType type, String id, String message) {
        Event e = new Event(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), type, id, message);
        synchronized (this) {
            events.add(e);
        }
        log(Json.key(type) + " " + id + ": " + message);
        try {
            Files.writeString(eventsFile(), Json.line(e) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException ex) {
            log("could not record the event: " + ex.getMessage());
        }
    }

    private static void log(String line) {
        System.out.println(Instant.now() + " " + line);
        System.out.flush();
    }
}
