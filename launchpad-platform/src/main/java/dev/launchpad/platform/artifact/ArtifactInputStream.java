package dev.launchpad.platform.artifact;

import java.io.FilterInputStream;
import java.io.InputStream;

/**
 * The content of a stored file, already verified against its record (SHA-256 and size), together
 * with that record, so a caller can announce the exact length before streaming.
 */
public final class ArtifactInputStream extends FilterInputStream {
    private final ArtifactStore.ArtifactInfo info;

    public ArtifactInputStream(InputStream content, ArtifactStore.ArtifactInfo info) {
        super(content);
        this.info = info;
    }

    /** The record the content was verified against. */
    public ArtifactStore.ArtifactInfo info() {
        return info;
    }

    @Override
    public int read(byte[] b, int off, int len) throws java.io.IOException {
        return in.read(b, off, len);
    }

    @Override
    public long transferTo(java.io.OutputStream out) throws java.io.IOException {
        return in.transferTo(out);
    }
}
