package region;

//SOURCES Region.java

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * One network link of the local region, as a TCP relay on 127.0.0.1 that the kit owns: no root,
 * no tc, no iptables, so it works in CloudShell. Clients reach the writer endpoint through one,
 * each standby reaches its primary through one, the control plane reaches each server through
 * one. Each connection is two pumps, one a direction, each with a direct buffer of its own: a
 * byte is read from one socket and written to the other, and copied nowhere else, unless the
 * link is delayed (then it waits in a queue for its time).
 *
 * What the link does to traffic is asked of the link at every read, so a fault takes effect at
 * once on connections already open:
 * - up: bytes pass;
 * - blackholed: bytes vanish, connections stay open and silent, new ones are taken and hear
 *   nothing, as when a switch or an AZ's network dies;
 * - reset: every connection is reset, new ones are reset on arrival (connection refused);
 * - delayed: each byte arrives that much later, each way.
 * Healed, a connection whose bytes vanished is reset: its stream lost data and cannot go on.
 */
final class Relay implements AutoCloseable {
    /** What a link does to its traffic now. */
    record Fault(Region.LinkMode mode, Duration delay) {
        static final Fault NONE = new Fault(Region.LinkMode.UP, Duration.ZERO);
    }

    private static final int BUFFER = 64 * 1024;

    private final String name;
    private final ServerSocketChannel server;
    private final IntSupplier target;
    private final java.util.function.IntFunction<String> linkTo;
    private final java.util.function.Function<String, Fault> faultOf;
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Listens on that port (0 for any free one) and relays each connection to the target port as
     * it is when the connection arrives (-1 refuses it: no server there), under the fault of the
     * link that leads to that port (the writer endpoint's connections take the link of the AZ they reach).
     */
    Relay(String name, int port, IntSupplier target, java.util.function.IntFunction<String> linkTo, java.util.function.Function<String, Fault> faultOf)
            throws IOException {
        this.name = name;
        this.target = target;
        this.linkTo = linkTo;
        this.faultOf = faultOf;
        server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        Thread t = new Thread(this::accept, "relay-" + name);
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.socket().getLocalPort();
    }

    String name() {
        return name;
    }

    private void accept() {
        while (!closed) {
            SocketChannel client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            int port = target.getAsInt();
            String link = port < 0 ? null : linkTo.apply(port);
            Fault f = link == null ? Fault.NONE : faultOf.apply(link);
            if (f.mode() == Region.LinkMode.RESET || port < 0) {
                reset(client);
                continue;
            }
            Connection c = new Connection(client, link);
            open.add(c);
            if (f.mode() == Region.LinkMode.BLACKHOLED) {
                // Taken and never answered: the client's connect succeeds and then hears nothing.
                c.silenced = true;
                c.pump(client, null);
                continue;
            }
            try {
                SocketChannel upstream = SocketChannel.open();
                upstream.setOption(StandardSocketOptions.TCP_NODELAY, true);
                upstream.socket().connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                c.upstream = upstream;
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.pump(client, upstream);
                c.pump(upstream, client);
            } catch (IOException e) {
                c.close(true);
            }
        }
    }

    /**
     * Resets every connection now: RDS's failover cuts the old primary's, as its death would.
     * Behind a blackhole the reset is not heard either, whether or not the client sent anything
     * since the fault: those connections are left silent, until the client's own timeout or the heal.
     */
    void cutAll() {
        for (Connection c : open) {
            if (c.silenced || (c.link != null && faultOf.apply(c.link).mode() == Region.LinkMode.BLACKHOLED)) c.silenced = true;
            else c.close(true);
        }
    }

    /** The links came back: a connection that lost bytes is reset, the others go on. */
    void healed() {
        for (Connection c : open) if (c.silenced) c.close(true);
    }

    /** The link was reset: its connections go at once. */
    void reset(String link) {
        for (Connection c : open) if (link.equals(c.link)) c.close(true);
    }

    int connections(String link) {
        return (int) open.stream().filter(c -> link.equals(c.link)).count();
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Connection c : open) c.close(true);
    }

    private static void reset(SocketChannel s) {
        try {
            // Linger zero: the close sends a reset, as a refused or broken connection does.
            s.setOption(StandardSocketOptions.SO_LINGER, 0);
            s.close();
        } catch (IOException ignored) {
            // Gone either way.
        }
    }

    /** One relayed connection: its two sockets and whether its traffic has vanished. */
    private final class Connection {
        final SocketChannel client;
        final String link;
        volatile SocketChannel upstream;
        /** Bytes of this connection were dropped: it is silent now, and reset when the link heals. */
        volatile boolean silenced;

        Connection(SocketChannel client, String link) {
            this.client = client;
            this.link = link;
        }

        void pump(SocketChannel from, SocketChannel to) {
            Thread t = new Thread(() -> run(from, to), "relay-" + name + "-pump");
            t.setDaemon(true);
            t.start();
        }

        private void run(SocketChannel from, SocketChannel to) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
            Deque<Delayed> late = new ArrayDeque<>();
            Thread writer = null;
            try {
                while (true) {
                    buffer.clear();
                    if (from.read(buffer) < 0) break;
                    buffer.flip();
                    Fault f = faultOf.apply(link);
                    if (f.mode() == Region.LinkMode.RESET) {
                        close(true);
                        return;
                    }
                    if (f.mode() == Region.LinkMode.BLACKHOLED || to == null) {
                        silenced = true;
                        continue;
                    }
                    if (silenced) continue;
                    boolean queued;
                    synchronized (late) {
                        queued = !late.isEmpty();
                    }
                    if (f.delay().isZero() && !queued) {
                        while (buffer.hasRemaining()) to.write(buffer);
                        continue;
                    }
                    // Delayed: a copy waits for its time; bytes keep their order behind those already waiting.
                    ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
                    copy.put(buffer).flip();
                    synchronized (late) {
                        late.addLast(new Delayed(System.nanoTime() + f.delay().toNanos(), copy));
                        late.notifyAll();
                    }
                    if (writer == null) writer = startWriter(late, to);
                }
            } catch (IOException e) {
                // Either side closed or was reset: the connection is over, unless its link is blackholed.
            } finally {
                if (writer != null) writer.interrupt();
                // Behind a blackhole nothing is heard, not even the far end's death: the other side stays open and
                // silent until its own timeout or the heal, which resets it.
                if (silenced || faultOf.apply(link).mode() == Region.LinkMode.BLACKHOLED) silenced = true;
                else close(false);
            }
        }

        private Thread startWriter(Deque<Delayed> late, SocketChannel to) {
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Delayed d;
                        synchronized (late) {
                            while (late.isEmpty()) late.wait();
                            d = late.peekFirst();
                        }
                        long wait = d.due() - System.nanoTime();
                        if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                        while (d.bytes().hasRemaining()) to.write(d.bytes());
                        synchronized (late) {
                            late.removeFirst();
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    close(false);
                }
            }, "relay-" + name + "-late");
            t.setDaemon(true);
            t.start();
            return t;
        }

        void close(boolean withReset) {
            open.remove(this);
            for (SocketChannel s : new SocketChannel[] {client, upstream}) {
                if (s == null) continue;
                if (withReset) reset(s);
                else {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // Closing anyway.
                    }
                }
            }
        }
    }

    private record Delayed(long due, ByteBuffer bytes) {}
}
