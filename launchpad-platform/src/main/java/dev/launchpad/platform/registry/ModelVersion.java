package dev.launchpad.platform.registry;

import dev.launchpad.platform.tracking.Tag;

import java.util.List;

/**
 * A registered model's version: where its files are ({@code source} as given, {@code storageLocation}
 * resolved), the run that produced it, its stage, tags and the aliases pointing at it.
 */
public record ModelVersion(
        String name,
        int version,
        long creationTime,
        long lastUpdatedTime,
        String description,
        String userId,
        Stage stage,
        String source,
        String storageLocation,
        String runId,
        String runLink,
        String status,
        String statusMessage,
        List<Tag> tags,
        List<String> aliases) {

    /** The canonical URI naming this version: {@code models:/name/version}. */
    public String uri() {
        return "models:/" + name + "/" + version;
    }
}
