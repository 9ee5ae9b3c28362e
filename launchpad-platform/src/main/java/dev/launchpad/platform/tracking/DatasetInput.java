package dev.launchpad.platform.tracking;

import java.util.List;

/** A dataset used by a run, with tags such as {@code mlflow.data.context} ("training", "eval"). */
public record DatasetInput(List<Tag> tags, Dataset dataset) {
}
