import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import common.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import recovery.App;
import recovery.AppServer;

/**
 * The PRA app answers every request over a real socket: a message over the limit gets 413 and
 * nothing is stored, text arrives as UTF-8 however it was sent, and any other bad request gets a
 * 4xx with its reason instead of a dropped connection.
 */
class AppHttpTest {
    AppServer app;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        app = App.serve(dir.resolve("data"), dir.resolve("backup"), "127.0.0.1", 0, null);
    }

    @AfterEach
    void stop() {
        app.close();
    }

    /** Sends the bytes as they are, reads the whole answer: the status line and the body. */
    private String[] raw(byte[] request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", app.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            // The request is sent from a thread of its own: the app may answer before it has all of it.
            Thread sender = new Thread(() -> {
                try {
                    out.write(request);
                    out.flush();
                    // Done sending, as curl is once its request is out: a request cut short then ends here.
                    s.shutdownOutput();
                } catch (IOException answeredEarly) {
                    // The app refused and closed after reading what it would.
                }
            });
            sender.start();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String answer = all.toString(StandardCharsets.UTF_8);
            int split = answer.indexOf("\r\n\r\n");
            assertTrue(split > 0, "an HTTP answer, not a dropped connection: " + answer);
            return new String[] {answer.substring(0, answer.indexOf("\r\n")), answer.substring(split + 4)};
        }
    }

    private String[] get(String target) throws IOException {
        return raw(("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private String[] post(String form) throws IOException {
        byte[] body = form.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST /add HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return raw(all);
    }

    private List<?> messages() throws IOException {
        return Json.read(get("/consultation")[1], List.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {64 * 1024 + 1, 1 << 20, 10 << 20})
    void aMessageOverTheLimitGets413AndNothingIsStored(int size) throws IOException {
        String big = "a".repeat(size);
        for (String[] answer : List.of(get("/add?message=" + big), post("message=" + big))) {
            assertEquals("HTTP/1.1 413 Content Too Large", answer[0], answer[1]);
            String why = (String) Json.read(answer[1], Map.class).get("error");
            assertTrue(why.contains("65536 bytes"), "the limit is stated: " + why);
        }
        assertEquals(List.of(), messages(), "nothing was stored");
        assertEquals("HTTP/1.1 200 OK", get("/add?message=" + "b".repeat(64 * 1024))[0], "a message at the limit is taken");
    }

    @Test
    void textIsUtf8WhetherSentRawOrPercentEncodedInTheQueryOrInAForm() throws IOException {
        String text = "été à Zürich: 東京 ✓";
        assertEquals("HTTP/1.1 200 OK", get("/add?message=" + text.replace(' ', '+'))[0], "raw UTF-8 bytes in the query");
        assertEquals("HTTP/1.1 200 OK", get("/add?message=" + URLEncoder.encode(text, StandardCharsets.UTF_8))[0], "percent-encoded query");
        assertEquals("HTTP/1.1 200 OK", post("message=" + text)[0], "raw form body");
        assertEquals("HTTP/1.1 200 OK", post("message=" + URLEncoder.encode(text, StandardCharsets.UTF_8))[0], "percent-encoded form body");
        List<?> stored = messages();
        assertEquals(4, stored.size());
        for (Object m : stored) assertEquals(text, ((Map<?, ?>) m).get("message"), "stored and returned unchanged");
        // And through the kit's own client, as the drill and bundle reach the app.
        String body = common.Http.get(URI.create("http://127.0.0.1:" + app.port() + "/consultation"), java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(5)).body();
        assertTrue(body.contains(text), body);
    }

    @Test
    void everyOtherBadRequestGetsA4xxWithItsReason() throws IOException {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("400 not percent-encoded", get("/add?message=%zz"));
        cases.put("400 not UTF-8", raw("GET /add?message=%ff%fe HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        cases.put("400 no message", get("/add"));
        cases.put("400 not a request line", raw("HELLO\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        cases.put("405 DELETE", raw("DELETE /add HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        cases.put("404 no such route", get("/nowhere"));
        cases.put("404 no such backup", get("/backup?file=../data/app.db"));
        cases.put("411 chunked", raw("POST /add HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        cases.put("415 JSON body", raw("POST /add HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.US_ASCII)));
        cases.put("431 headers", raw(("GET / HTTP/1.1\r\nX-Big: " + "h".repeat(40_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        cases.put("400 cut short", raw("POST /add HTTP/1.1\r\nContent-Length: 100\r\n\r\nmessage=short".getBytes(StandardCharsets.US_ASCII)));
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            String status = c.getKey().substring(0, 3);
            assertTrue(c.getValue()[0].startsWith("HTTP/1.1 " + status + " "), c.getKey() + ": " + c.getValue()[0]);
            Object why = Json.read(c.getValue()[1], Map.class).get("error");
            assertTrue(why instanceof String w && !w.isBlank(), c.getKey() + ": a reason, " + c.getValue()[1]);
        }
        assertEquals(List.of(), messages(), "none of them stored anything");
    }
}
