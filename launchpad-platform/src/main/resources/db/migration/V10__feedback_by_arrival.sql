-- The performance check starts from the labels received in its look-back (not from every prediction logged
-- in it), so that its cost follows the labels: labels by deployment and arrival.
CREATE INDEX monitor_feedback_received ON monitor_feedback (deployment, received_at);
