package recovery;

//SOURCES ../common/Json.java Site.java

import common.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PRA workshop's client, as the drill and exercise 5 run it: it adds a numbered message
 * every 50 ms and keeps every answer, so that the loss can be counted from what users were told
 * (adds.csv) and not only from the app's own log.
 */
public final class Client {
    public static final String FILE = "adds.csv";
    public static final String HEADER = "n,message,sent_at,done_at,acknowledged,id";

    /** One /add, as the client saw it: acknowledged, with the id the app gave, or not. */
    public record Add(long n, String message, Instant sentAt, Instant doneAt, boolean acknowledged, Long id) {}

    private final Site site;
    private final List<Add> adds = new ArrayList<>();
    private final Thread thread;
    private volatile boolean writing = true;

    private Client(Site site) {
        this.site = site;
        this.thread = new Thread(this::write, "client");
    }

    /** A client writing from now on, until stopped. */
    public static Client start(Site site) {
        Client c = new Client(site);
        c.thread.start();
        return c;
    }

    /** Stops writing and returns every answer, in order. */
    public List<Add> stop() throws InterruptedException {
        writing = false;
        thread.join();
        synchronized (adds) {
            return List.copyOf(adds);
        }
    }

    private void write() {
        for (long n = 1; writing; n++) {
            String message = "pra-" + n;
            Instant sent = Instant.now();
            Add add;
            try {
                Site.Reply r = site.get("/add?message=" + message);
                Long id = r.status() == 200 && Json.read(r.body(), Map.class).get("id") instanceof Number num ? num.longValue() : null;
                add = new Add(n, message, sent, Instant.now(), r.status() == 200, id);
            } catch (RuntimeException e) {
                add = new Add(n, message, sent, Instant.now(), false, null);
            }
            synchronized (adds) {
                adds.add(add);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The messages the app holds now, by their text, which is unique per add. */
    public static Set<String> present(Site site) {
        Set<String> present = new HashSet<>();
        for (Object m : Json.read(site.get("/consultation").body(), List.class)) present.add(String.valueOf(((Map<?, ?>) m).get("message")));
        return present;
    }

    /** The acknowledged messages the app no longer holds. */
    public static List<Add> lost(Set<String> present, List<Add> acked) {
        return acked.stream().filter(a -> !present.contains(a.message())).toList();
    }

    public static void write(Path file, List<Add> adds) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER + "\n");
            for (Add a : adds) w.write(line(a) + "\n");
        }
    }

    /** One add as its journal line, without the line's end. */
    public static String line(Add a) {
        return a.n() + "," + a.message() + "," + a.sentAt() + "," + a.doneAt() + "," + a.acknowledged() + "," + (a.id() == null ? "" : a.id());
    }

    /**
     * Reads adds.csv (or traffic.csv, its format); a line that is not one the client writes is an
     * IOException naming it. A last line without its end is one a writer is still appending, left for later.
     */
    public static List<Add> read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        List<String> lines = List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) throw new IOException(file.getFileName() + " does not start with the line " + HEADER);
        List<Add> adds = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            try {
                if (f.length != 6 || !(f[4].equals("true") || f[4].equals("false"))) throw new IllegalArgumentException("not six fields");
                adds.add(new Add(Long.parseLong(f[0]), f[1], Instant.parse(f[2]), Instant.parse(f[3]), Boolean.parseBoolean(f[4]),
                        f[5].isEmpty() ? null : Long.valueOf(f[5])));
            } catch (RuntimeException e) {
                throw new IOException(file.getFileName() + " is damaged at line " + (i + 1), e);
            }
        }
        return adds;
    }
}
