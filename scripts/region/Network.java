package region;

//SOURCES Region.java Relay.java

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The region's network: every link between its parts, each a relay the kit owns, and the fault
 * each link has now. The links are named by their two ends: client-azN (clients, through the
 * writer endpoint, to the server in azN), az1-az2 (replication between the two servers, both
 * ways) and cp-azN (the control plane to the server in azN). Faults are asked by a student or a
 * test (lab isolate, cut, slow, heal) and take effect at once on the connections already open.
 *
 * The control plane sits in the region, outside both AZs, as RDS's does: isolating an AZ cuts
 * its links to the control plane too, but not the control plane's hold on its processes (the
 * management plane), with which it fences a primary it has replaced.
 */
final class Network implements AutoCloseable {
    private final Map<String, Relay.Fault> faults = new ConcurrentHashMap<>();
    /** What a link is, not a fault: the time its bytes take each way (the link to another Region, step 11). */
    private final Map<String, Duration> latency = new ConcurrentHashMap<>();
    private final List<Relay> relays = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The links of a two-AZ region. */
    static List<String> links(List<String> azs) {
        List<String> names = new ArrayList<>();
        for (String az : azs) names.add("client-" + az);
        names.add(String.join("-", azs));
        for (String az : azs) names.add("cp-" + az);
        return names;
    }

    Network(List<String> azs) {
        for (String link : links(azs)) faults.put(link, Relay.Fault.NONE);
    }

    /** A relay of this network, each of whose connections takes the link that leads to the port it reaches. */
    Relay relay(String name, int port, java.util.function.IntSupplier target, java.util.function.IntFunction<String> linkTo) throws IOException {
        Relay r = new Relay(name, port, target, linkTo, this::of);
        relays.add(r);
        return r;
    }

    /** A link of the network's own, with its standing latency each way: not a fault, and healed back to it. */
    void link(String name, Duration standing) {
        faults.putIfAbsent(name, Relay.Fault.NONE);
        latency.put(name, standing);
    }

    boolean knows(String link) {
        return faults.containsKey(link);
    }

    /** Every link to or from the AZ blackholed: its servers keep running, nobody reaches them. */
    void isolate(String az) {
        for (String link : faults.keySet()) {
            if (List.of(link.split("-")).contains(az)) set(link, new Relay.Fault(Region.LinkMode.BLACKHOLED, Duration.ZERO));
        }
    }

    void set(String link, Relay.Fault fault) {
        faults.put(link, fault);
        if (fault.mode() == Region.LinkMode.RESET) for (Relay r : relays) r.reset(link);
    }

    /** Every link up again, undelayed; connections that lost bytes meanwhile are reset. */
    void heal() {
        faults.replaceAll((link, f) -> Relay.Fault.NONE);
        for (Relay r : relays) r.healed();
    }

    /** What the link does to its bytes now: its fault, and the fault's delay on top of its standing latency. */
    Relay.Fault of(String link) {
        Relay.Fault f = faults.getOrDefault(link, Relay.Fault.NONE);
        Duration standing = latency.getOrDefault(link, Duration.ZERO);
        return standing.isZero() ? f : new Relay.Fault(f.mode(), f.delay().plus(standing));
    }

    /** Whether any link is not plainly up: status says so, never "healthy" under a fault. */
    boolean faulty() {
        return faults.values().stream().anyMatch(f -> !f.equals(Relay.Fault.NONE));
    }

    List<Region.Link> state() {
        List<Region.Link> all = new ArrayList<>();
        for (String link : faults.keySet().stream().sorted().toList()) {
            Relay.Fault f = faults.getOrDefault(link, Relay.Fault.NONE);
            int n = 0;
            for (Relay r : relays) n += r.connections(link);
            all.add(new Region.Link(link, f.mode(), f.delay().toMillis(), latency.getOrDefault(link, Duration.ZERO).toMillis(), n));
        }
        return all;
    }

    @Override
    public void close() throws IOException {
        for (Relay r : relays) r.close();
    }
}
