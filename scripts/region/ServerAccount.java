package region;

//SOURCES ../common/Problem.java ../common/SocketOwner.java

import common.Problem;
import common.SocketOwner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The account the PostgreSQL servers run as. PostgreSQL refuses to run as root, so when the
 * kit is started by root the servers run as an unprivileged account (DB007_RUN_AS, else
 * "postgres" where a package created it, else "nobody"); otherwise as the student.
 */
public final class ServerAccount {
    final String name;
    final int uid;
    final int gid;
    private final boolean switchUser;

    private ServerAccount(String name, int uid, int gid, boolean switchUser) {
        this.name = name;
        this.uid = uid;
        this.gid = gid;
        this.switchUser = switchUser;
    }

    public static int currentUid() {
        int uid = SocketOwner.currentUid();
        return uid != SocketOwner.UNKNOWN ? uid : (int) new com.sun.security.auth.module.UnixSystem().getUid();
    }

    public static String currentUser() { return System.getProperty("user.name"); }

    public static ServerAccount choose(String requested) {
        if (currentUid() != 0) return new ServerAccount(currentUser(), currentUid(), -1, false);
        List<String> candidates = new ArrayList<>();
        if (requested != null && !requested.isBlank()) candidates.add(requested);
        else candidates.addAll(List.of("postgres", "nobody"));
        for (String candidate : candidates) {
            Integer uid = idOf(candidate, "-u");
            Integer gid = idOf(candidate, "-g");
            if (uid != null && gid != null && uid != 0) return new ServerAccount(candidate, uid, gid, true);
        }
        throw Problem.environment("account.none", String.join(", ", candidates));
    }

    /** The command, run as this account. */
    public List<String> command(List<String> command) {
        if (!switchUser) return command;
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Hands a file or folder the kit created as root over to this account. */
    public void own(Path path) throws IOException {
        if (!switchUser) return;
        Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    }

    public void ownTree(Path root) throws IOException {
        if (!switchUser) return;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all::iterator) own(p);
        }
    }

    /** Whether this account can walk down to the folder: root's home, for one, it cannot. */
    public boolean canReach(Path dir) throws IOException {
        if (!switchUser) return true;
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (!Files.exists(p)) continue;
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class);
            int owner = (Integer) Files.getAttribute(p, "unix:uid");
            boolean ok = owner == uid
                    ? a.permissions().contains(PosixFilePermission.OWNER_EXECUTE)
                    : a.permissions().contains(PosixFilePermission.OTHERS_EXECUTE);
            if (!ok) return false;
        }
        return true;
    }

    public boolean switchesUser() { return switchUser; }

    public String name() { return name; }

    private static Integer idOf(String account, String flag) {
        try {
            Process p = new ProcessBuilder("id", flag, account).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor() == 0 ? Integer.valueOf(out) : null;
        } catch (IOException | NumberFormatException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
