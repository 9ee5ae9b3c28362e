package dev.launchpad.platform.tracking;

/** Reserved tag keys with meaning to MLflow clients and to Launchpad. */
public final class MlflowTags {
    public static final String RUN_NAME = "mlflow.runName";
    public static final String USER = "mlflow.user";
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    public static final String DATASET_CONTEXT = "mlflow.data.context";

    private MlflowTags() {
    }
}
