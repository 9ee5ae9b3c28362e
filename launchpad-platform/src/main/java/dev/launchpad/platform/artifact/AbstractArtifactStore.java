package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.ErrorCode;
import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What every artifact store shares: the records in the metadata database (listing is answered from
 * them), path checks, per-path locks that keep a commit (file + record) and a verified read from
 * interleaving within this process, and the SHA-256 helpers.
 */
abstract class AbstractArtifactStore implements ArtifactStore {
    /** S3's limits, applied to every store so clients see one behaviour. */
    static final int MAX_PART_NUMBER = 10_000;
    static final int BUFFER_SIZE = 256 * 1024;

    final ArtifactRecords records;
    private final ReadWriteLock[] stripes = new ReadWriteLock[64];

    AbstractArtifactStore(Database db, Clock clock) {
        this.records = new ArtifactRecords(db, clock);
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantReadWriteLock();
        }
    }

    /** An action that may fail with an IOException. */
    @FunctionalInterface
    interface IoAction<T> {
        T run() throws IOException;
    }

    /** Runs a commit of {@code path} (storing the file and recording it) exclusively of readers and writers here. */
    final <T> T exclusively(String path, IoAction<T> action) throws IOException {
        var lock = stripes[Math.floorMod(path.hashCode(), stripes.length)].writeLock();
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }

    /** Runs a verified read of {@code path} so that no commit here changes the file and record under it. */
    final <T> T shared(String path, IoAction<T> action) throws IOException {
        var lock = stripes[Math.floorMod(path.hashCode(), stripes.length)].readLock();
        lock.lock();
        try {
            return action.run();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<ArtifactInfo> info(String path) {
        return records.find(ArtifactPaths.file(path));
    }

    @Override
    public List<ArtifactEntry> list(String directory) {
        var dir = ArtifactPaths.directory(directory);
        var prefix = dir.isEmpty() ? "" : dir + "/";
        var children = new TreeMap<String, ArtifactEntry>();
        for (var info : records.under(dir)) {
            var rest = info.path().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                children.put(info.path(), new ArtifactEntry(info.path(), false, info.size()));
            } else {
                var child = prefix + rest.substring(0, slash);
                children.putIfAbsent(child, new ArtifactEntry(child, true, null));
            }
        }
        return new ArrayList<>(children.values());
    }

    @Override
    public String multipartUploadPath(String uploadId) {
        return upload(uploadId).path();
    }

    /** Refuses to write a file where a directory is, or below a file. */
    final void checkWritable(String path) {
        var ancestor = records.fileAncestor(path);
        if (ancestor.isPresent()) {
            throw LaunchpadException.invalid("Cannot store artifact '" + path + "': '" + ancestor.get()
                    + "' is a file, not a directory.");
        }
        if (records.isDirectory(path)) {
            throw LaunchpadException.invalid("Cannot store artifact '" + path + "': it is a directory.");
        }
    }

    final ArtifactRecords.Upload upload(String uploadId) {
        if (uploadId == null || !uploadId.matches("[0-9a-f]{32}")) {
            throw LaunchpadException.notFound("Multipart upload '" + uploadId + "' not found.");
        }
        return records.upload(uploadId)
                .orElseThrow(() -> LaunchpadException.notFound("Multipart upload '" + uploadId + "' not found."));
    }

    static String newUploadId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    static void checkPartNumber(int partNumber) {
        if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
            throw LaunchpadException.invalid("Invalid part number " + partNumber + ": parts are numbered from 1 to "
                    + MAX_PART_NUMBER + ".");
        }
    }

    /** The listed parts in ascending order; INVALID_PARAMETER_VALUE for none, duplicates or bad numbers. */
    static List<UploadedPart> sortedParts(List<UploadedPart> parts) {
        if (parts == null || parts.isEmpty()) {
            throw LaunchpadException.invalid("A multipart upload needs at least one part to complete.");
        }
        var sorted = new ArrayList<>(parts);
        sorted.sort(java.util.Comparator.comparingInt(UploadedPart::partNumber));
        for (int i = 0; i < sorted.size(); i++) {
            checkPartNumber(sorted.get(i).partNumber());
            if (i > 0 && sorted.get(i).partNumber() == sorted.get(i - 1).partNumber()) {
                throw LaunchpadException.invalid("Part " + sorted.get(i).partNumber() + " is listed twice.");
            }
        }
        return sorted;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    /** Copies {@code in} to {@code out} while hashing; returns what was copied. */
    static ArtifactInfo copyHashing(String path, InputStream in, OutputStream out) throws IOException {
        var digest = sha256();
        var buffer = new byte[BUFFER_SIZE];
        long size = 0;
        for (int n; (n = in.read(buffer)) >= 0; ) {
            digest.update(buffer, 0, n);
            out.write(buffer, 0, n);
            size += n;
        }
        return new ArtifactInfo(path, size, hex(digest.digest()));
    }

    static LaunchpadException notFound(String path) {
        return LaunchpadException.notFound("Artifact '" + path + "' not found.");
    }

    /** DATA_LOSS: what was found does not match the record. */
    static LaunchpadException corrupted(ArtifactInfo expected, long actualSize, String actualSha256) {
        var what = actualSize != expected.size()
                ? "it has " + actualSize + " bytes but " + expected.size() + " were recorded when it was stored"
                : "its SHA-256 is " + actualSha256 + " but " + expected.sha256() + " was recorded when it was stored";
        return new LaunchpadException(ErrorCode.DATA_LOSS, "Artifact '" + expected.path()
                + "' is corrupted: " + what + ". It is not served; restore it from a backup or store it again.");
    }

    static LaunchpadException missing(ArtifactInfo expected) {
        return new LaunchpadException(ErrorCode.DATA_LOSS, "Artifact '" + expected.path() + "' is recorded ("
                + expected.size() + " bytes, SHA-256 " + expected.sha256() + ") but its stored file is missing.");
    }

    /** A part's ETag as the client returns it, without quotes, lower case. */
    static String plainEtag(String etag) {
        if (etag == null) {
            return "";
        }
        var e = etag.strip();
        if (e.startsWith("W/")) {
            e = e.substring(2);
        }
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
            e = e.substring(1, e.length() - 1);
        }
        return e.toLowerCase(java.util.Locale.ROOT);
    }
}
