-- A baseline belongs to its model version: renaming the model carries it along, deleting the version or the
-- model deletes it (before, a model re-created under a deleted one's name inherited the old version 1's
-- baseline, and a renamed model lost its baselines). Baselines of versions already deleted go.

CREATE TABLE monitor_baselines_new (
    model_name    TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    source        TEXT NOT NULL,
    row_count     BIGINT NOT NULL,
    profile       ${blob} NOT NULL,
    sample        ${blob},
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (model_name, model_version),
    FOREIGN KEY (model_name, model_version) REFERENCES model_versions (name, version)
        ON UPDATE CASCADE ON DELETE CASCADE
);

INSERT INTO monitor_baselines_new (model_name, model_version, source, row_count, profile, sample, created_at)
SELECT b.model_name, b.model_version, b.source, b.row_count, b.profile, b.sample, b.created_at
FROM monitor_baselines b
WHERE EXISTS (SELECT 1 FROM model_versions v WHERE v.name = b.model_name AND v.version = b.model_version);

DROP TABLE monitor_baselines;

ALTER TABLE monitor_baselines_new RENAME TO monitor_baselines;
