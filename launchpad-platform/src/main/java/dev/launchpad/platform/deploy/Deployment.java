package dev.launchpad.platform.deploy;

/**
 * A named serving endpoint for one registered model: pinned to {@code version}, or following
 * {@code alias} (then it moves to whatever version the alias points at), with its batching settings.
 * Exactly one of {@code version} and {@code alias} is set.
 */
public record Deployment(
        String name,
        String modelName,
        Integer version,
        String alias,
        BatchingSettings batching,
        String description,
        long creationTime,
        long lastUpdatedTime) {

    /** The model URI this deployment serves: {@code models:/name/3} or {@code models:/name@champion}. */
    public String modelUri() {
        return alias != null ? "models:/" + modelName + "@" + alias : "models:/" + modelName + "/" + version;
    }
}
