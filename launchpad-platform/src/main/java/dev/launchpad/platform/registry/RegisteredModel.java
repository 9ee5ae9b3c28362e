package dev.launchpad.platform.registry;

import dev.launchpad.platform.tracking.Tag;

import java.util.List;

/** A named model with its versions' latest per stage, tags and aliases. */
public record RegisteredModel(
        String name,
        long creationTime,
        long lastUpdatedTime,
        String description,
        List<Tag> tags,
        List<ModelAlias> aliases,
        List<ModelVersion> latestVersions) {
}
