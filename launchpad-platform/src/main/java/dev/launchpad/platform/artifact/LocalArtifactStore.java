package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.core.files.FileTrees;
import dev.launchpad.platform.store.Database;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Artifacts as files under a root directory. A write streams into a temp file under
 * {@code <root>/.launchpad-tmp} while hashing, is fsynced, then renamed over the target atomically
 * (the directory fsynced too) and recorded; a read first hashes the open file and compares it with
 * the record, then hands out a stream over that same open file, so what was verified is what is
 * served. Multipart uploads keep their parts under {@code <root>/.launchpad-uploads/<id>} and join
 * them into one file, checking each part against its ETag (the part's SHA-256), on completion.
 */
public final class LocalArtifactStore extends AbstractArtifactStore {
    private static final String TMP_DIR = ArtifactPaths.RESERVED_PREFIX + "tmp";
    private static final String UPLOADS_DIR = ArtifactPaths.RESERVED_PREFIX + "uploads";
    private static final Duration STALE_TEMP_AGE = Duration.ofDays(1);

    private final Path root;
    private final Path tmp;
    private final Path uploads;

    public LocalArtifactStore(Path root, Database db) {
        this(root, db, Clock.systemUTC());
    }

    public LocalArtifactStore(Path root, Database db, Clock clock) {
        super(db, clock);
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve(TMP_DIR);
        this.uploads = this.root.resolve(UPLOADS_DIR);
        try {
            Files.createDirectories(tmp);
            Files.createDirectories(uploads);
            removeStaleTempFiles(clock);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use artifact root " + this.root, e);
        }
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    /** Where a validated path lives on disk (checked once more to stay inside the root). */
    public Path file(String path) {
        var resolved = root.resolve(ArtifactPaths.file(path)).normalize();
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw LaunchpadException.invalid("Invalid artifact path '" + path + "': it leaves the artifact root.");
        }
        return resolved;
    }

    @Override
    public ArtifactInfo put(String path, InputStream content) throws IOException {
        var p = ArtifactPaths.file(path);
        checkWritable(p);
        var tmpFile = Files.createTempFile(tmp, "put-", ".tmp");
        try {
            ArtifactInfo info;
            try (var channel = FileChannel.open(tmpFile, StandardOpenOption.WRITE)) {
                info = copyHashing(p, content, Channels.newOutputStream(channel));
                channel.force(true);
            }
            return commit(info, tmpFile);
        } finally {
            Files.deleteIfExists(tmpFile);
        }
    }

    /** Renames a complete, fsynced temp file over the target and records it. */
    private ArtifactInfo commit(ArtifactInfo info, Path tmpFile) throws IOException {
        var target = file(info.path());
        return exclusively(info.path(), () -> {
            checkWritable(info.path());
            try {
                Files.createDirectories(target.getParent());
            } catch (FileAlreadyExistsException e) {
                throw LaunchpadException.invalid("Cannot store artifact '" + info.path() + "': a parent of it is a file.");
            }
            if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                throw LaunchpadException.invalid("Cannot store artifact '" + info.path() + "': it is a directory.");
            }
            Files.move(tmpFile, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDirectory(target.getParent());
            try {
                records.record(info);
            } catch (RuntimeException e) {
                Files.deleteIfExists(target);
                throw e;
            }
            return info;
        });
    }

    @Override
    public ArtifactInputStream open(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        var target = file(p);
        return shared(p, () -> {
            var recorded = records.find(p).orElseThrow(() -> notFound(p));
            if (Files.isDirectory(target)) {
                throw missing(recorded);
            }
            FileChannel channel;
            try {
                channel = FileChannel.open(target, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                throw missing(recorded);
            }
            try {
                verify(channel, recorded);
                channel.position(0);
                return new ArtifactInputStream(Channels.newInputStream(channel), recorded);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        });
    }

    /** A first pass over the open file: its size and SHA-256 against the record. */
    private static void verify(FileChannel channel, ArtifactInfo recorded) throws IOException {
        long size = channel.size();
        if (size != recorded.size()) {
            throw corrupted(recorded, size, null);
        }
        var digest = sha256();
        var buffer = ByteBuffer.allocate(BUFFER_SIZE);
        long read = 0;
        for (int n; (n = channel.read(buffer)) >= 0; ) {
            buffer.flip();
            digest.update(buffer);
            buffer.clear();
            read += n;
        }
        var sha = hex(digest.digest());
        if (read != recorded.size() || !sha.equals(recorded.sha256())) {
            throw corrupted(recorded, read, sha);
        }
    }

    @Override
    public void delete(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        var target = file(p);
        exclusively(p, () -> {
            records.deleteUnder(p);
            deleteTree(target);
            return null;
        });
    }

    @Override
    public String createMultipartUpload(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        checkWritable(p);
        var uploadId = newUploadId();
        Files.createDirectories(uploads.resolve(uploadId));
        records.addUpload(new ArtifactRecords.Upload(uploadId, p, null));
        return uploadId;
    }

    @Override
    public String uploadPart(String uploadId, int partNumber, InputStream content) throws IOException {
        checkPartNumber(partNumber);
        var upload = upload(uploadId);
        var dir = uploads.resolve(upload.uploadId());
        if (!Files.isDirectory(dir)) {
            throw LaunchpadException.notFound("Multipart upload '" + uploadId + "' not found.");
        }
        var tmpFile = Files.createTempFile(dir, "part-", ".tmp");
        try {
            ArtifactInfo info;
            try (var out = Files.newOutputStream(tmpFile)) {
                info = copyHashing(upload.path(), content, out);
            }
            Files.move(tmpFile, dir.resolve(partName(partNumber)), StandardCopyOption.ATOMIC_MOVE);
            return info.sha256();
        } finally {
            Files.deleteIfExists(tmpFile);
        }
    }

    @Override
    public ArtifactInfo completeMultipartUpload(String uploadId, List<UploadedPart> parts) throws IOException {
        var upload = upload(uploadId);
        var sorted = sortedParts(parts);
        var dir = uploads.resolve(upload.uploadId());
        var tmpFile = Files.createTempFile(tmp, "mpu-", ".tmp");
        try {
            var whole = sha256();
            long size = 0;
            try (var out = FileChannel.open(tmpFile, StandardOpenOption.WRITE)) {
                var buffer = ByteBuffer.allocate(BUFFER_SIZE);
                for (var part : sorted) {
                    var partFile = dir.resolve(partName(part.partNumber()));
                    var partDigest = sha256();
                    try (var in = FileChannel.open(partFile, StandardOpenOption.READ)) {
                        for (int n; (n = in.read(buffer)) >= 0; ) {
                            buffer.flip();
                            partDigest.update(buffer.duplicate());
                            whole.update(buffer.duplicate());
                            while (buffer.hasRemaining()) {
                                out.write(buffer);
                            }
                            buffer.clear();
                            size += n;
                        }
                    } catch (NoSuchFileException e) {
                        throw LaunchpadException.invalid("Part " + part.partNumber() + " of multipart upload '"
                                + uploadId + "' was not uploaded.");
                    }
                    if (!hex(partDigest.digest()).equals(plainEtag(part.etag()))) {
                        throw LaunchpadException.invalid("Part " + part.partNumber() + " of multipart upload '"
                                + uploadId + "': ETag '" + part.etag() + "' does not match the uploaded part.");
                    }
                }
                out.force(true);
            }
            var info = commit(new ArtifactInfo(upload.path(), size, hex(whole.digest())), tmpFile);
            records.removeUpload(upload.uploadId());
            deleteTree(dir);
            return info;
        } finally {
            Files.deleteIfExists(tmpFile);
        }
    }

    @Override
    public void abortMultipartUpload(String uploadId) throws IOException {
        var upload = upload(uploadId);
        records.removeUpload(upload.uploadId());
        deleteTree(uploads.resolve(upload.uploadId()));
    }

    @Override
    public void close() {
        // Nothing held open: the database belongs to the caller.
    }

    private static String partName(int partNumber) {
        return "part-%05d".formatted(partNumber);
    }

    private static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(path);
            return;
        }
        try (var walk = Files.walk(path)) {
            for (var p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Makes a rename durable: fsync of the directory holding it, where the platform allows it. */
    private static void fsyncDirectory(Path dir) {
        try (var channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory (Windows); the rename itself is atomic there too.
        }
    }

    private void removeStaleTempFiles(Clock clock) throws IOException {
        FileTrees.deleteOlderThan(tmp, clock.instant().minus(STALE_TEMP_AGE));
    }
}
