package common;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 for the kit's servers: picked now, bound later by another process (a
 * control plane, PostgreSQL, the PRA app), and bound again after every restart. They come from
 * below the system's ephemeral range. A port from that range, free when picked, can become the
 * local end of any outgoing connection on the machine in the meantime (an agent reconnecting, a
 * probe), and the server's bind then fails for as long as that connection lives. The system
 * never hands out a port below the range by itself.
 */
public final class Ports {
    private static final int LOWEST = 10_000;

    private Ports() {}

    /** n different ports, each free on 127.0.0.1 when picked. */
    public static int[] free(int n) throws IOException {
        int top = ephemeralRangeStart();
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = top - LOWEST < 1_000 ? new ServerSocket(0, 1, InetAddress.getLoopbackAddress()) : unusedBelow(top);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) s.close();
        }
    }

    /** A socket bound to a port nobody holds, between LOWEST and top; the caller closes it. */
    private static ServerSocket unusedBelow(int top) throws IOException {
        for (int attempt = 0; attempt < 1_000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, top);
            ServerSocket s = new ServerSocket();
            try {
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return s;
            } catch (IOException taken) {
                s.close();
            }
        }
        throw new IOException("no free port on 127.0.0.1 between " + LOWEST + " and " + (top - 1));
    }

    /** Where the system starts handing out ports by itself: Linux says it; elsewhere, Linux's default, below macOS's. */
    static int ephemeralRangeStart() {
        try {
            // In one read: the kernel answers a second read of this file, at an offset, with nothing.
            try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
                return Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
            }
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
