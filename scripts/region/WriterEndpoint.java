package region;

//SOURCES Network.java Relay.java

import java.io.IOException;

/**
 * The region's stable address, as an RDS endpoint's DNS name is: clients always connect here and
 * reach whichever node is primary, over that node's AZ's client link (a relay of the region's
 * network). At a failover the control plane points it elsewhere and resets every open
 * connection, as the old primary's death does on RDS, except those whose AZ is cut off: their
 * packets vanish, and their clients wait as long as their own timeouts let them.
 */
final class WriterEndpoint implements AutoCloseable {
    private final Relay relay;
    private volatile int targetPort = -1;

    WriterEndpoint(Network network, int port, java.util.function.IntFunction<String> azOfPort) throws IOException {
        relay = network.relay("endpoint", port, () -> targetPort, p -> "client-" + azOfPort.apply(p));
    }

    /** Sends new connections to this port; -1 refuses them, for the moments without a primary. */
    void routeTo(int port) {
        targetPort = port;
    }

    void cutAll() {
        relay.cutAll();
    }

    @Override
    public void close() throws IOException {
        relay.close();
    }
}
