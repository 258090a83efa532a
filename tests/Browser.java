import common.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven over the DevTools protocol, with the JDK's own WebSocket: the reports
 * are opened as a reader opens them, their script runs, and the tests ask the page itself what
 * it drew (bounding boxes, texts) and take a screenshot. No library: a few protocol calls.
 */
final class Browser implements AutoCloseable {
    private final Process process;
    private final WebSocket socket;
    private final Path profile;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<?, ?>>> pending = new ConcurrentHashMap<>();
    private final LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<String> errors = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    /** The Chromium of this machine, or null: the tests that need it say so and are skipped. */
    static Path chromium() {
        for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        }
        return null;
    }

    Browser() throws Exception {
        profile = Files.createTempDirectory("db007-chromium");
        ProcessBuilder pb = new ProcessBuilder(chromium().toString(), "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--no-first-run", "--remote-debugging-port=0", "--user-data-dir=" + profile, "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD);
        // Chromium's singleton socket goes to a folder of TMPDIR that it never removes: 290 of them had piled up in /tmp.
        pb.environment().put("TMPDIR", Files.createDirectories(profile.resolve("tmp")).toString());
        process = pb.start();
        String browserWs = null;
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (String line; browserWs == null && System.nanoTime() < deadline && (line = err.readLine()) != null; ) {
            if (line.startsWith("DevTools listening on ")) browserWs = line.substring("DevTools listening on ".length()).trim();
        }
        if (browserWs == null) throw new IllegalStateException("Chromium did not start its DevTools endpoint");
        // Keep draining Chromium's chatter so that it never blocks on a full pipe.
        Thread drain = new Thread(() -> err.lines().forEach(l -> { }), "chromium-stderr");
        drain.setDaemon(true);
        drain.start();
        URI base = URI.create(browserWs.replace("ws://", "http://").replaceAll("/devtools/.*", ""));
        HttpClient http = HttpClient.newHttpClient();
        String pageWs = null;
        for (int i = 0; i < 50 && pageWs == null; i++) {
            String list = http.send(HttpRequest.newBuilder(base.resolve("/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body();
            for (Object o : Json.read(list, List.class)) {
                Map<?, ?> target = (Map<?, ?>) o;
                if ("page".equals(target.get("type"))) pageWs = (String) target.get("webSocketDebuggerUrl");
            }
            if (pageWs == null) Thread.sleep(100);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new Listener()).get(10, TimeUnit.SECONDS);
        call("Page.enable", Map.of());
        call("Runtime.enable", Map.of());
    }

    /** Opens a file and returns once its load event fired and its script ran. */
    void open(Path file, int width) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", 900, "deviceScaleFactor", 1, "mobile", false));
        events.clear();
        call("Page.navigate", Map.of("url", file.toUri().toString()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String e = events.poll(1, TimeUnit.SECONDS);
            if (e != null && e.equals("Page.loadEventFired")) return;
        }
        throw new IllegalStateException("the page did not load: " + file);
    }

    /** Evaluates an expression in the page and returns its value, as JSON gives it. */
    Object eval(String expression) throws Exception {
        Map<?, ?> r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        Map<?, ?> result = (Map<?, ?>) r.get("result");
        if (r.get("exceptionDetails") != null) throw new IllegalStateException("the page's script failed: " + r.get("exceptionDetails"));
        return ((Map<?, ?>) result).get("value");
    }

    /** Every JavaScript error the pages reported so far. */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /** A PNG of the whole page, as tall as it is. */
    void screenshot(Path png) throws Exception {
        Number height = (Number) eval("Math.ceil(document.documentElement.scrollHeight)");
        Number width = (Number) eval("Math.ceil(document.documentElement.scrollWidth)");
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width.intValue(), "height", height.intValue(), "deviceScaleFactor", 1, "mobile", false));
        Map<?, ?> shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode((String) shot.get("data")));
    }

    private Map<?, ?> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<?, ?>> answer = new CompletableFuture<>();
        pending.put(id, answer);
        socket.sendText(Json.line(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        return answer.get(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws java.io.IOException {
        try {
            socket.abort();
        } finally {
            // Chromium's helpers (renderer, network service) outlive its main process for a moment and still write
            // into the profile: all of them are stopped before it is deleted.
            java.util.List<ProcessHandle> helpers = process.descendants().toList();
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            helpers.forEach(ProcessHandle::destroyForcibly);
            common.Wait.within(java.time.Duration.ofSeconds(5), java.time.Duration.ofMillis(20), () -> helpers.stream().noneMatch(ProcessHandle::isAlive));
            for (int attempt = 1; ; attempt++) {
                try {
                    common.FileTree.delete(profile);
                    break;
                } catch (java.io.IOException | java.io.UncheckedIOException e) {
                    // A file that vanished between listing and deleting: list again.
                    if (attempt == 3) throw e;
                }
            }
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                Map<?, ?> m = Json.read(text.toString(), Map.class);
                text.setLength(0);
                if (m.get("id") instanceof Number n) {
                    CompletableFuture<Map<?, ?>> f = pending.remove(n.intValue());
                    if (f != null) {
                        if (m.get("error") != null) f.completeExceptionally(new IllegalStateException(String.valueOf(m.get("error"))));
                        else f.complete((Map<?, ?>) m.get("result"));
                    }
                } else if ("Runtime.exceptionThrown".equals(m.get("method"))) {
                    errors.add(String.valueOf(m.get("params")));
                } else if (m.get("method") != null) {
                    events.add((String) m.get("method"));
                }
            }
            ws.request(1);
            return null;
        }
    }
}
