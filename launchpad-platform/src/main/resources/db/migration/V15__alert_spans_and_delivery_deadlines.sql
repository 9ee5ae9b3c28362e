-- An alert records the span its result checked, so that a span checked twice (a run retried after a failure, or a
-- manual run beside the scheduled one) fires a rule once. A delivery records when it is given up: a day and two
-- hours after it was queued or redelivered, however often it was held back behind another that could not reach
-- the receiver (those are not charged an attempt).

ALTER TABLE monitor_alerts ADD COLUMN window_from BIGINT;
ALTER TABLE monitor_alerts ADD COLUMN window_to BIGINT;
CREATE INDEX monitor_alerts_span ON monitor_alerts (rule_id, deployment, window_to);

ALTER TABLE monitor_deliveries ADD COLUMN give_up_at BIGINT;
-- pending ones get their 26 hours from their next attempt (one redelivered lately was created long ago)
UPDATE monitor_deliveries SET give_up_at = next_attempt_at + 93600000 WHERE status = 'pending';
CREATE INDEX monitor_deliveries_webhook ON monitor_deliveries (webhook_id, id);
