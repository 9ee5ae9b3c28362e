-- Deployments: a named endpoint serving one registered model, pinned to a version or following an
-- alias (hot-swapped when the alias moves), with its dynamic-batching settings.

CREATE TABLE deployments (
    name               TEXT PRIMARY KEY,
    model_name         TEXT NOT NULL,
    model_version      INTEGER,
    model_alias        TEXT,
    max_batch_size     INTEGER NOT NULL,
    max_queue_delay_us BIGINT NOT NULL,
    max_queue_size     INTEGER NOT NULL,
    description        TEXT,
    creation_time      BIGINT NOT NULL,
    last_updated_time  BIGINT NOT NULL,
    CHECK ((model_version IS NULL) <> (model_alias IS NULL))
);
