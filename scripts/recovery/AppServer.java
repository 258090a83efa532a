package recovery;

//SOURCES App.java

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The PRA app's HTTP/1.1 server: one request per connection, and every request answered.
 *
 * Not the JDK's com.sun.net.httpserver, which the app used first: past its header limit (384 KB)
 * it resets the connection without a word, so a 1 MB message got no answer at all, and it hands a
 * query's raw bytes over as ISO-8859-1 characters, so "été" sent unencoded came back as "Ã©tÃ©".
 * Here the request line, the headers and the body each have a stated limit; a request past one
 * gets its 4xx with the reason, and what the client is still sending is read and thrown away
 * (up to {@link #DRAIN_AT_MOST}) so that it reads the answer rather than a reset.
 */
public final class AppServer implements AutoCloseable {
    /** The request line: a message sent in the query may be three times its size once percent-encoded. */
    static final int MAX_LINE = 256 * 1024;
    static final int MAX_HEADERS = 32 * 1024;
    static final int MAX_BODY = 256 * 1024;
    static final long DRAIN_AT_MOST = 64L << 20;
    private static final int READ_TIMEOUT_MS = 10_000;

    /** A request as the app's routes see it: the query's and the form body's fields, decoded as UTF-8. */
    record Request(String method, String path, Map<String, String> params, InetSocketAddress remote, int localPort) {}

    /** An answer; afterSent runs once the client has it (the app's log line of an acknowledged write). */
    record Response(int status, String type, byte[] body, Runnable afterSent) {
        static Response of(int status, String type, String body) {
            return new Response(status, type + "; charset=utf-8", body.getBytes(StandardCharsets.UTF_8), null);
        }

        Response then(Runnable after) {
            return new Response(status, type, body, after);
        }
    }

    @FunctionalInterface
    interface Handler {
        Response handle(Request r) throws Exception;
    }

    /** A request that cannot be served, with the status and the reason its answer gives. */
    static final class Refused extends Exception {
        final int status;

        Refused(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    private final ServerSocket server;
    private final Handler handler;
    /** Bodies of refusals are JSON made by the app, which knows its own format. */
    private final java.util.function.BiFunction<Integer, String, Response> refusal;
    private final ExecutorService connections = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "app-connection");
        t.setDaemon(true);
        return t;
    });
    private final Thread acceptor;
    private volatile boolean closing;

    AppServer(String bind, int port, Handler handler, java.util.function.BiFunction<Integer, String, Response> refusal) throws IOException {
        this.handler = handler;
        this.refusal = refusal;
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(bind), port), 64);
        acceptor = new Thread(this::accept, "app-accept");
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closing) {
            try {
                Socket s = server.accept();
                connections.execute(() -> serve(s));
            } catch (IOException e) {
                if (closing) return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            Response answer;
            boolean drain = false;
            try {
                Request r = read(socket, in, out);
                // One request at a time: SQLite takes one writer anyway, and the answers stay in order.
                synchronized (handler) {
                    answer = handler.handle(r);
                }
            } catch (Refused e) {
                answer = refusal.apply(e.status, e.getMessage());
                drain = true;
            } catch (SocketTimeoutException e) {
                answer = refusal.apply(408, "the request did not arrive whole within " + READ_TIMEOUT_MS / 1000 + " s");
            }
            write(out, answer);
            if (answer.afterSent() != null) answer.afterSent().run();
            if (drain) drainThenClose(socket, in);
        } catch (Exception e) {
            // The client went away mid-request: there is nobody left to answer.
        }
    }

    private static Request read(Socket socket, InputStream in, OutputStream out) throws IOException, Refused {
        String line = latin1(readLine(in, MAX_LINE, 413, "the request line is longer than " + MAX_LINE
                + " bytes: a message this long is refused, send at most " + App.MAX_MESSAGE_BYTES + " bytes"));
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[2].startsWith("HTTP/1.")) throw new Refused(400, "not an HTTP/1.x request line");
        String method = parts[0];
        Map<String, String> headers = new LinkedHashMap<>();
        int headerBytes = 0;
        while (true) {
            byte[] h = readLine(in, MAX_HEADERS, 431, "the headers are longer than " + MAX_HEADERS + " bytes");
            headerBytes += h.length;
            if (headerBytes > MAX_HEADERS) throw new Refused(431, "the headers are longer than " + MAX_HEADERS + " bytes");
            if (h.length == 0) break;
            String header = latin1(h);
            int colon = header.indexOf(':');
            if (colon <= 0) throw new Refused(400, "a header line without a name: " + printable(header));
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        String target = parts[1];
        int q = target.indexOf('?');
        String path = decode(q < 0 ? target : target.substring(0, q), false);
        Map<String, String> params = new LinkedHashMap<>(form(q < 0 ? "" : target.substring(q + 1)));
        switch (method) {
            case "GET" -> { }
            case "POST" -> params.putAll(form(body(headers, in, out)));
            default -> throw new Refused(405, "method " + printable(method) + " is not served here: use GET or POST");
        }
        return new Request(method, path, params, (InetSocketAddress) socket.getRemoteSocketAddress(), socket.getLocalPort());
    }

    /** A POST's form body, whole, within its limit; a client that asked to wait for approval is told to go on only when it fits. */
    private static String body(Map<String, String> headers, InputStream in, OutputStream out) throws IOException, Refused {
        if (headers.containsKey("transfer-encoding")) throw new Refused(411, "send the form with a Content-Length, not in chunks");
        String type = headers.getOrDefault("content-type", "application/x-www-form-urlencoded");
        if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new Refused(415, "send the message as a form (application/x-www-form-urlencoded), not " + printable(type));
        }
        long length;
        try {
            length = Long.parseLong(headers.getOrDefault("content-length", "0"));
        } catch (NumberFormatException e) {
            throw new Refused(400, "Content-Length is not a number");
        }
        if (length < 0) throw new Refused(400, "Content-Length is negative");
        if (length > MAX_BODY) {
            throw new Refused(413, "the form is " + length + " bytes, more than the " + MAX_BODY + " the app takes: send at most "
                    + App.MAX_MESSAGE_BYTES + " bytes of message");
        }
        if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) throw new Refused(400, "the body ended after " + body.length + " of its " + length + " bytes");
        return latin1(body);
    }

    /** One line up to CRLF (or LF), without it; longer than max, refused with that status. */
    private static byte[] readLine(InputStream in, int max, int status, String tooLong) throws IOException, Refused {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) throw new IOException("connection closed");
                throw new Refused(400, "the request ended in the middle of a line");
            }
            if (b == '\n') break;
            if (line.size() >= max) throw new Refused(status, tooLong);
            line.write(b);
        }
        byte[] bytes = line.toByteArray();
        int n = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return java.util.Arrays.copyOf(bytes, n);
    }

    /**
     * A query or a form body as fields. Each byte stands for itself, percent-escapes for the byte
     * they name, and the bytes are read as UTF-8: "été" arrives the same whether curl encoded it
     * or not. Latin-1 keeps each byte as one char up to here.
     */
    static Map<String, String> form(String latin1) throws Refused {
        Map<String, String> m = new LinkedHashMap<>();
        for (String pair : latin1.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            m.put(decode(eq < 0 ? pair : pair.substring(0, eq), true), eq < 0 ? "" : decode(pair.substring(eq + 1), true));
        }
        return m;
    }

    private static String decode(String latin1, boolean plusIsSpace) throws Refused {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(latin1.length());
        for (int i = 0; i < latin1.length(); i++) {
            char c = latin1.charAt(i);
            if (c == '%') {
                int hi = i + 2 < latin1.length() ? Character.digit(latin1.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(latin1.charAt(i + 2), 16);
                if (lo < 0) throw new Refused(400, "a percent sign not followed by two hexadecimal digits, at character " + (i + 1));
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                bytes.write(c == '+' && plusIsSpace ? ' ' : c);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new Refused(400, "the text is not UTF-8");
        }
    }

    private static String latin1(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String printable(String s) {
        String t = s.replaceAll("[^\\x20-\\x7e]", "?");
        return t.length() > 40 ? t.substring(0, 40) + "..." : t;
    }

    private static void write(OutputStream out, Response r) throws IOException {
        String head = "HTTP/1.1 " + r.status() + " " + reason(r.status()) + "\r\nContent-Type: " + r.type() + "\r\nContent-Length: " + r.body().length
                + (r.status() == 405 ? "\r\nAllow: GET, POST" : "") + "\r\nConnection: close\r\n\r\n";
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(r.body());
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    /**
     * After a refusal the client may still be sending: closing now would make the kernel answer
     * its next bytes with a reset, and the client would see that instead of the answer. So the
     * rest is read and dropped, within a bound, and only then is the connection closed.
     */
    private static void drainThenClose(Socket socket, InputStream in) {
        try {
            socket.shutdownOutput();
            socket.setSoTimeout(2000);
            long left = DRAIN_AT_MOST;
            byte[] sink = new byte[65536];
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) left -= n;
        } catch (IOException e) {
            // The client stopped sending, or took too long: the answer was given.
        }
    }

    /** Stops taking connections and answers the requests already taken, within the time given. */
    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Already closed.
        }
        connections.shutdown();
        try {
            connections.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
