-- A deleted alert rule is kept, hidden and disabled, so that the alerts and incidents it fired (and their
-- timestamps, which MTTR is measured from) stay: deleting the row cascaded to them.
ALTER TABLE monitor_alert_rules ADD COLUMN deleted_at BIGINT;
