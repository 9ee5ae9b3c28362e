package dev.launchpad.platform.registry;

import java.util.List;

/**
 * Where a model version came from, frozen when it was registered: the run, the code version (git
 * commit), the dataset versions the run consumed, who registered it and when.
 */
public record ModelLineage(
        String name,
        int version,
        String runId,
        String experimentId,
        String source,
        String codeVersion,
        String createdBy,
        long creationTime,
        List<LineageDataset> datasets) {

    /** A dataset version (name + digest) the run consumed, with its source and context (training, eval...). */
    public record LineageDataset(String name, String digest, String source, String context) {
    }
}
