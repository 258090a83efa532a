package common;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who is at the other end of a connection on 127.0.0.1: the account (uid) that owns the client's
 * socket, as Linux lists every TCP socket in /proc/net/tcp with its owner. The local RDS API and
 * the PRA app let in only the lab's owner (and root) this way: on a machine shared by a class,
 * another student's curl cannot fail over your region or write into your app.
 */
public final class SocketOwner {
    /** No owner could be found: the connection is not from this machine, or there is no /proc. */
    public static final int UNKNOWN = -1;

    private SocketOwner() {}

    /** The uid owning the client socket of a connection to our local port; UNKNOWN when not found. */
    public static int uid(InetSocketAddress client, int localPort) {
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid ...
                    if (f.length < 8 || !f[1].contains(":") || !f[2].contains(":")) continue;
                    if (port(f[1]) == client.getPort() && port(f[2]) == localPort) return Integer.parseInt(f[7]);
                }
            } catch (IOException | RuntimeException e) {
                // This table is missing or unreadable; the other one may hold the socket.
            }
        }
        return UNKNOWN;
    }

    /** Whether that uid may drive what the given owner started: the owner, or root. */
    public static boolean allowed(int uid, int owner) {
        return uid != UNKNOWN && (uid == owner || uid == 0);
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }

    /** The uid of this process, as the kernel sees it. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
