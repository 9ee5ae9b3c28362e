-- The audit log: one row per recorded mutation, append-only and hash-chained. Row n holds
-- prev_hash = row n-1's hash (64 zeros for row 1) and hash = SHA-256 over prev_hash and the row's
-- canonical content (sequence number included), so an edited, deleted or reordered row breaks the
-- chain. seq is assigned by the writer under a table lock, never by the database.

CREATE TABLE audit_log (
    seq          BIGINT PRIMARY KEY,
    event_time   BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    resource     TEXT NOT NULL,
    source       TEXT,
    outcome      INTEGER,
    request      TEXT,
    before_state TEXT,
    after_state  TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);

CREATE INDEX audit_log_time ON audit_log (event_time);
CREATE INDEX audit_log_actor ON audit_log (actor, seq);
