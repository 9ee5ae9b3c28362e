-- The artifact store's records: every stored file's size and SHA-256, verified on every read,
-- and the multipart uploads in progress (backend_id: the S3 upload id where there is one).

CREATE TABLE artifacts (
    path         TEXT PRIMARY KEY,
    size         BIGINT NOT NULL,
    sha256       TEXT NOT NULL,
    created_time BIGINT NOT NULL
);

CREATE TABLE artifact_uploads (
    upload_id    TEXT PRIMARY KEY,
    path         TEXT NOT NULL,
    backend_id   TEXT,
    created_time BIGINT NOT NULL
);
