-- A rule may resolve its own incidents: when a later span of its check passes, the open or acknowledged incident
-- is resolved by Launchpad (as Alertmanager resolves an alert whose condition cleared). Off for existing rules.
-- An incident resolved so records the end of the span that passed: a breach of a span ending after it is a new
-- occurrence, however late it is checked (a scheduler catching up after a restart).

ALTER TABLE monitor_alert_rules ADD COLUMN auto_resolve INTEGER NOT NULL DEFAULT 0;
ALTER TABLE monitor_incidents ADD COLUMN cleared_through BIGINT;
