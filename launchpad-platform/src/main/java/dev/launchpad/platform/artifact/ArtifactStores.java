package dev.launchpad.platform.artifact;

import dev.launchpad.core.error.LaunchpadException;
import dev.launchpad.platform.store.Database;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;

/** Opens the artifact store an artifact root names: a local directory or an S3 bucket. */
public final class ArtifactStores {
    /** Environment variables naming an S3-compatible endpoint, in the order they are looked at. */
    public static final String[] ENDPOINT_VARIABLES = {"LAUNCHPAD_S3_ENDPOINT_URL", "MLFLOW_S3_ENDPOINT_URL"};
    /** A JVM system property naming the endpoint, looked at when neither variable is set. */
    public static final String ENDPOINT_PROPERTY = "launchpad.s3.endpoint-url";

    private ArtifactStores() {
    }

    /**
     * {@code /path}, a relative path or {@code file:/path}: a {@link LocalArtifactStore};
     * {@code s3://bucket/prefix}: an {@link S3ArtifactStore}, at the endpoint from
     * {@code LAUNCHPAD_S3_ENDPOINT_URL} or {@code MLFLOW_S3_ENDPOINT_URL} when one is set (else the
     * system property {@code launchpad.s3.endpoint-url}).
     */
    public static ArtifactStore open(String root, Database db) {
        var env = new java.util.HashMap<>(System.getenv());
        var property = System.getProperty(ENDPOINT_PROPERTY);
        if (property != null && !property.isBlank()) {
            env.putIfAbsent(ENDPOINT_VARIABLES[0], property);
        }
        return open(root, db, env);
    }

    static ArtifactStore open(String root, Database db, Map<String, String> env) {
        if (root == null || root.isBlank()) {
            throw LaunchpadException.invalid("The artifact root is empty: give a directory or s3://bucket/prefix.");
        }
        if (root.startsWith("s3://")) {
            return S3ArtifactStore.connect(root, endpoint(env), db);
        }
        if (root.startsWith("file:")) {
            return new LocalArtifactStore(Path.of(URI.create(root.startsWith("file://") ? root
                    : "file://" + root.substring("file:".length()))), db);
        }
        if (root.matches("[a-zA-Z][a-zA-Z0-9+.-]+://.*")) {
            throw LaunchpadException.invalid("Unsupported artifact root '" + root
                    + "': use a directory, file:/path or s3://bucket/prefix.");
        }
        return new LocalArtifactStore(Path.of(root), db);
    }

    static URI endpoint(Map<String, String> env) {
        for (var name : ENDPOINT_VARIABLES) {
            var value = env.get(name);
            if (value != null && !value.isBlank()) {
                try {
                    return URI.create(value.strip());
                } catch (IllegalArgumentException e) {
                    throw LaunchpadException.invalid("Invalid " + name + " '" + value + "': " + e.getMessage());
                }
            }
        }
        return null;
    }
}
