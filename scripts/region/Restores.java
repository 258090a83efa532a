package region;

//SOURCES ../common/FileTree.java ../common/Home.java ../common/Json.java ../common/Ports.java Archive.java ControlPlane.java LocalRegion.java PgNode.java Region.java

import common.FileTree;
import common.Home;
import common.Json;
import common.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Point-in-time restores, as RDS's RestoreDBInstanceToPointInTime: each request checked at once
 * (a time inside the restorable window, a whole archive, a free name), then restored on a thread
 * of its own into a new server on a port of its own, never behind the writer endpoint, while
 * DescribeDBInstances shows it "creating". The list of restored instances is guarded by itself.
 */
final class Restores {
    /** An instance restored to a point in time, as DescribeDBInstances shows it. */
    public record Restored(String id, String source, int port, String restoreTime, String createdAt, Region.InstanceStatus status, String failure) {
        Restored with(Region.InstanceStatus newStatus, String why) {
            return new Restored(id, source, port, restoreTime, createdAt, newStatus, why);
        }
    }

    private final ControlPlane plane;
    private final Archive archive;
    private final Path file;
    private final Map<String, Restored> restored = new LinkedHashMap<>();
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "restore");
        t.setDaemon(true);
        return t;
    });

    Restores(ControlPlane plane, Archive archive) throws IOException {
        this.plane = plane;
        this.archive = archive;
        this.file = Home.lab().resolve("restored.json");
        if (Files.exists(file)) {
            for (Restored r : Json.read(file, Restored[].class)) restored.put(r.id(), r);
        }
    }

    private PgNode node(Restored r) {
        return plane.newNode("pitr-" + r.id(), r.port());
    }

    private void save() {
        synchronized (restored) {
            try {
                Json.writeAtomically(file, List.copyOf(restored.values()));
            } catch (IOException e) {
                plane.log("could not record the restored instances: " + e.getMessage());
            }
        }
    }

    /** The restorable window, or null before the first base backup and archived segment. */
    Archive.Window window() {
        try {
            return archive.window();
        } catch (IOException e) {
            return null;
        }
    }

    /** The restored instances, each with its status as it is now: a server that stopped is shown stopped. */
    List<Restored> list() {
        synchronized (restored) {
            List<Restored> all = new ArrayList<>();
            for (Restored r : restored.values()) {
                all.add(r.status() == Region.InstanceStatus.AVAILABLE && !node(r).running() ? r.with(Region.InstanceStatus.STOPPED, r.failure()) : r);
            }
            return all;
        }
    }

    /** RestoreDBInstanceToPointInTime; returns the refusal, as RDS words it (code and message), or null. */
    String[] request(String target, Instant time, boolean latest) throws IOException {
        if (!target.matches("[A-Za-z][A-Za-z0-9-]{0,62}") || target.endsWith("-") || target.contains("--") || target.equals(Region.INSTANCE_ID)) {
            return new String[] {"InvalidParameterValue", "The target identifier " + target + " is not a valid DB instance identifier."};
        }
        synchronized (restored) {
            if (restored.containsKey(target)) return new String[] {"DBInstanceAlreadyExists", "DB instance already exists: " + target + "."};
        }
        Archive.Window w = archive.window();
        if (w == null) return new String[] {"InvalidRestoreFault", "Nothing of db007 is restorable yet: its first base backup is taken once the region is up, and becomes restorable once the WAL after it is archived (within "
                + Archive.ARCHIVE_TIMEOUT.toSeconds() + " s)."};
        Instant at = latest ? w.latest() : time;
        if (at.isBefore(w.earliest()) || at.isAfter(w.latest())) {
            return new String[] {"InvalidRestoreFault", "The restore time " + at + " is outside the restorable window, from " + w.earliest() + " to " + w.latest() + "."};
        }
        Archive.Base base = null;
        for (Archive.Base b : archive.bases(true)) if (!b.consistentAt().isAfter(at)) base = b;
        String gap = base == null ? null : archive.firstGap(base);
        if (gap != null) return new String[] {"InvalidRestoreFault", "The WAL archive has a gap: segment " + gap + " is missing, so no restore can replay past it."};
        int port = Ports.free(1)[0];
        Restored r = new Restored(target, Region.INSTANCE_ID, port, at.toString(), Instant.now().toString(), Region.InstanceStatus.CREATING, null);
        synchronized (restored) {
            restored.put(target, r);
        }
        save();
        plane.event(Region.EventType.RESTORE_STARTED, plane.topology().primaryAz(), "Restoring DB instance " + target + " from db007 to " + at + ".");
        worker.submit(() -> restore(target, port, at));
        return null;
    }

    private void restore(String target, int port, Instant at) {
        Instant t = Instant.now();
        try {
            Archive.Restore done = archive.restore(target, port, at, plane.node(plane.topology().primaryAz()), plane.binaries(), plane.password());
            plane.log("restore " + target + ": base backup copied in " + done.copy().toMillis() + " ms, " + done.files() + " WAL files unpacked in "
                    + done.unpack().toMillis() + " ms, replayed and promoted in " + done.replay().toMillis() + " ms");
            synchronized (restored) {
                restored.put(target, restored.get(target).with(Region.InstanceStatus.AVAILABLE, null));
            }
            plane.event(Region.EventType.RESTORE_COMPLETED, plane.topology().primaryAz(), "Restored from DB instance db007 to " + at + " as " + target + " ("
                    + Duration.between(t, Instant.now()).toMillis() + " ms).");
        } catch (Exception e) {
            synchronized (restored) {
                restored.put(target, restored.get(target).with(Region.InstanceStatus.FAILED, e.getMessage()));
            }
            plane.event(Region.EventType.RESTORE_FAILED, plane.topology().primaryAz(), "The restore of " + target + " failed: " + e.getMessage());
        }
        save();
    }

    /** DeleteDBInstance, for a restored instance: its server stopped, its data deleted. Returns the refusal, or null. */
    String[] delete(String id) throws IOException {
        Restored r;
        synchronized (restored) {
            r = restored.get(id);
        }
        if (r == null) return new String[] {"DBInstanceNotFound", "DBInstance " + id + " not found."};
        if (r.status() == Region.InstanceStatus.CREATING) return new String[] {"InvalidDBInstanceState", "DB instance " + id + " is being restored; delete it once it is available."};
        PgNode node = node(r);
        node.kill();
        FileTree.delete(node.dataDir);
        synchronized (restored) {
            restored.remove(id);
        }
        save();
        plane.event(Region.EventType.RESTORE_DELETED, plane.topology().primaryAz(), "DB instance " + id + " deleted.");
        return null;
    }

    /** Every restored server stopped, as the region goes down: their data stays, for lab up to bring them back. */
    void stopAll() {
        worker.shutdownNow();
        for (Restored r : list()) node(r).kill();
    }
}
