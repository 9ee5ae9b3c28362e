package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Artifacts as objects in an S3 bucket under a key prefix ({@code s3://bucket/prefix}); works with
 * AWS and S3-compatible servers (MinIO, Ceph, s3proxy) through an endpoint override with path-style
 * access.
 *
 * <p>Writes stream without holding the file in memory: content is read in parts of
 * {@link #DEFAULT_PART_SIZE} (8 MiB); a file that fits in one part is one PUT, a larger one an S3
 * multipart upload, completed only after the last part (so the object appears atomically, as with a
 * single PUT) and aborted on failure. The SHA-256 and size are computed on the way and recorded.
 * With 8 MiB parts and S3's 10 000-part limit, one streamed file may be up to 78 GiB.
 *
 * <p>Reads verify before handing out a byte: the object is spooled to a temp file while hashed, and
 * only a matching copy is returned, as a stream that deletes the temp file on close.
 *
 * <p>The multipart API maps onto S3 multipart upload; on completion the object is read back once
 * to compute the SHA-256 of the whole (S3 only knows per-part digests).
 */
public final class S3ArtifactStore extends AbstractArtifactStore {
    /** Part size of streamed uploads (S3 needs at least 5 MiB for every part but the last). */
    public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
    private static final int DELETE_BATCH = 1000;

    private final S3Client s3;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final Path spoolDir;
    private final int partSize;

    /** Where in S3: a bucket and a key prefix without leading or trailing '/' ("" for the bucket's root). */
    public record S3Location(String bucket, String prefix) {
        /** Parses {@code s3://bucket[/prefix]}. */
        public static S3Location parse(String uri) {
            if (uri == null || !uri.startsWith("s3://")) {
                throw LaunchpadException.invalid("Invalid S3 artifact root '" + uri + "': expected s3://bucket/prefix.");
            }
            var rest = uri.substring("s3://".length());
            int slash = rest.indexOf('/');
            var bucket = slash < 0 ? rest : rest.substring(0, slash);
            var prefix = slash < 0 ? "" : rest.substring(slash + 1);
            while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            if (bucket.isEmpty()) {
                throw LaunchpadException.invalid("Invalid S3 artifact root '" + uri + "': the bucket is missing.");
            }
            if (!prefix.isEmpty()) {
                ArtifactPaths.file(prefix);
            }
            return new S3Location(bucket, prefix);
        }

        @Override
        public String toString() {
            return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
        }
    }

    /** A store over an S3 client the caller owns (and closes), with the default part size and spool directory. */
    public S3ArtifactStore(S3Client s3, S3Location location, Database db) {
        this(s3, false, location, db, Clock.systemUTC(), Path.of(System.getProperty("java.io.tmpdir")),
                DEFAULT_PART_SIZE);
    }

    /**
     * A store with every setting explicit: {@code ownsClient} closes the client with the store;
     * {@code spoolDir} holds verified downloads; {@code partSize} (at least 5 MiB) splits streamed uploads.
     */
    public S3ArtifactStore(S3Client s3, boolean ownsClient, S3Location location, Database db, Clock clock,
                           Path spoolDir, int partSize) {
        super(db, clock);
        if (partSize < 5 * 1024 * 1024) {
            throw new IllegalArgumentException("S3 parts must be at least 5 MiB, got " + partSize);
        }
        this.s3 = Objects.requireNonNull(s3);
        this.ownsClient = ownsClient;
        this.bucket = location.bucket();
        this.prefix = location.prefix();
        this.spoolDir = spoolDir;
        this.partSize = partSize;
    }

    /**
     * A store for {@code s3://bucket/prefix} with a client of its own: {@code endpoint} (null for AWS)
     * for S3-compatible servers, region and credentials from the usual AWS settings
     * ({@code aws.region} / {@code AWS_REGION}, {@code AWS_ACCESS_KEY_ID} / {@code AWS_SECRET_ACCESS_KEY},
     * profiles, instance roles). Checks that the bucket can be reached.
     */
    public static S3ArtifactStore connect(String uri, URI endpoint, Database db) {
        var location = S3Location.parse(uri);
        var client = client(endpoint, null, DefaultCredentialsProvider.builder().build());
        try {
            client.headBucket(b -> b.bucket(location.bucket()));
        } catch (SdkException e) {
            client.close();
            throw LaunchpadException.invalid("Cannot use artifact root " + location
                    + (endpoint != null ? " at " + endpoint : "") + ": " + e.getMessage());
        }
        return new S3ArtifactStore(client, true, location, db, Clock.systemUTC(),
                Path.of(System.getProperty("java.io.tmpdir")), DEFAULT_PART_SIZE);
    }

    /**
     * An S3 client: with an endpoint override, path-style access and checksums only where S3 requires
     * them (what S3-compatible servers support); {@code region} null for the usual lookup (us-east-1
     * when nothing is configured and an endpoint is given).
     */
    public static S3Client client(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        var builder = S3Client.builder().credentialsProvider(credentials).region(region != null ? region : region(endpoint));
        if (endpoint != null) {
            builder.endpointOverride(endpoint)
                    .forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        }
        return builder.build();
    }

    private static Region region(URI endpoint) {
        for (var configured : new String[] {System.getProperty("aws.region"), System.getenv("AWS_REGION"),
                System.getenv("AWS_DEFAULT_REGION")}) {
            if (configured != null && !configured.isBlank()) {
                return Region.of(configured.strip());
            }
        }
        if (endpoint != null) {
            return Region.US_EAST_1;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkException e) {
            return Region.US_EAST_1;
        }
    }

    public S3Location location() {
        return new S3Location(bucket, prefix);
    }

    /** The object key of a validated artifact path. */
    public String key(String path) {
        var p = ArtifactPaths.file(path);
        return prefix.isEmpty() ? p : prefix + "/" + p;
    }

    @Override
    public ArtifactInfo put(String path, InputStream content) throws IOException {
        var p = ArtifactPaths.file(path);
        checkWritable(p);
        var key = key(p);
        var digest = sha256();
        var buffer = new byte[partSize];
        int n = content.readNBytes(buffer, 0, partSize);
        digest.update(buffer, 0, n);
        if (n < partSize) {
            var info = new ArtifactInfo(p, n, hex(digest.digest()));
            var length = n;
            return exclusively(p, () -> {
                checkWritable(p);
                s3(() -> s3.putObject(b -> b.bucket(bucket).key(key).contentLength((long) length),
                        bytes(buffer, length)));
                records.record(info);
                return info;
            });
        }
        var uploadId = s3(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
        try {
            var parts = new ArrayList<CompletedPart>();
            long size = 0;
            for (int partNumber = 1; n > 0; partNumber++) {
                if (partNumber > MAX_PART_NUMBER) {
                    throw LaunchpadException.invalid("Artifact '" + p + "' is too large: S3 takes at most "
                            + MAX_PART_NUMBER + " parts of " + partSize + " bytes.");
                }
                var number = partNumber;
                var length = n;
                var etag = s3(() -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(number).contentLength((long) length), bytes(buffer, length)).eTag());
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                size += n;
                n = content.readNBytes(buffer, 0, partSize);
                digest.update(buffer, 0, n);
            }
            var info = new ArtifactInfo(p, size, hex(digest.digest()));
            return exclusively(p, () -> {
                checkWritable(p);
                s3(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
                records.record(info);
                return info;
            });
        } catch (IOException | RuntimeException e) {
            abortQuietly(key, uploadId, e);
            throw e;
        }
    }

    @Override
    public ArtifactInputStream open(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        var key = key(p);
        return shared(p, () -> {
            for (int attempt = 0; ; attempt++) {
                var recorded = records.find(p).orElseThrow(() -> notFound(p));
                var spool = Files.createTempFile(spoolDir, "launchpad-s3-", ".tmp");
                var handedOut = false;
                try {
                    ArtifactInfo actual;
                    try (var in = s3.getObject(b -> b.bucket(bucket).key(key));
                         var out = Files.newOutputStream(spool)) {
                        actual = copyHashing(p, in, out);
                    } catch (NoSuchKeyException e) {
                        throw missing(recorded);
                    }
                    if (actual.size() != recorded.size() || !actual.sha256().equals(recorded.sha256())) {
                        // Another server may have replaced the object and its record in between: look once more.
                        if (attempt == 0 && !records.find(p).equals(java.util.Optional.of(recorded))) {
                            continue;
                        }
                        throw corrupted(recorded, actual.size(), actual.sha256());
                    }
                    var stream = new ArtifactInputStream(
                            Files.newInputStream(spool, StandardOpenOption.READ, StandardOpenOption.DELETE_ON_CLOSE),
                            recorded);
                    handedOut = true;
                    return stream;
                } finally {
                    if (!handedOut) {
                        Files.deleteIfExists(spool);
                    }
                }
            }
        });
    }

    @Override
    public void delete(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        var key = key(p);
        exclusively(p, () -> {
            records.deleteUnder(p);
            var keys = new ArrayList<String>();
            keys.add(key);
            s3(() -> {
                s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(key + "/")).contents().stream()
                        .map(S3Object::key).forEach(keys::add);
                return null;
            });
            for (int from = 0; from < keys.size(); from += DELETE_BATCH) {
                var batch = keys.subList(from, Math.min(keys.size(), from + DELETE_BATCH)).stream()
                        .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
                var response = s3(() -> s3.deleteObjects(b -> b.bucket(bucket)
                        .delete(Delete.builder().objects(batch).quiet(true).build())));
                if (response.hasErrors() && !response.errors().isEmpty()) {
                    var error = response.errors().getFirst();
                    throw new IOException("Could not delete s3://" + bucket + "/" + error.key() + ": " + error.message());
                }
            }
            return null;
        });
    }

    @Override
    public String createMultipartUpload(String path) throws IOException {
        var p = ArtifactPaths.file(path);
        checkWritable(p);
        var key = key(p);
        var s3UploadId = s3(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId());
        var uploadId = newUploadId();
        records.addUpload(new ArtifactRecords.Upload(uploadId, p, s3UploadId));
        return uploadId;
    }

    @Override
    public String uploadPart(String uploadId, int partNumber, InputStream content) throws IOException {
        checkPartNumber(partNumber);
        var upload = upload(uploadId);
        var key = key(upload.path());
        // S3 needs each part's length up front: spool it (parts may be far larger than memory allows).
        var spool = Files.createTempFile(spoolDir, "launchpad-part-", ".tmp");
        try {
            try (var out = Files.newOutputStream(spool)) {
                content.transferTo(out);
            }
            var length = Files.size(spool);
            return s3(() -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(upload.backendId())
                    .partNumber(partNumber).contentLength(length), RequestBody.fromFile(spool)).eTag());
        } finally {
            Files.deleteIfExists(spool);
        }
    }

    @Override
    public ArtifactInfo completeMultipartUpload(String uploadId, List<UploadedPart> parts) throws IOException {
        var upload = upload(uploadId);
        var sorted = sortedParts(parts);
        var key = key(upload.path());
        var completed = sorted.stream().map(part -> CompletedPart.builder().partNumber(part.partNumber())
                .eTag(part.etag()).build()).toList();
        var info = exclusively(upload.path(), () -> {
            checkWritable(upload.path());
            s3(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload.backendId())
                    .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build())));
            ArtifactInfo stored;
            try (var in = s3.getObject(b -> b.bucket(bucket).key(key))) {
                stored = copyHashing(upload.path(), in, OutputStream.nullOutputStream());
            }
            records.record(stored);
            return stored;
        });
        records.removeUpload(uploadId);
        return info;
    }

    @Override
    public void abortMultipartUpload(String uploadId) throws IOException {
        var upload = upload(uploadId);
        try {
            s3(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key(upload.path())).uploadId(upload.backendId())));
        } catch (LaunchpadException e) {
            // already gone on the S3 side: forgetting it here is all that is left
        }
        records.removeUpload(uploadId);
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    private static RequestBody bytes(byte[] buffer, int length) {
        ContentStreamProvider provider = () -> new ByteArrayInputStream(buffer, 0, length);
        return RequestBody.fromContentProvider(provider, length, "application/octet-stream");
    }

    private void abortQuietly(String key, String s3UploadId, Exception cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(s3UploadId));
        } catch (SdkException e) {
            cause.addSuppressed(e);
        }
    }

    /** Runs an S3 call, turning S3's answers about bad multipart input into typed errors. */
    private static <T> T s3(IoAction<T> call) throws IOException {
        try {
            return call.run();
        } catch (NoSuchUploadException e) {
            throw LaunchpadException.notFound("Multipart upload not found in S3: " + message(e));
        } catch (S3Exception e) {
            var code = e.awsErrorDetails() != null ? e.awsErrorDetails().errorCode() : null;
            if ("InvalidPart".equals(code) || "InvalidPartOrder".equals(code) || "EntityTooSmall".equals(code)
                    || "InvalidArgument".equals(code)) {
                throw LaunchpadException.invalid("S3 refused the multipart upload: " + message(e));
            }
            throw e;
        }
    }

    private static String message(S3Exception e) {
        return e.awsErrorDetails() != null && e.awsErrorDetails().errorMessage() != null
                ? e.awsErrorDetails().errorMessage() : e.getMessage();
    }
}
