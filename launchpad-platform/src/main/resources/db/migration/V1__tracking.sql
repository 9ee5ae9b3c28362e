-- Experiment tracking, shaped after MLflow's SQL store so its semantics carry over.
-- ${id_pk} and ${blob} are Flyway placeholders filled per dialect (see Dialect).

CREATE TABLE experiments (
    experiment_id     ${id_pk},
    name              TEXT NOT NULL UNIQUE,
    artifact_location TEXT,
    lifecycle_stage   TEXT NOT NULL,
    creation_time     BIGINT,
    last_update_time  BIGINT
);

CREATE TABLE experiment_tags (
    experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
    key           TEXT NOT NULL,
    value         TEXT,
    PRIMARY KEY (experiment_id, key)
);

CREATE TABLE runs (
    run_uuid        TEXT PRIMARY KEY,
    name            TEXT,
    experiment_id   BIGINT NOT NULL REFERENCES experiments (experiment_id),
    user_id         TEXT,
    status          TEXT NOT NULL,
    start_time      BIGINT,
    end_time        BIGINT,
    deleted_time    BIGINT,
    source_version  TEXT,
    lifecycle_stage TEXT NOT NULL,
    artifact_uri    TEXT
);
CREATE INDEX runs_by_experiment ON runs (experiment_id, lifecycle_stage, start_time);

CREATE TABLE tags (
    run_uuid TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT,
    PRIMARY KEY (run_uuid, key)
);

CREATE TABLE params (
    run_uuid TEXT NOT NULL,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);

-- Every logged point. NaN is stored as value 0 with is_nan = 1 (SQLite turns NaN into NULL).
CREATE TABLE metrics (
    run_uuid  TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL
);
CREATE INDEX metrics_history ON metrics (run_uuid, key, timestamp, step);

-- The newest point per run and key (max of step, timestamp, value), which search filters and orders on.
CREATE TABLE latest_metrics (
    run_uuid  TEXT NOT NULL,
    key       TEXT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    is_nan    INTEGER NOT NULL,
    timestamp BIGINT NOT NULL,
    step      BIGINT NOT NULL,
    PRIMARY KEY (run_uuid, key)
);
CREATE INDEX latest_metrics_by_key ON latest_metrics (key, value);

-- Data versioning: datasets a run consumed (log-inputs).
CREATE TABLE datasets (
    dataset_uuid        TEXT PRIMARY KEY,
    experiment_id       BIGINT NOT NULL REFERENCES experiments (experiment_id),
    name                TEXT NOT NULL,
    digest              TEXT NOT NULL,
    dataset_source_type TEXT NOT NULL,
    dataset_source      TEXT NOT NULL,
    dataset_schema      TEXT,
    dataset_profile     TEXT,
    UNIQUE (experiment_id, name, digest)
);

CREATE TABLE inputs (
    input_uuid     TEXT PRIMARY KEY,
    dataset_uuid   TEXT NOT NULL REFERENCES datasets (dataset_uuid),
    run_uuid       TEXT NOT NULL REFERENCES runs (run_uuid),
    UNIQUE (dataset_uuid, run_uuid)
);
CREATE INDEX inputs_by_run ON inputs (run_uuid);

CREATE TABLE input_tags (
    input_uuid TEXT NOT NULL REFERENCES inputs (input_uuid),
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (input_uuid, name)
);

INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 0, 0);
