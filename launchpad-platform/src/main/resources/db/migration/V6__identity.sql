-- Identity: users and service accounts with a global role, and API tokens stored only as their
-- SHA-256 (a token is shown once, when it is issued). Passwords are PBKDF2 hashes.

CREATE TABLE users (
    name          TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT,
    creation_time BIGINT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE api_tokens (
    id            TEXT PRIMARY KEY,
    user_name     TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    token_hash    TEXT NOT NULL UNIQUE,
    creation_time BIGINT NOT NULL,
    expiry_time   BIGINT,
    revoked_time  BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);
