-- A breached result is stored as not yet announced, and marked announced once every listener (alert rules first
-- of all) has heard it; the scheduler announces again what a failure or a crash left, so no alert is lost.
ALTER TABLE monitor_results ADD COLUMN unannounced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX monitor_results_unannounced ON monitor_results (unannounced) WHERE unannounced = 1;
-- whether a result has fired a rule already (a result announced again fires nothing twice)
CREATE INDEX monitor_alerts_rule_result ON monitor_alerts (rule_id, result_id);
