package dev.launchpad.platform.tracking;

/** A run's metadata (MLflow's {@code RunInfo}); {@code endTime} is null while the run has not ended. */
public record RunInfo(
        String runId,
        String runName,
        String experimentId,
        String userId,
        RunStatus status,
        Long startTime,
        Long endTime,
        String artifactUri,
        LifecycleStage lifecycleStage) {
}
