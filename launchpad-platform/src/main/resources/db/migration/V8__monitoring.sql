-- Production monitoring: baselines per model version, per-window prediction profiles (minute, hour,
-- day) of every deployment, logged predictions and late feedback, monitor settings, a durable job
-- table for the scheduled checks, check results as a time series, alert rules, alerts, incidents and
-- signed webhooks with a delivery outbox. Times are epoch milliseconds.

CREATE TABLE monitor_baselines (
    model_name    TEXT NOT NULL,
    model_version INTEGER NOT NULL,
    source        TEXT NOT NULL,
    row_count     BIGINT NOT NULL,
    profile       ${blob} NOT NULL,
    sample        ${blob},
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (model_name, model_version)
);

CREATE TABLE monitor_windows (
    deployment     TEXT NOT NULL,
    model_version  INTEGER NOT NULL,
    granularity    TEXT NOT NULL,
    window_start   BIGINT NOT NULL,
    requests       BIGINT NOT NULL,
    row_count      BIGINT NOT NULL,
    client_errors  BIGINT NOT NULL,
    server_errors  BIGINT NOT NULL,
    overloaded     BIGINT NOT NULL,
    input_profile  ${blob} NOT NULL,
    output_profile ${blob} NOT NULL,
    latency        ${blob} NOT NULL,
    sample         ${blob} NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (deployment, granularity, window_start, model_version)
);

CREATE TABLE monitor_predictions (
    deployment    TEXT NOT NULL,
    request_id    TEXT NOT NULL,
    row_index     INTEGER NOT NULL,
    model_version INTEGER NOT NULL,
    predicted_at  BIGINT NOT NULL,
    prediction    TEXT,
    score         DOUBLE PRECISION,
    PRIMARY KEY (deployment, request_id, row_index)
);
CREATE INDEX monitor_predictions_time ON monitor_predictions (deployment, predicted_at);

CREATE TABLE monitor_feedback (
    deployment  TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    row_index   INTEGER NOT NULL,
    label       TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (deployment, request_id, row_index)
);

CREATE TABLE monitor_settings (
    deployment TEXT PRIMARY KEY,
    settings   TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- one durable job per deployment: claimed by optimistic update, so several replicas can share it
CREATE TABLE monitor_jobs (
    deployment   TEXT PRIMARY KEY,
    next_run_at  BIGINT NOT NULL,
    last_to      BIGINT,
    locked_by    TEXT,
    locked_until BIGINT,
    attempts     INTEGER NOT NULL,
    last_error   TEXT
);

CREATE TABLE monitor_results (
    id          ${id_pk},
    deployment  TEXT NOT NULL,
    check_name  TEXT NOT NULL,
    window_from BIGINT NOT NULL,
    window_to   BIGINT NOT NULL,
    status      TEXT NOT NULL,
    metric      DOUBLE PRECISION,
    threshold   DOUBLE PRECISION,
    details     TEXT NOT NULL,
    checked_at  BIGINT NOT NULL
);
CREATE INDEX monitor_results_series ON monitor_results (deployment, check_name, window_to);

CREATE TABLE monitor_alert_rules (
    id              ${id_pk},
    name            TEXT NOT NULL UNIQUE,
    deployment      TEXT,
    check_name      TEXT NOT NULL,
    severity        TEXT NOT NULL,
    cooldown_ms     BIGINT NOT NULL,
    enabled         INTEGER NOT NULL,
    created_at      BIGINT NOT NULL
);

CREATE TABLE monitor_incidents (
    id              ${id_pk},
    rule_id         BIGINT NOT NULL REFERENCES monitor_alert_rules (id) ON DELETE CASCADE,
    deployment      TEXT NOT NULL,
    check_name      TEXT NOT NULL,
    severity        TEXT NOT NULL,
    status          TEXT NOT NULL,
    summary         TEXT NOT NULL,
    opened_at       BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    resolved_at     BIGINT,
    resolved_by     TEXT,
    last_alert_at   BIGINT NOT NULL,
    alert_count     INTEGER NOT NULL
);
CREATE INDEX monitor_incidents_open ON monitor_incidents (rule_id, deployment, status);

CREATE TABLE monitor_alerts (
    id          ${id_pk},
    rule_id     BIGINT NOT NULL REFERENCES monitor_alert_rules (id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES monitor_incidents (id) ON DELETE CASCADE,
    result_id   BIGINT NOT NULL,
    deployment  TEXT NOT NULL,
    check_name  TEXT NOT NULL,
    severity    TEXT NOT NULL,
    message     TEXT NOT NULL,
    details     TEXT NOT NULL,
    fired_at    BIGINT NOT NULL
);
CREATE INDEX monitor_alerts_time ON monitor_alerts (fired_at);

CREATE TABLE monitor_webhooks (
    id         ${id_pk},
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    enabled    INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE monitor_deliveries (
    id              ${id_pk},
    webhook_id      BIGINT NOT NULL REFERENCES monitor_webhooks (id) ON DELETE CASCADE,
    alert_id        BIGINT NOT NULL,
    payload         TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX monitor_deliveries_due ON monitor_deliveries (status, next_attempt_at);

-- every deployment is watched by default: one rule per check, for every deployment, one alert an hour at most
INSERT INTO monitor_alert_rules (name, deployment, check_name, severity, cooldown_ms, enabled, created_at) VALUES
    ('feature-drift', NULL, 'feature_drift', 'warning', 3600000, 1, 0),
    ('prediction-drift', NULL, 'prediction_drift', 'warning', 3600000, 1, 0),
    ('data-quality', NULL, 'data_quality', 'critical', 3600000, 1, 0),
    ('performance', NULL, 'performance', 'critical', 3600000, 1, 0),
    ('latency', NULL, 'latency', 'warning', 3600000, 1, 0),
    ('error-rate', NULL, 'error_rate', 'critical', 3600000, 1, 0);
