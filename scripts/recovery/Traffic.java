package recovery;

//SOURCES ../common/Http.java ../common/Json.java Client.java LocalSite.java Site.java

import common.Http;
import common.Json;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The PRA workshop's users: a writer that adds a message to the app every second and keeps its
 * own journal of what it was told (traffic.csv, in adds.csv's format). With it, a disaster
 * between two backups loses the writes acknowledged since the newest one, as it would in
 * production, and the loss the restore counts from the app's log can be checked against what
 * the users themselves were told.
 *
 * Locally the site's supervisor runs it beside the app, as long as the site is up (the users
 * keep trying while the app is down: their failed tries are in the journal too). On Kubernetes
 * it is the Deployment pra-traffic (k8s/50-traffic.yaml), and its journal is its pod's log.
 */
public final class Traffic {
    public static final String FILE = "traffic.csv";
    public static final Duration EVERY = Duration.ofSeconds(1);
    public static final String PREFIX = "traffic-";

    private Traffic() {}

    /**
     * Adds a message every interval until interrupted, each answer given to the journal. The
     * numbering starts after `from`, so that a writer started again never repeats a message.
     */
    public static void run(Function<String, Site.Reply> get, String prefix, long from, Duration every, Consumer<Client.Add> journal) {
        for (long n = from + 1; !Thread.currentThread().isInterrupted(); n++) {
            String message = prefix + n;
            Instant sent = Instant.now();
            Client.Add add;
            try {
                Site.Reply r = get.apply("/add?message=" + message);
                Long id = r.status() == 200 && Json.read(r.body(), Map.class).get("id") instanceof Number num ? num.longValue() : null;
                add = new Client.Add(n, message, sent, Instant.now(), id != null, id);
            } catch (RuntimeException e) {
                add = new Client.Add(n, message, sent, Instant.now(), false, null);
            }
            journal.accept(add);
            try {
                Thread.sleep(Math.max(0, every.toMillis() - Duration.between(sent, Instant.now()).toMillis()));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** The local site's writer, as a daemon thread of its supervisor; its journal is traffic.csv in the site's home. */
    public static Thread start(LocalSite site) throws IOException {
        Path file = site.home().resolve(FILE);
        if (!Files.exists(file)) {
            // Written beside and moved in, so that a reader never sees a journal without its header.
            Path fresh = file.resolveSibling(FILE + ".new");
            Files.writeString(fresh, Client.HEADER + "\n", StandardCharsets.UTF_8);
            Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
        }
        List<Client.Add> before = Client.read(file);
        long from = before.isEmpty() ? 0 : before.get(before.size() - 1).n();
        Thread t = new Thread(() -> run(site::get, PREFIX, from, EVERY, add -> {
            try {
                Files.writeString(file, Client.line(add) + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                // A journal that cannot be written stops the writer: users the kit cannot count are no use.
                Thread.currentThread().interrupt();
            }
        }), "traffic");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The writer in its own pod: pra-traffic's container runs this, its journal on standard output. */
    public static void main(String[] args) {
        URI app = URI.create(args.length > 0 ? args[0] : "http://pra-app");
        String pod = System.getenv().getOrDefault("HOSTNAME", "pod");
        System.out.println(Client.HEADER);
        run(path -> {
            try {
                Http.Reply r = Http.get(app.resolve(path), Duration.ofSeconds(1), Duration.ofSeconds(5));
                return new Site.Reply(r.status(), r.body());
            } catch (IOException e) {
                return new Site.Reply(0, e.getMessage());
            }
        }, PREFIX + pod + "-", 0, EVERY, add -> {
            System.out.println(Client.line(add));
            System.out.flush();
        });
    }
}
