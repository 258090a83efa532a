package recovery;

//SOURCES ../aws/Aws.java ../common/Problem.java Backups.java

//DEPS software.amazon.awssdk:s3:2.42.33

import aws.Aws;
import common.Problem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Where copies of the backups are kept away from the site, out of reach of the site's disaster:
 * another folder on this machine (standing for another place), or an S3 bucket, which is another
 * place for real. Backups keep their names there, so the newest is found by name, as on site.
 */
public interface Offsite extends AutoCloseable {
    /** "s3://BUCKET[/PREFIX]" for a bucket, anything else for a folder. */
    static Offsite at(String where, Aws.Options aws) {
        if (where.startsWith("s3://")) return Bucket.open(URI.create(where), aws);
        return new Folder(Path.of(where));
    }

    /** Where the copies go, as a student would type it. */
    String describe();

    /** Checks, before anything else is done, that copies can be kept there. */
    void check() throws IOException;

    /** Keeps a copy of one backup. */
    void put(Path backup) throws IOException;

    /** The backups kept, by name, newest first. */
    List<String> names() throws IOException;

    /** Brings one kept backup back into a folder. */
    void fetch(String name, Path folder) throws IOException;

    @Override
    default void close() {}

    /** Backups only: the backup job's log and half-written files stay on site. */

    /** A folder; on this machine it stands for another site. */
    record Folder(Path dir) implements Offsite {
        @Override public String describe() { return dir.toString(); }

        @Override public void check() throws IOException {
            Files.createDirectories(dir);
        }

        @Override public void put(Path backup) throws IOException {
            // Copied then renamed: a reader never sees half a copy.
            Path partial = dir.resolve(backup.getFileName() + ".partial");
            Files.copy(backup, partial, StandardCopyOption.REPLACE_EXISTING);
            Files.move(partial, dir.resolve(backup.getFileName()), StandardCopyOption.ATOMIC_MOVE);
        }

        @Override public List<String> names() throws IOException {
            if (!Files.isDirectory(dir)) return List.of();
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(f -> f.getFileName().toString()).filter(Backups::isBackup).sorted(Comparator.reverseOrder()).toList();
            }
        }

        @Override public void fetch(String name, Path folder) throws IOException {
            Files.copy(dir.resolve(name), folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * An S3 bucket, through the AWS SDK, with the Region and credentials of the SDK's chains. The
     * bucket is the student's own, made beforehand: the kit does not create billable things it
     * would then have to remember to delete.
     */
    final class Bucket implements Offsite {
        private final S3Client s3;
        private final String bucket;
        private final String prefix;

        private Bucket(S3Client s3, String bucket, String prefix) {
            this.s3 = s3;
            this.bucket = bucket;
            this.prefix = prefix;
        }

        static Bucket open(URI where, Aws.Options aws) {
            String bucket = where.getHost();
            if (bucket == null || bucket.isBlank()) throw Problem.environment("pra5.offsite.bad", where);
            String path = where.getPath() == null ? "" : where.getPath().replaceAll("^/+|/+$", "");
            S3ClientBuilder b = aws.configure(S3Client.builder().httpClient(UrlConnectionHttpClient.create()))
                    // A bucket in another Region than the student's default is still found.
                    .crossRegionAccessEnabled(true)
                    // A stand-in for S3 on one host name (MinIO, the kit's tests) takes the bucket in the path.
                    .forcePathStyle(System.getenv("AWS_ENDPOINT_URL_S3") != null || System.getenv("AWS_ENDPOINT_URL") != null);
            try {
                return new Bucket(b.build(), bucket, path.isEmpty() ? "" : path + "/");
            } catch (SdkException e) {
                throw Aws.explain(e, "aws.client");
            }
        }

        @Override public String describe() {
            return "s3://" + bucket + "/" + prefix;
        }

        @Override public void check() {
            try {
                s3.headBucket(r -> r.bucket(bucket));
            } catch (NoSuchBucketException e) {
                throw new Problem(Problem.USAGE, e, "pra5.offsite.no-bucket", bucket);
            } catch (S3Exception e) {
                if (e.statusCode() == 404) throw new Problem(Problem.USAGE, e, "pra5.offsite.no-bucket", bucket);
                if (e.statusCode() == 403) throw new Problem(Problem.USAGE, e, "pra5.offsite.denied", bucket);
                throw Aws.explain(e, "pra5.offsite.call", describe());
            } catch (SdkException e) {
                throw Aws.explain(e, "pra5.offsite.call", describe());
            }
        }

        @Override public void put(Path backup) {
            try {
                s3.putObject(r -> r.bucket(bucket).key(prefix + backup.getFileName()), RequestBody.fromFile(backup));
            } catch (SdkException e) {
                throw Aws.explain(e, "pra5.offsite.call", describe());
            }
        }

        @Override public List<String> names() {
            List<String> names = new ArrayList<>();
            try {
                for (S3Object o : s3.listObjectsV2Paginator(r -> r.bucket(bucket).prefix(prefix)).contents()) {
                    String name = o.key().substring(prefix.length());
                    if (!name.contains("/") && Backups.isBackup(name)) names.add(name);
                }
            } catch (SdkException e) {
                throw Aws.explain(e, "pra5.offsite.call", describe());
            }
            names.sort(Comparator.reverseOrder());
            return names;
        }

        @Override public void fetch(String name, Path folder) throws IOException {
            Path target = folder.resolve(name);
            Files.deleteIfExists(target);
            try {
                s3.getObject(r -> r.bucket(bucket).key(prefix + name), target);
            } catch (SdkException e) {
                throw Aws.explain(e, "pra5.offsite.call", describe());
            }
        }

        @Override public void close() {
            s3.close();
        }
    }
}
