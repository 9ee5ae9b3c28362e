package dev.launchpad.platform.govern.lineage;

import dev.launchpad.core.error.LaunchpadException;

/**
 * Where a lineage graph starts: a model version (by number or alias), a run, or every dataset with a
 * given content digest.
 */
public sealed interface LineageQuery {
    /** Longest dataset digest accepted (MLflow's are 8 to 64 characters). */
    int MAX_DIGEST_LENGTH = 256;

    /** Starts at version {@code version} of registered model {@code model} (the number as given, validated later). */
    record ModelVersion(String model, String version) implements LineageQuery {
    }

    /** Starts at the version the alias points at now. */
    record ModelAlias(String model, String alias) implements LineageQuery {
    }

    /** Starts at a run. */
    record Run(String runId) implements LineageQuery {
    }

    /** Starts at every dataset (any name, any experiment) whose content digest is {@code digest}. */
    record DatasetDigest(String digest) implements LineageQuery {
    }

    /**
     * The query named by request parameters: exactly one of {@code model} (with exactly one of {@code version}
     * and {@code alias}), {@code run_id} and {@code dataset_digest}; blank counts as absent.
     *
     * @throws LaunchpadException INVALID_PARAMETER_VALUE for any other combination
     */
    static LineageQuery of(String model, String version, String alias, String runId, String datasetDigest) {
        model = blankToNull(model);
        version = blankToNull(version);
        alias = blankToNull(alias);
        runId = blankToNull(runId);
        datasetDigest = blankToNull(datasetDigest);
        int starts = (model != null ? 1 : 0) + (runId != null ? 1 : 0) + (datasetDigest != null ? 1 : 0);
        if (starts != 1) {
            throw LaunchpadException.invalid("Give exactly one starting point: 'model' (with 'version' or 'alias'),"
                    + " 'run_id' or 'dataset_digest'.");
        }
        if (model == null && (version != null || alias != null)) {
            throw LaunchpadException.invalid("Parameters 'version' and 'alias' need 'model'.");
        }
        if (model != null) {
            if ((version == null) == (alias == null)) {
                throw LaunchpadException.invalid("Give exactly one of 'version' and 'alias' with 'model'.");
            }
            return version != null ? new ModelVersion(model, version) : new ModelAlias(model, alias);
        }
        if (runId != null) {
            return new Run(runId);
        }
        if (datasetDigest.length() > MAX_DIGEST_LENGTH) {
            throw LaunchpadException.invalid("Parameter 'dataset_digest' is longer than " + MAX_DIGEST_LENGTH
                    + " characters.");
        }
        return new DatasetDigest(datasetDigest);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
