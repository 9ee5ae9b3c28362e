-- A rule may resolve its own incidents: when a later span of its check passes, the open or acknowledged incident
-- is resolved by Launchpad (as Alertmanager resolves an alert whose condition cleared). Off for existing rules.

ALTER TABLE monitor_alert_rules ADD COLUMN auto_resolve INTEGER NOT NULL DEFAULT 0;
