-- Model registry, shaped after MLflow's, plus lineage snapshots and model cards.

CREATE TABLE registered_models (
    name              TEXT PRIMARY KEY,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT
);

CREATE TABLE registered_model_tags (
    name  TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    key   TEXT NOT NULL,
    value TEXT,
    PRIMARY KEY (name, key)
);

CREATE TABLE model_versions (
    name              TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    version           INTEGER NOT NULL,
    creation_time     BIGINT NOT NULL,
    last_updated_time BIGINT NOT NULL,
    description       TEXT,
    user_id           TEXT,
    current_stage     TEXT NOT NULL,
    source            TEXT NOT NULL,
    storage_location  TEXT NOT NULL,
    run_id            TEXT,
    run_link          TEXT,
    status            TEXT NOT NULL,
    status_message    TEXT,
    source_version    TEXT,
    PRIMARY KEY (name, version)
);
CREATE INDEX model_versions_by_run ON model_versions (run_id);

CREATE TABLE model_version_tags (
    name    TEXT NOT NULL,
    version INTEGER NOT NULL,
    key     TEXT NOT NULL,
    value   TEXT,
    PRIMARY KEY (name, version, key),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

CREATE TABLE registered_model_aliases (
    name    TEXT NOT NULL REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    alias   TEXT NOT NULL,
    version INTEGER NOT NULL,
    PRIMARY KEY (name, alias)
);

-- Lineage: the dataset versions the source run consumed, frozen when the model version was created.
CREATE TABLE model_version_datasets (
    name           TEXT NOT NULL,
    version        INTEGER NOT NULL,
    dataset_name   TEXT NOT NULL,
    dataset_digest TEXT NOT NULL,
    dataset_source TEXT,
    context        TEXT,
    PRIMARY KEY (name, version, dataset_name, dataset_digest),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

-- Model cards: every edit is a new revision; content is the card's JSON.
CREATE TABLE model_cards (
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    revision      INTEGER NOT NULL,
    content       TEXT NOT NULL,
    created_by    TEXT,
    creation_time BIGINT NOT NULL,
    PRIMARY KEY (name, version, revision),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
