-- Governance: per-resource permissions (MLflow's READ/EDIT/MANAGE on experiments and registered
-- models), four-eyes approvals of model versions with the evidence their gates ask for, and the
-- server's own secrets (the key that signs multipart-upload part URLs).

CREATE TABLE resource_permissions (
    resource_type TEXT NOT NULL,
    resource_id   TEXT NOT NULL,
    user_name     TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    permission    TEXT NOT NULL,
    granted_by    TEXT NOT NULL,
    granted_time  BIGINT NOT NULL,
    PRIMARY KEY (resource_type, resource_id, user_name)
);
CREATE INDEX resource_permissions_user ON resource_permissions (user_name);

-- The approval state of each model version: PENDING until an approver decides. The version's
-- registering principal is frozen here, so a later edit of the version cannot change who may approve.
CREATE TABLE model_version_approvals (
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    status        TEXT NOT NULL,
    registered_by TEXT NOT NULL,
    updated_time  BIGINT NOT NULL,
    PRIMARY KEY (name, version),
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);

-- Every decision, in order (approve / reject with a comment).
CREATE TABLE model_version_decisions (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    decision      TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    comment       TEXT NOT NULL,
    decision_time BIGINT NOT NULL,
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX model_version_decisions_version ON model_version_decisions (name, version, decision_time);

-- Evidence attached to a version (a validation result, fairness metrics), checked by the gates.
CREATE TABLE model_version_evidence (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       INTEGER NOT NULL,
    kind          TEXT NOT NULL,
    passed        INTEGER NOT NULL,
    content       TEXT NOT NULL,
    submitted_by  TEXT NOT NULL,
    creation_time BIGINT NOT NULL,
    FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE ON DELETE CASCADE
);
CREATE INDEX model_version_evidence_version ON model_version_evidence (name, version, kind, creation_time);

-- Per registered model: which evidence an approval needs (JSON policy).
CREATE TABLE approval_policies (
    name         TEXT PRIMARY KEY REFERENCES registered_models (name) ON UPDATE CASCADE ON DELETE CASCADE,
    policy       TEXT NOT NULL,
    updated_by   TEXT NOT NULL,
    updated_time BIGINT NOT NULL
);

CREATE TABLE server_secrets (
    name          TEXT PRIMARY KEY,
    secret        TEXT NOT NULL,
    creation_time BIGINT NOT NULL
);
