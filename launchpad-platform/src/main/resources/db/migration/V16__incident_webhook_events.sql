-- Webhooks also hear when an incident is acknowledged or resolved. A delivery says which event it carries; an
-- incident's event refers to the incident's latest alert (alert_id stays NOT NULL).

ALTER TABLE monitor_deliveries ADD COLUMN event TEXT NOT NULL DEFAULT 'alert';
