package dev.launchpad.platform.artifact;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Where artifacts (model files, plots, datasets) live: a local directory or an S3 bucket. Paths are
 * relative, '/'-separated and validated (no "..", no absolute paths). Writes are atomic and stream
 * (a file never has to fit in memory); every stored file's SHA-256 and size are recorded, and reads
 * verify them before handing out a byte.
 */
public interface ArtifactStore extends AutoCloseable {

    /** Stores {@code content} at {@code path} atomically, replacing what was there; returns what was recorded. */
    ArtifactInfo put(String path, InputStream content) throws IOException;

    /**
     * Opens a stored file for reading after checking its SHA-256 and size against the record.
     * RESOURCE_DOES_NOT_EXIST when there is no such file; DATA_LOSS when its content no longer matches.
     * The stream carries the record it was verified against (its size, for a Content-Length).
     */
    ArtifactInputStream open(String path) throws IOException;

    /** The record of a stored file, if there is one. */
    Optional<ArtifactInfo> info(String path);

    /** The direct children of a directory ("" for the root): files and sub-directories, sorted by path. */
    List<ArtifactEntry> list(String directory) throws IOException;

    /** Deletes a file, or a directory and everything under it; deleting nothing is not an error. */
    void delete(String path) throws IOException;

    /** Starts a multipart upload of a large file to {@code path}; returns its upload id. */
    String createMultipartUpload(String path) throws IOException;

    /** Stores one part (numbered from 1) of a multipart upload; returns the part's ETag. */
    String uploadPart(String uploadId, int partNumber, InputStream content) throws IOException;

    /** Joins the listed parts, in part-number order, into the file; returns what was recorded. */
    ArtifactInfo completeMultipartUpload(String uploadId, List<UploadedPart> parts) throws IOException;

    /** Discards a multipart upload and its parts. */
    void abortMultipartUpload(String uploadId) throws IOException;

    /** The path a multipart upload will store its file at; RESOURCE_DOES_NOT_EXIST for an unknown upload id. */
    String multipartUploadPath(String uploadId);

    /** Releases what the store holds (an S3 client it created); the database stays open. */
    @Override
    void close();

    /** A stored file: its path, size in bytes and SHA-256 (lowercase hex). */
    record ArtifactInfo(String path, long size, String sha256) {
    }

    /** One entry of a listing: a path relative to the store root, whether it is a directory, and a file's size. */
    record ArtifactEntry(String path, boolean isDir, Long fileSize) {
    }

    /** A part of a multipart upload as the client reports it on completion. */
    record UploadedPart(int partNumber, String etag) {
    }
}
