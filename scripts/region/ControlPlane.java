package region;

//SOURCES ../common/Home.java ../common/Json.java ../common/Ports.java ../common/Wait.java Archive.java Changes.java LocalRegion.java Monitor.java Network.java
//SOURCES PgBinaries.java PgNode.java RdsApi.java Region.java Relay.java Restores.java ServerAccount.java Topology.java Verdict.java
//SOURCES WriterEndpoint.java

import common.Home;
import common.Json;
import common.Ports;
import common.Wait;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The local region's control plane, which owns the topology as RDS does: it wires the servers,
 * the writer endpoint, the RDS-like API, the watch (Monitor), the changes (Changes) and the
 * point-in-time restores (Restores), and runs until shut down.
 *
 * Threads, and what each owns:
 * - the topology thread runs every change, one at a time (Changes), and alone writes the
 *   topology, the state file and the failure, publishing each new topology whole;
 * - the monitor thread watches and decides (Monitor); it alone writes what it remembers;
 * - the API's threads read status and hand requests over: a reboot, a repair and the shutdown
 *   become changes on the topology thread; shuttingDown is theirs to set;
 * - the restore thread restores (Restores), its list guarded by itself; events by theirs.
 */
public final class ControlPlane implements RdsApi.Backend {
    private final PrintStream log;
    private final String password;
    private final Map<String, PgNode> nodes = new LinkedHashMap<>();
    private final List<Region.Event> events = new ArrayList<>();
    private final ExecutorService topologyThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "topology"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** The change queued or running on the topology thread, if any: the monitor asks once per incident. */
    private final AtomicReference<Pending> pending = new AtomicReference<>();
    private final PgBinaries bin;
    private final ServerAccount account;
    private final Changes changes;
    private final Monitor monitor;
    private final Restores restores;
    /** Written by the topology thread (and before it starts); read by all. */
    private volatile Topology topology;
    private volatile Region.State state;
    private volatile String failure;
    /** Set once, by the API thread that asks for the shutdown. */
    private volatile boolean shuttingDown;
    private final Network network;
    private WriterEndpoint endpoint;
    private RdsApi api;

    /** Started by LocalRegion in its own JVM, with DB007_HOME set; logs to standard output. */
    public static void main(String[] args) throws Exception {
        new ControlPlane(System.out).run();
        System.exit(0);
    }

    public ControlPlane(PrintStream log) throws IOException {
        this.log = log;
        this.state = Region.load();
        this.password = Region.password();
        this.account = ServerAccount.choose(state.runAs());
        this.bin = PgBinaries.probe(Path.of(state.pgBin()));
        if (bin == null) throw new IOException("the PostgreSQL programs in " + state.pgBin() + " no longer run; run lab up again");
        Archive archive = new Archive(Path.of(state.dataRoot()), account);
        this.state = withRelayPorts(state);
        this.network = new Network(state.nodes().stream().map(Region.NodeSpec::az).toList());
        for (Region.NodeSpec n : state.nodes()) {
            PgNode node = new PgNode(n.az(), n.port(), n.replicationPort(), n.controlPort(), Path.of(state.dataRoot()), bin, account);
            node.archiving(archive.archiveSettings(n.az()));
            nodes.put(n.az(), node);
        }
        Path file = eventsFile();
        if (Files.exists(file)) {
            for (String line : Files.readAllLines(file)) if (!line.isBlank()) events.add(Json.read(line, Region.Event.class));
        }
        topology = Topology.starting(state.primaryAz());
        changes = new Changes(this, password, archive);
        monitor = new Monitor(this, changes, password);
        restores = new Restores(this, archive);
    }

