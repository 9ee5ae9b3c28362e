package dev.launchpad.platform.tracking;

/** Soft-deletion state of experiments and runs, with MLflow's lowercase names. */
public enum LifecycleStage {
    ACTIVE("active"),
    DELETED("deleted");

    private final String dbName;

    LifecycleStage(String dbName) {
        this.dbName = dbName;
    }

    /** The name stored and sent over the API ({@code active}/{@code deleted}). */
    public String dbName() {
        return dbName;
    }

    public static LifecycleStage fromDb(String name) {
        return "deleted".equals(name) ? DELETED : ACTIVE;
    }
}
