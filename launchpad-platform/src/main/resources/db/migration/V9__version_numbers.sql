-- Model version numbers are never reused: the highest number each registered model ever gave out,
-- so that deleting the newest version and registering again yields a new number (a deployment or an
-- approval that names "version 3" keeps meaning the same files).

CREATE TABLE model_version_numbers (
    name         TEXT PRIMARY KEY REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    last_version INTEGER NOT NULL
);

INSERT INTO model_version_numbers (name, last_version)
SELECT name, MAX(version) FROM model_versions GROUP BY name;
