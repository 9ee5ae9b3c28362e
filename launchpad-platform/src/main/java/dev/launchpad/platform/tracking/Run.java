package dev.launchpad.platform.tracking;

import java.util.List;
import java.util.Optional;

/** A run with its data (latest metric values, params, tags) and its dataset inputs. */
public record Run(RunInfo info, List<Metric> metrics, List<Param> params, List<Tag> tags, List<DatasetInput> inputs) {

    /** The source code version the client recorded ({@code mlflow.source.git.commit}), if any. */
    public Optional<String> sourceVersion() {
        return tags.stream().filter(t -> MlflowTags.GIT_COMMIT.equals(t.key())).map(Tag::value).findFirst();
    }
}
