package dev.launchpad.platform.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * The outcome of one monitor check over one span of traffic, stored whether or not it breached.
 *
 * @param check feature_drift, prediction_drift, data_quality, performance, latency or error_rate
 * @param status ok, breach, or no_data (too little traffic, no baseline, no labels)
 * @param metric the check's headline number (share of drifted features, issue count, metric value, p99 ms, error rate)
 * @param threshold what the metric was compared with, or null
 * @param features the features that breached (drift, data quality), empty otherwise
 * @param details everything else (per-feature table, counts, whether a metric is an estimate)
 */
public record CheckResult(String check, Status status, Double metric, Double threshold, List<String> features,
                          ObjectNode details) {

    public CheckResult {
        features = List.copyOf(features);
    }

    /** ok, breach, no_data. */
    public enum Status {
        OK, BREACH, NO_DATA;

        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Status of(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The checks, in the order they run. */
    public static final List<String> CHECKS = List.of("feature_drift", "prediction_drift", "data_quality", "performance",
            "latency", "error_rate");
}
