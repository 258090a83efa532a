import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Ports;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The lab's ports are bound seconds after they are picked, and again after every restart. One
 * picked where the system finds ports for outgoing connections can be taken in the meantime as
 * the local end of such a connection, and the server then cannot bind it: the ports come from
 * below that range, and an outgoing connection never gets one of them.
 */
class PortsTest {
    @Test
    void portsArePickedBelowTheRangeOutgoingConnectionsGetTheirsFrom() throws Exception {
        int ephemeral;
        try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
            ephemeral = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
        }
        int[] picked = Ports.free(40);
        Set<Integer> distinct = Arrays.stream(picked).boxed().collect(Collectors.toSet());
        assertEquals(40, distinct.size(), Arrays.toString(picked));
        for (int p : picked) assertTrue(p >= 10_000 && p < ephemeral, p + " is outside 10000.." + (ephemeral - 1));

        // What the system gives outgoing connections meanwhile, as an agent reconnecting would take them.
        List<Socket> outgoing = new ArrayList<>();
        try (ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress())) {
            for (int i = 0; i < 100; i++) {
                Socket s = new Socket();
                s.connect(server.getLocalSocketAddress());
                outgoing.add(s);
                assertTrue(!distinct.contains(s.getLocalPort()), "an outgoing connection took picked port " + s.getLocalPort());
            }
            // Every picked port is still there to bind, as the servers will.
            for (int p : picked) {
                try (ServerSocket later = new ServerSocket()) {
                    later.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
                }
            }
        } finally {
            for (Socket s : outgoing) s.close();
        }
    }
}
