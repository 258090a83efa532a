package region;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A running server's data folder copied file by file for a base backup, as pg_basebackup would
 * leave it: without the runtime files, and with the WAL and runtime folders empty (the WAL
 * comes from the archive). Files the server drops during the copy are no error.
 */
final class DataFolderCopy {
    private DataFolderCopy() {}

    /** What a base backup leaves out: the server's runtime files, and the contents of WAL and runtime folders. */
    private static final Set<String> SKIP_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label", "tablespace_map",
            "current_logfiles", "standby.signal", "recovery.signal", "pg_internal.init");
    private static final Set<String> EMPTY_DIRS = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify", "pg_serial",
            "pg_snapshots", "pg_stat_tmp", "pg_subtrans");

    static void copy(Path from, Path to, BooleanSupplier abandoned) throws IOException {
        Files.createDirectories(to);
        List<Path> all;
        try (Stream<Path> walk = Files.walk(from)) {
            all = walk.toList();
        } catch (UncheckedIOException e) {
            // A file removed while the folder is walked is no error for a base backup: retry once.
            try (Stream<Path> walk = Files.walk(from)) {
                all = walk.filter(Files::exists).toList();
            }
        }
        for (Path src : all) {
            if (abandoned.getAsBoolean()) throw new IOException("base backup abandoned");
            Path rel = from.relativize(src);
            if (rel.toString().isEmpty()) continue;
            String top = rel.getName(0).toString();
            String name = src.getFileName().toString();
            if (SKIP_FILES.contains(name) || name.startsWith("pgsql_tmp")) continue;
            if (EMPTY_DIRS.contains(top) && rel.getNameCount() > 1 && !(top.equals("pg_wal") && name.equals("archive_status") && rel.getNameCount() == 2)) continue;
            Path dst = to.resolve(rel.toString());
            try {
                if (Files.isDirectory(src)) Files.createDirectories(dst);
                else Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchFileException gone) {
                // Dropped by the server during the copy: WAL replay accounts for it.
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException ignored) {
                // Already there.
            }
        }
    }
}
