package dev.launchpad.platform.tracking;

/**
 * A dataset version a run consumed: identified by name and content digest, with where it came
 * from and its schema. This is Launchpad's data versioning (MLflow's {@code Dataset}).
 */
public record Dataset(String name, String digest, String sourceType, String source, String schema, String profile) {
}