    /** Runs until shut down: API first, so that lab up can follow progress, then the region itself. */
    public void run() throws Exception {
        // A new JVM's first connection took 300 ms here: loading the JDBC driver, and SCRAM's 4096
        // rounds of HMAC-SHA-256 run before the JIT has compiled them. Both are done while initdb runs.
        Thread warmUp = new Thread(() -> {
            try {
                Class.forName("org.postgresql.Driver");
                javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                        .generateSecret(new javax.crypto.spec.PBEKeySpec("warm-up".toCharArray(), new byte[16], 4096, 256));
            } catch (ReflectiveOperationException | java.security.GeneralSecurityException ignored) {
                // The first connection will say so, or only take longer.
            }
        }, "warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        // Every link through a relay of the region's own: the writer endpoint, replication into each server, the control plane's own.
        endpoint = new WriterEndpoint(network, state.endpointPort(), this::azOfPort);
        String between = String.join("-", nodes.keySet());
        for (PgNode n : nodes.values()) {
            network.relay("replication-" + n.az, n.replicationPort, () -> n.port, p -> between);
            network.relay("control-" + n.az, n.controlPort, () -> n.port, p -> "cp-" + n.az);
        }
        if (Files.exists(Region.interRegionFile())) interRegion(Json.read(Region.interRegionFile(), Region.InterRegion.class).latencyMs());
        api = new RdsApi(this, state.apiPort(), state.ownerUid(), state.ownerUser());
        state = state.withControlPlane(ProcessHandle.current().pid());
        Json.writeAtomically(Region.stateFile(), state);
        // Beside the servers too: a lab up in a home whose folder was deleted finds this plane by its data folder.
        Files.writeString(LocalRegion.controlPlaneFile(Path.of(state.dataRoot())), ProcessHandle.current().pid() + "\n");
        watchHome();
        log("control plane " + ProcessHandle.current().pid() + " listening, " + ManagementFactory.getRuntimeMXBean().getUptime() + " ms after its JVM started");
        submit(Verdict.Action.RESTART_PRIMARY, changes::converge, false);
        monitor.start();
        stopped.await();
        api.close();
    }

    /** The state file still there and naming this process, or naming none (written before this plane started). */
    private static boolean stateIsMine() {
        try {
            Long pid = Json.read(Region.stateFile(), Region.State.class).controlPlanePid();
            return pid == null || pid == ProcessHandle.current().pid();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * A region whose home was deleted has nobody left to stop it: it stops itself, rather than
     * run on unseen and restart servers a new lab in the same place is clearing away.
     */
    private void watchHome() {
        Thread t = new Thread(() -> {
            while (!shuttingDown) {
                Wait.pause(Duration.ofSeconds(1));
                if (!stateIsMine()) {
                    log("the lab's state file " + Region.stateFile() + " is gone or names another control plane: stopping the region");
                    requestShutdown();
                }
            }
        }, "home-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The link to another Region, for step 11's read replica there: a relay on a port of its own
     * to whichever server is primary now (a replica follows its source across a Multi-AZ
     * failover, as on RDS), each byte delayed by the latency between two Regions, each way. It
     * lives in this process, like every link of the region: when the region goes dark, the bytes
     * still on their way die with it, as those in a dead Region's network do. Opened on the first
     * request, and kept in lab/inter-region.json so that a replica's address survives a restart.
     */
    @Override
    public synchronized Region.InterRegion interRegion(long latencyMs) throws IOException {
        Region.InterRegion known = Files.exists(Region.interRegionFile()) ? Json.read(Region.interRegionFile(), Region.InterRegion.class) : null;
        for (String az : nodes.keySet()) network.link(az + "-dr", Duration.ofMillis(latencyMs));
        if (interRegion == null) {
            int port = known != null ? known.port() : Ports.free(1)[0];
            interRegion = network.relay("inter-region", port, () -> nodes.get(topology.primaryAz()).port, p -> azOfPort(p) + "-dr");
        }
        Region.InterRegion link = new Region.InterRegion(interRegion.port(), latencyMs);
        Json.writeAtomically(Region.interRegionFile(), link);
        log("inter-region link on port " + link.port() + ", " + latencyMs + " ms each way");
        return link;
    }

    /**
     * A lab made before its links had relays gets their ports now, kept in its state, so that a
     * standby's replication address stays the same across restarts.
     */
    private static Region.State withRelayPorts(Region.State state) throws IOException {
        if (state.nodes().stream().allMatch(n -> n.replicationPort() != null && n.controlPort() != null)) return state;
        int[] ports = Ports.free(2 * state.nodes().size());
        List<Region.NodeSpec> nodes = new ArrayList<>();
        for (int i = 0; i < state.nodes().size(); i++) nodes.add(state.nodes().get(i).withRelays(ports[2 * i], ports[2 * i + 1]));
        Region.State updated = state.withNodes(nodes);
        Json.writeAtomically(Region.stateFile(), updated);
        return updated;
    }

    private Relay interRegion;

    private String azOfPort(int port) {
        for (PgNode n : nodes.values()) if (n.port == port) return n.az;
        return "none";
    }

    // ---- what the other parts use --------------------------------------------------------------

    PgNode newNode(String az, int port) {
        return new PgNode(az, port, Path.of(state.dataRoot()), bin, account);
    }

    PgNode node(String az) {
        return nodes.get(az);
    }

    Collection<PgNode> nodes() {
        return nodes.values();
    }

    String otherThan(String az) {
        return nodes.keySet().stream().filter(a -> !a.equals(az)).findFirst().orElseThrow();
    }

    Topology topology() {
        return topology;
    }

    Network network() {
        return network;
    }

    WriterEndpoint endpoint() {
        return endpoint;
    }

    PgBinaries binaries() {
        return bin;
    }

    String password() {
        return password;
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    /** A change handed to the topology thread; a reboot asked through the API shows the instance "rebooting" from that moment, as RDS does. */
    private record Pending(Verdict.Action action, boolean reboot, java.util.concurrent.atomic.AtomicBoolean begun) {
        Pending(Verdict.Action action, boolean reboot) {
            this(action, reboot, new java.util.concurrent.atomic.AtomicBoolean());
        }
    }

    Verdict.Action pending() {
        Pending p = pending.get();
        return p == null ? null : p.action();
    }

    String failure() {
        return failure;
    }

    /** Topology thread only: a new topology, whole. */
    void publish(Topology next) {
        Topology before = topology;
        topology = next;
        if (before.phase() != next.phase()) log("phase " + next.phase().key());
    }

    /** Topology thread only: the primary recorded in the state file, for lab up after a restart. */
    void setPrimary(String az) throws IOException {
        state = state.withPrimary(az);
        Json.writeAtomically(Region.stateFile(), state);
    }

    /** One change for the topology thread. */
    @FunctionalInterface
    interface Change {
        void run() throws Exception;
    }

    /**
     * Hands a change to the topology thread; refused while another is queued or running, unless
     * it follows a rebuild the monitor asked to abandon: then it is queued behind it.
     */
    boolean submit(Verdict.Action action, Change change, boolean behindAbandoned) {
        return submit(new Pending(action, false), change, behindAbandoned);
    }

    private boolean submit(Pending mine, Change change, boolean behindAbandoned) {
        if (behindAbandoned) pending.set(mine);
        else if (!pending.compareAndSet(null, mine)) return false;
        topologyThread.submit(() -> {
            mine.begun().set(true);
            try {
                change.run();
                failure = null;
            } catch (Changes.Abandoned a) {
                event(Region.EventType.REBUILD_ABANDONED, otherThan(topology.primaryAz()), "The rebuild of the standby was abandoned: the primary it copied from was lost.");
            } catch (Exception e) {
                if (!shuttingDown && Verdict.watched(topology.phase()) && changes.primaryDying()) {
                    // The primary died under the change (its error came before the monitor's word): the
                    // monitor restarts it, as for a rebuild it abandons. In any other phase (the primary's own
                    // restart failing) the monitor would never look: the change fails, and is tried again.
                    event(Region.EventType.REBUILD_ABANDONED, otherThan(topology.primaryAz()), "The rebuild of the standby was abandoned: the primary it copied from was lost.");
                    return;
                }
                log("change failed: " + e);
                failure = String.valueOf(e.getMessage());
                publish(topology.in(Topology.Phase.FAILED));
            } finally {
                changes.changeEnded();
                pending.compareAndSet(mine, null);
            }
        });
        return true;
    }

    void event(Region.EventType type, String az, String message) {
        Region.Event e = new Region.Event(Instant.now().truncatedTo(ChronoUnit.MILLIS).toString(), type, az, message);
        synchronized (events) {
            events.add(e);
            log(Json.key(type) + " " + az + ": " + message);
            try {
                Files.writeString(eventsFile(), Json.line(e) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException ex) {
                log("could not record event: " + ex.getMessage());
            }
        }
    }

    private Path eventsFile() {
        return Home.lab().resolve("events.jsonl");
    }

    void log(String line) {
        synchronized (log) {
            log.println(Instant.now().truncatedTo(ChronoUnit.MILLIS) + " " + line);
            log.flush();
        }
    }

    // ---- the API's requests --------------------------------------------------------------------

    @Override
    public Region.Status status() {
        Topology t = topology;
        Monitor.Health h = monitor.health();
        List<Region.Node> list = new ArrayList<>();
        Map<String, Region.SyncState> sync = t.phase() == Topology.Phase.STOPPING ? Map.of() : syncStates(h, t);
        for (PgNode n : nodes.values()) {
            Topology.Role role = n.az.equals(t.primaryAz()) ? Topology.Role.PRIMARY : t.role(n.az);
            list.add(new Region.Node(n.az, role, n.port, n.postmasterPid(), n.az.equals(t.primaryAz()) ? null : sync.get(n.az),
                    h.nodes().getOrDefault(n.az, Region.Health.OK)));
        }
        List<Region.Event> copy;
        synchronized (events) {
            copy = List.copyOf(events);
        }
        Pending p = pending.get();
        Region.InstanceStatus shown = p != null && p.reboot() && !p.begun().get() ? Region.InstanceStatus.REBOOTING : t.instanceStatus();
        return new Region.Status(t.primaryAz(), t.standbyAz(), t.phase(), t.phase() == Topology.Phase.FAILED ? failure : null, shown, t.protectedWrites(), t.unprotectedSince() == null ? null : t.unprotectedSince().truncatedTo(ChronoUnit.MILLIS).toString(),
                t.exposure(), new Region.Endpoint("127.0.0.1", state.endpointPort()), state.apiPort(), list, copy, network.state());
    }

    /**
     * The standbys' sync states as the primary said them in the last half second: status says
     * what is, not what was meant, and a primary that stopped answering has no standby in sync.
     */
    private static Map<String, Region.SyncState> syncStates(Monitor.Health h, Topology t) {
        if (h.nodes().getOrDefault(t.primaryAz(), Region.Health.OK) != Region.Health.OK) return Map.of();
        if (Duration.between(h.syncStatesAt(), Instant.now()).compareTo(Duration.ofMillis(500)) > 0) return Map.of();
        return h.syncStates();
    }

    /** RebootDBInstance: with failover the standby takes over; without, the primary restarts in place. */
    @Override
    public String requestReboot(boolean forceFailover) {
        if (shuttingDown) return "The region is shutting down.";
        // A change that is finishing (a rebuild's last step after the region is ready again) is let to end first.
        Wait.within(Duration.ofSeconds(2), Duration.ofMillis(5), () -> pending.get() == null);
        Topology t = topology;
        if (t.phase() != Topology.Phase.READY || t.instanceStatus() != Region.InstanceStatus.AVAILABLE) {
            return "DB instance is not in available state (" + (t.phase() == Topology.Phase.READY ? Json.key(t.instanceStatus()) : t.phase().key())
                    + "). Try again when it is.";
        }
        if (pending.get() != null) return "Another change is under way. Try again.";
        if (forceFailover && !t.synchronous()) return "Cannot fail over: no synchronous standby is ready. Wait until the standby is in sync.";
        Verdict.Action action = forceFailover ? Verdict.Action.FAIL_OVER : Verdict.Action.RESTART_PRIMARY;
        return submit(new Pending(action, true), forceFailover ? () -> changes.failover(true) : changes::restartPrimary, false) ? null : "Another change is under way. Try again.";
    }

    @Override
    public void requestRepair() {
        if (shuttingDown) return;
        // A repair heals the network first: nothing is whole while a link is down.
        if (network.faulty()) heal();
        if (pending.get() != null) return;
        submit(Verdict.Action.RESTART_PRIMARY, changes::converge, false);
    }

    /**
     * A fault on the region's network, as a student or a test asks it: isolate an AZ (every link
     * to and from it blackholed), cut a link (reset, or blackholed), slow a link, heal them all.
     * Returns the refusal, or null.
     */
    @Override
    public String fault(String what, String link, String mode, long delayMs) {
        if (shuttingDown) return "The region is shutting down.";
        switch (what) {
            case "isolate" -> {
                if (!nodes.containsKey(link)) return "No AZ " + link + " in this region: " + nodes.keySet() + ".";
                network.isolate(link);
                event(Region.EventType.NETWORK_FAULT, link, "Network fault: every link to and from " + link + " is blackholed; its servers keep running.");
            }
            case "cut" -> {
                if (!network.knows(link)) return "No link " + link + " in this region: " + Network.links(List.copyOf(nodes.keySet())) + ".";
                Region.LinkMode m = "blackhole".equals(mode) ? Region.LinkMode.BLACKHOLED : Region.LinkMode.RESET;
                network.set(link, new Relay.Fault(m, Duration.ZERO));
                event(Region.EventType.NETWORK_FAULT, azOf(link), "Network fault: the link " + link + " is cut (" + Json.key(m) + ").");
            }
            case "slow" -> {
                if (!network.knows(link)) return "No link " + link + " in this region: " + Network.links(List.copyOf(nodes.keySet())) + ".";
                if (delayMs < 0 || delayMs > 10_000) return "A delay from 0 to 10000 ms, not " + delayMs + ".";
                network.set(link, new Relay.Fault(network.of(link).mode(), Duration.ofMillis(delayMs)));
                event(Region.EventType.NETWORK_FAULT, azOf(link), "Network fault: the link " + link + " is slowed by " + delayMs + " ms each way.");
            }
            case "heal" -> heal();
            default -> {
                return "No fault " + what + ": isolate, cut, slow or heal.";
            }
        }
        return null;
    }

    private void heal() {
        network.heal();
        event(Region.EventType.NETWORK_HEALED, topology.primaryAz(), "Network healed: every link is up; connections that lost data were reset.");
    }

    private String azOf(String link) {
        for (String az : nodes.keySet()) if (link.endsWith(az)) return az;
        return topology.primaryAz();
    }

    /**
     * Stops both servers, the endpoint and the API, then lets run() return. The stop is a change
     * on the topology thread, after the one under way: a rebuild gives up at once, a failover
     * finishes first, and nothing else writes the topology or the state meanwhile.
     */
    @Override
    public void requestShutdown() {
        if (shuttingDown) return;
        shuttingDown = true;
        topologyThread.submit(() -> {
            log("phase stopping");
            changes.shutdown();
            restores.stopAll();
            try {
                state = state.withControlPlane(null);
                // A new lab may be made where this one was: its files are not this plane's to write or delete.
                if (stateIsMine()) {
                    Json.writeAtomically(Region.stateFile(), state);
                    Files.deleteIfExists(LocalRegion.controlPlaneFile(Path.of(state.dataRoot())));
                }
            } catch (IOException e) {
                log("could not update state: " + e.getMessage());
            }
            log("stopped");
            stopped.countDown();
        });
    }

    @Override
    public List<Restores.Restored> restored() {
        return restores.list();
    }

    @Override
    public Archive.Window restoreWindow() {
        return restores.window();
    }

    @Override
    public String[] requestRestore(String target, Instant time, boolean latest) throws IOException {
        return restores.request(target, time, latest);
    }

    @Override
    public String[] deleteRestored(String id) throws IOException {
        return restores.delete(id);
    }

    @Override
    public void note(String line) {
        log(line);
    }
}
