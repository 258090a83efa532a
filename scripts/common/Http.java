package common;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kit's few HTTP calls of its own (the control plane, the PRA app, the RDS certificates,
 * this machine's public address, PostgreSQL's binaries), on the JDK's HttpURLConnection: every
 * command is a new JVM, and java.net.http costs a third of a second to start where this costs
 * almost nothing. The AWS SDK and Fabric8 bring their own.
 */
public final class Http {
    private Http() {}

    /** An answer: its status, and its body (as bytes, since a file may be downloaded). */
    public record Reply(int status, byte[] bytes) {
        public String body() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    public static Reply get(URI uri, Duration connect, Duration read) throws IOException {
        return call(uri, null, connect, read);
    }

    /** A POST of a URL-encoded form, as the RDS Query API takes it. */
    public static Reply post(URI uri, String form, Duration connect, Duration read) throws IOException {
        return call(uri, form, connect, read);
    }

    private static Reply call(URI uri, String form, Duration connect, Duration read) throws IOException {
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout((int) connect.toMillis());
        c.setReadTimeout((int) read.toMillis());
        c.setInstanceFollowRedirects(true);
        if (form != null) {
            c.setRequestMethod("POST");
            c.setDoOutput(true);
            c.setRequestProperty("Content-Type", "application/x-www-form-urlencoded");
            try (OutputStream out = c.getOutputStream()) {
                out.write(form.getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            int status = c.getResponseCode();
            try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                return new Reply(status, in == null ? new byte[0] : in.readAllBytes());
            }
        } finally {
            c.disconnect();
        }
    }

    /** A query string or a form body as its names and values, decoded; a name given twice keeps its last value. */
    public static Map<String, String> form(String encoded) {
        Map<String, String> m = new LinkedHashMap<>();
        if (encoded == null) return m;
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            m.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return m;
    }
}
