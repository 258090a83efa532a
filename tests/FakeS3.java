import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small stand-in for S3, for the SDK to talk to over real HTTP, path-style: HeadBucket,
 * PutObject, ListObjectsV2 and GetObject on the buckets it is given. It keeps the bytes it is
 * sent, so a test can open them; it refuses an unsigned request, and an upload whose decoded
 * length is not the one the SDK announced (the SDK sends files in signed chunks with a checksum
 * trailer, which the fake takes apart). A bucket named "denied" answers 403, as a bucket of
 * someone else's would.
 */
final class FakeS3 implements AutoCloseable {
    /** Every object, by "bucket/key". */
    final Map<String, byte[]> objects = Collections.synchronizedMap(new TreeMap<>());
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final List<String> buckets;
    private final HttpServer server;

    FakeS3(String... buckets) throws IOException {
        this.buckets = List.of(buckets);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The SDK's own variables for this endpoint, with throwaway credentials and a Region. */
    Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_S3", url(), "AWS_ACCESS_KEY_ID", "AKIDTEST", "AWS_SECRET_ACCESS_KEY", "test-secret",
                "AWS_REGION", "eu-west-3", "AWS_CONFIG_FILE", "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getRawPath().substring(1);
            String bucket = path.contains("/") ? path.substring(0, path.indexOf('/')) : path;
            String key = path.contains("/") ? URLDecoder.decode(path.substring(path.indexOf('/') + 1), StandardCharsets.UTF_8) : "";
            calls.add(x.getRequestMethod() + " " + path);
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("AWS4-HMAC-SHA256") || !auth.contains("/s3/aws4_request")) {
                error(x, 403, "AccessDenied", "unsigned request");
            } else if (bucket.equals("denied")) {
                error(x, 403, "AccessDenied", "Access Denied");
            } else if (!buckets.contains(bucket)) {
                error(x, 404, "NoSuchBucket", "The specified bucket does not exist");
            } else if (x.getRequestMethod().equals("HEAD") && key.isEmpty()) {
                x.sendResponseHeaders(200, -1);
            } else if (x.getRequestMethod().equals("PUT") && !key.isEmpty()) {
                put(x, bucket + "/" + key);
            } else if (x.getRequestMethod().equals("GET") && key.isEmpty()) {
                list(x, bucket, query(x).getOrDefault("prefix", ""));
            } else if (x.getRequestMethod().equals("GET")) {
                byte[] body = objects.get(bucket + "/" + key);
                if (body == null) {
                    error(x, 404, "NoSuchKey", "The specified key does not exist.");
                } else {
                    x.getResponseHeaders().set("Content-Type", "application/octet-stream");
                    x.sendResponseHeaders(200, body.length);
                    x.getResponseBody().write(body);
                }
            } else {
                error(x, 405, "MethodNotAllowed", x.getRequestMethod() + " " + path);
            }
        }
    }

    private void put(HttpExchange x, String name) throws IOException {
        byte[] raw = x.getRequestBody().readAllBytes();
        String sha = String.valueOf(x.getRequestHeaders().getFirst("x-amz-content-sha256"));
        byte[] body;
        try {
            body = sha.startsWith("STREAMING-") ? unchunk(raw) : raw;
        } catch (IOException | RuntimeException e) {
            error(x, 400, "InvalidRequest", String.valueOf(e.getMessage()));
            return;
        }
        String announced = x.getRequestHeaders().getFirst("x-amz-decoded-content-length");
        if (announced != null && Long.parseLong(announced) != body.length) {
            error(x, 400, "IncompleteBody", "decoded " + body.length + " bytes, announced " + announced);
            return;
        }
        objects.put(name, body);
        x.getResponseHeaders().set("ETag", "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"");
        x.sendResponseHeaders(200, -1);
    }

    /** The aws-chunked encoding: "size-in-hex;chunk-signature=…\r\n", the bytes, "\r\n", until a chunk of size 0. */
    private static byte[] unchunk(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        while (true) {
            int eol = indexOf(raw, at);
            if (eol < 0) throw new IOException("aws-chunked: no chunk header at " + at);
            String header = new String(raw, at, eol - at, StandardCharsets.US_ASCII);
            int size = Integer.parseInt(header.split(";")[0].trim(), 16);
            at = eol + 2;
            if (size == 0) {
                checkTrailer(new String(raw, at, raw.length - at, StandardCharsets.US_ASCII), out.toByteArray());
                return out.toByteArray();
            }
            out.write(raw, at, size);
            at += size + 2;
        }
    }

    /** The trailer's CRC32, when the SDK sends one, must be the received bytes' own. */
    private static void checkTrailer(String trailer, byte[] body) throws IOException {
        for (String line : trailer.split("\r\n")) {
            if (!line.startsWith("x-amz-checksum-crc32:")) continue;
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(body);
            byte[] be = java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
            String expected = java.util.Base64.getEncoder().encodeToString(be);
            if (!line.substring(line.indexOf(':') + 1).trim().equals(expected)) throw new IOException("CRC32 mismatch: " + line);
        }
    }

    private static int indexOf(byte[] raw, int from) {
        for (int i = from; i + 1 < raw.length; i++) if (raw[i] == '\r' && raw[i + 1] == '\n') return i;
        return -1;
    }

    private void list(HttpExchange x, String bucket, String prefix) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
        xml.append("<Name>").append(bucket).append("</Name><Prefix>").append(prefix).append("</Prefix>");
        int n = 0;
        synchronized (objects) {
            for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                String key = e.getKey().substring(bucket.length() + 1);
                if (!e.getKey().startsWith(bucket + "/") || !key.startsWith(prefix)) continue;
                n++;
                xml.append("<Contents><Key>").append(key).append("</Key><LastModified>").append(Instant.now())
                        .append("</LastModified><Size>").append(e.getValue().length).append("</Size><StorageClass>STANDARD</StorageClass></Contents>");
            }
        }
        xml.append("<KeyCount>").append(n).append("</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>");
        send(x, 200, xml.toString());
    }

    private static Map<String, String> query(HttpExchange x) {
        Map<String, String> q = new TreeMap<>();
        String raw = x.getRequestURI().getRawQuery();
        if (raw == null) return q;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            q.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return q;
    }

    private static void error(HttpExchange x, int status, String code, String message) throws IOException {
        if (x.getRequestMethod().equals("HEAD")) {
            x.sendResponseHeaders(status, -1);
            return;
        }
        send(x, status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message + "</Message></Error>");
    }

    private static void send(HttpExchange x, int status, String xml) throws IOException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/xml");
        x.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
