import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import common.FileTree;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A folder deleted by several processes at once, as when a new lab takes back the data of a deleted
 * home while that home's Region deletes its own: what the other deleted first is no error. The
 * walk that stopped on a vanished file once failed a new lab's creation in CI.
 */
class FileTreeTest {
    @Test
    void fourDeletersOfOneFolderAllSucceed(@TempDir Path dir) throws Exception {
        for (int round = 0; round < 10; round++) {
            Path root = dir.resolve("data-" + round);
            for (int d = 0; d < 10; d++) {
                Path sub = Files.createDirectories(root.resolve("base/" + d));
                for (int f = 0; f < 50; f++) Files.writeString(sub.resolve(Integer.toString(f)), "page");
            }
            List<Throwable> failures = new CopyOnWriteArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> deleters = List.of(deleter(root, go, failures), deleter(root, go, failures), deleter(root, go, failures), deleter(root, go, failures));
            go.countDown();
            for (Thread t : deleters) t.join(60_000);
            assertEquals(List.of(), failures, "round " + round);
            assertFalse(Files.exists(root), "round " + round);
        }
    }

    private static Thread deleter(Path root, CountDownLatch go, List<Throwable> failures) {
        Thread t = new Thread(() -> {
            try {
                go.await();
                FileTree.delete(root);
            } catch (Throwable e) {
                failures.add(e);
            }
        });
        t.start();
        return t;
    }
}
